// DamageLog: where the DB hears of damage in its persisted blocks, from
// queries (query/damage_recorder.h, which skip it) and from scrubs. Each
// damaged series (per block and kind; a damaged piece naming no series,
// per file and offset) is logged and counted once, however often it is
// read: strata_storage_corruptions_total{kind} counts damage, not reads.
//
// Thread-safety: safe for concurrent use.
#ifndef STRATA_DB_DAMAGE_LOG_H_
#define STRATA_DB_DAMAGE_LOG_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "query/damage_recorder.h"
#include "util/corruption.h"
#include "util/mutex.h"

namespace strata {

class DamageLog final : public DamageListener {
 public:
  // From a query: logged as skipped.
  void OnDamage(const Damage& damage) override;

  // From a scrub. `where` names the damaged piece (series, or file and
  // offset); `what` says what is wrong. True the first time.
  bool Note(CorruptionKind kind, const std::string& block,
            const std::string& where, const std::string& what,
            const char* found_by);

  // Damage counted so far, by kind.
  int64_t Count(CorruptionKind kind) const;

 private:
  static constexpr size_t kKinds = 4;

  mutable Mutex mu_;
  absl::flat_hash_set<std::string> seen_ ABSL_GUARDED_BY(mu_);
  std::array<int64_t, kKinds> counts_ ABSL_GUARDED_BY(mu_) = {};
};

}  // namespace strata

#endif  // STRATA_DB_DAMAGE_LOG_H_
