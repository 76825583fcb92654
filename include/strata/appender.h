// Appender: a batch of samples that commits atomically to the WAL and head.
//
// Thread-safety: one Appender belongs to one thread at a time. Many
// Appenders may be used concurrently on one DB.
#ifndef STRATA_APPENDER_H_
#define STRATA_APPENDER_H_

#include <cstdint>

#include "strata/labels.h"
#include "strata/status.h"

namespace strata {

// Identifies a series in this DB until it is garbage collected from the
// head. 0 is never a valid reference.
using SeriesRef = uint64_t;

// Prometheus's staleness marker: a NaN with this exact bit pattern ends a
// series for PromQL. Stored like any other value.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

class Appender {
 public:
  virtual ~Appender() = default;

  // Adds one sample. Errors are per sample and leave the batch usable:
  // OutOfOrder (older than the series' newest sample), OutOfBounds (older
  // than the head accepts), DuplicateSample (same timestamp, different
  // value), InvalidArgument (bad labels). An exact duplicate (same
  // timestamp, same value bits) is accepted as a no-op.
  // Returns the series' reference for use in the faster overload.
  virtual StatusOr<SeriesRef> Append(const Labels& labels, int64_t t_ms,
                                     double value) = 0;
  // NotFound if `ref` is unknown (e.g. garbage collected): retry by labels.
  virtual StatusOr<SeriesRef> Append(SeriesRef ref, int64_t t_ms,
                                     double value) = 0;

  // Writes the batch to the WAL, then makes it visible to queries. When this
  // returns OK, the samples are durable per Options::wal_sync. On error the
  // batch may or may not be durable (e.g. a failed fsync); its samples are
  // then either all visible or none.
  // The Appender is empty and reusable afterwards either way.
  virtual Status Commit() = 0;
  // Drops the pending samples.
  virtual void Rollback() = 0;

  // Samples buffered since the last Commit/Rollback.
  virtual size_t pending() const = 0;
};

}  // namespace strata

#endif  // STRATA_APPENDER_H_
