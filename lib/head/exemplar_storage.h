// CircularExemplarStorage: the head's exemplars, with the semantics of
// Prometheus 2.42's tsdb/exemplar.go.
//
// One ring of `max_exemplars` entries holds the exemplars of every series
// in insertion order; writing wraps around and evicts the oldest entry,
// whichever series it belongs to. Each series' exemplars form a linked
// list through the ring (entry.next), from its index entry's `oldest` to
// its `newest`, in increasing timestamp order: an exemplar not newer than
// the series' newest is refused (OutOfOrder), one equal to it is a no-op.
// The index, keyed by the series' labels, outlives head truncation, as in
// Prometheus: exemplars leave only by eviction or Resize.
//
// Invariants (under mu_): an index entry exists iff its series has at
// least one entry in the ring; ring_[e.oldest] .. ring_[e.newest] linked by
// `next`, the last with next == kNoExemplar; an empty slot has
// series == nullptr. The ring's slots are allocated as they are first
// written (a start does not pay for max_exemplars entries it may never
// use): until ring_.size() reaches capacity_, next_index_ == ring_.size()
// and every allocated slot holds an exemplar.
//
// Thread-safety: safe for concurrent use; Add and Resize take the lock
// exclusively, Validate, Select and Stats share it.
#ifndef STRATA_HEAD_EXEMPLAR_STORAGE_H_
#define STRATA_HEAD_EXEMPLAR_STORAGE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "strata/exemplar.h"
#include "strata/labels.h"
#include "strata/status.h"
#include "util/mutex.h"

namespace strata {

class CircularExemplarStorage {
 public:
  // max_exemplars <= 0: stores nothing until resized.
  explicit CircularExemplarStorage(int64_t max_exemplars);

  // Whether Add would store `e` for the series: OK, or the refusal
  // without counting it. A duplicate of the series' newest exemplar is
  // AlreadyExists-like: reported as kDuplicateSample so the caller can
  // drop it silently; disabled storage is kFailedPrecondition.
  Status Validate(const Labels& series, const Exemplar& e) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Validates and stores; a duplicate is an OK no-op. Refusals:
  // FailedPrecondition (disabled), InvalidArgument (label set too long),
  // OutOfOrder (counted).
  Status Add(const Labels& series, const Exemplar& e) ABSL_LOCKS_EXCLUDED(mu_);

  // See ExemplarQuerier::Select.
  std::vector<ExemplarSeries> Select(
      int64_t mint, int64_t maxt,
      const std::vector<std::vector<Matcher>>& matcher_sets) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Reallocates the ring with `max_exemplars` entries, moving over the
  // newest exemplars that fit, oldest first (Prometheus's Resize).
  // Returns how many were moved.
  int64_t Resize(int64_t max_exemplars) ABSL_LOCKS_EXCLUDED(mu_);

  // Calls fn for every stored exemplar, oldest appended first.
  void ForEach(
      const std::function<void(const Labels& series, const Exemplar& e)>& fn)
      const ABSL_LOCKS_EXCLUDED(mu_);

  ExemplarStats Stats() const ABSL_LOCKS_EXCLUDED(mu_);

  // Refusal messages, Prometheus's storage errors.
  static constexpr char kOutOfOrderMessage[] = "out of order exemplar";
  static constexpr char kLabelLengthMessage[] =
      "label length for exemplar exceeds maximum of 128 UTF-8 characters";
  static constexpr char kDisabledMessage[] = "exemplar storage is disabled";
  static constexpr char kDuplicateMessage[] = "duplicate exemplar";

 private:
  static constexpr int kNoExemplar = -1;

  struct IndexEntry {
    int oldest = 0;
    int newest = 0;
    Labels series_labels;
  };
  struct Entry {
    Exemplar exemplar;
    int next = kNoExemplar;
    IndexEntry* series = nullptr;  // Null: the slot is empty.
  };

  // The index key of a series: its labels' bytes.
  static std::string KeyOf(const Labels& series);
  Status ValidateLocked(const std::string& key, const Exemplar& e,
                        bool count_out_of_order) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Writes `e` at next_index_ for the series `key`, evicting what is
  // there (allocating the slot on its first write). Precondition:
  // capacity_ > 0.
  void StoreLocked(const std::string& key, const Labels& series, Exemplar e)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Unlinks the exemplar at `slot` (the oldest of its series).
  void EvictLocked(int slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable Mutex mu_;
  std::vector<Entry> ring_ ABSL_GUARDED_BY(mu_);
  // The ring's size once full (max_exemplars).
  size_t capacity_ ABSL_GUARDED_BY(mu_) = 0;
  int next_index_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, std::unique_ptr<IndexEntry>> index_
      ABSL_GUARDED_BY(mu_);
  int64_t appended_ ABSL_GUARDED_BY(mu_) = 0;
  mutable std::atomic<int64_t> out_of_order_{0};
};

}  // namespace strata

#endif  // STRATA_HEAD_EXEMPLAR_STORAGE_H_
