// Damage a query found and skipped. A chunk failing its CRC (or not
// decoding) or a series entry of a block's index failing its CRC does not
// fail the query: the damaged chunk or series is left out, the querier
// returns a warning for it (Querier::Warnings, which the PromQL API puts in
// its "warnings"), and the DB's DamageListener logs and counts it.
// Other errors (I/O, a closed DB) still fail the read.
//
// Thread-safety: DamageRecorder is internally locked; a DamageListener
// must be safe to call concurrently.
#ifndef STRATA_QUERY_DAMAGE_RECORDER_H_
#define STRATA_QUERY_DAMAGE_RECORDER_H_

#include <memory>
#include <string>
#include <vector>

#include "index/reader.h"
#include "strata/labels.h"
#include "strata/status.h"
#include "util/corruption.h"
#include "util/mutex.h"

namespace strata {

struct Damage {
  CorruptionKind kind = CorruptionKind::kChunk;
  std::string block;   // BlockReader::Name().
  std::string series;  // Its labels, or "series id N" if they are unreadable.
  Status error;        // What the reader said (file and offset).
};

class DamageListener {
 public:
  virtual ~DamageListener() = default;
  virtual void OnDamage(const Damage& damage) = 0;
};

// One querier's damage: its warnings, each also told to the listener.
class DamageRecorder {
 public:
  // `listener` may be null.
  explicit DamageRecorder(std::shared_ptr<DamageListener> listener)
      : listener_(std::move(listener)) {}

  void Record(const Damage& damage);
  // One line per damaged chunk or series entry, in the order found; no
  // file paths (clients see them).
  std::vector<std::string> Warnings() const;

 private:
  const std::shared_ptr<DamageListener> listener_;
  mutable Mutex mu_;
  std::vector<std::string> warnings_ ABSL_GUARDED_BY(mu_);
};

// Where a chunk read belongs, for reporting its damage. The pointers
// outlive the iterator holding the context (the querier's series set owns
// them). A default context has no recorder: damage then fails the read.
struct DamageContext {
  DamageRecorder* recorder = nullptr;
  const BlockReader* block = nullptr;
  const Labels* labels = nullptr;

  // Records `error` if it is corruption and there is a recorder; false if
  // the caller must fail with it instead.
  bool Skip(CorruptionKind kind, const Status& error) const;
};

}  // namespace strata

#endif  // STRATA_QUERY_DAMAGE_RECORDER_H_
