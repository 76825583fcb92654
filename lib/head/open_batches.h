// OpenBatches: the appender batches open on a head, by the truncation
// generation they started in.
//
// An appender holds no per-series pin between append and commit (a pin
// was two atomic read-modify-writes per series per batch), so head
// truncation may remove a series that an open batch has samples for; the
// commit then moves them to a series of the same labels
// (HeadAppender::CommitToRevivedSeries). Until that commit the batch still
// reads the removed series, so truncation frees a removed series only once
// no batch that started in or before its removal generation is open.
//
// Invariant: a batch that starts after Advance() returned g cannot reach
// a series removed before that call (it is no longer in the series map),
// so only batches that started in generation <= g hold such series.
//
// Thread-safety: thread-safe; one mutex, taken twice per batch.
#ifndef STRATA_HEAD_OPEN_BATCHES_H_
#define STRATA_HEAD_OPEN_BATCHES_H_

#include <cstdint>
#include <limits>
#include <map>

#include "util/mutex.h"

namespace strata {

class OpenBatches {
 public:
  // Registers a batch before it looks up any series; returns the
  // generation it started in, for End.
  uint64_t Begin() ABSL_LOCKS_EXCLUDED(mu_);
  void End(uint64_t started) ABSL_LOCKS_EXCLUDED(mu_);
  // Closes the current generation, after a truncation removed series from
  // the series map; returns it, the generation to tag those series with.
  uint64_t Advance() ABSL_LOCKS_EXCLUDED(mu_);
  // The generation the oldest open batch started in; UINT64_MAX if none is
  // open. Series removed in an older generation can be freed.
  uint64_t OldestOpen() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable Mutex mu_;
  uint64_t current_ ABSL_GUARDED_BY(mu_) = 0;
  // Start generation -> batches open from it; no zero counts.
  std::map<uint64_t, int64_t> open_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata

#endif  // STRATA_HEAD_OPEN_BATCHES_H_
