// Appender: a batch of samples that commits atomically to the WAL and head.
//
// Thread-safety: one Appender belongs to one thread at a time. Many
// Appenders may be used concurrently on one DB.
#ifndef STRATA_APPENDER_H_
#define STRATA_APPENDER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "strata/exemplar.h"
#include "strata/histogram.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata {

// Identifies a series in this DB until it is garbage collected from the
// head. 0 is never a valid reference.
using SeriesRef = uint64_t;

// Prometheus's staleness marker: a NaN with this exact bit pattern ends a
// series for PromQL. Stored like any other value.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

// Why one sample of an AppendBatch was not added.
struct SampleError {
  size_t index = 0;  // Position of the sample in the batch's spans.
  // kOutOfOrder, kOutOfBounds, kTooOldSample, kDuplicateSample or kNotFound
  // (unknown or garbage-collected ref: retry that sample by labels), as
  // Append(ref, ...) would have returned for it; StatusCodeName(code) names it.
  StatusCode code = StatusCode::kOk;

  // The Status Append(ref, ...) returns for this refusal.
  Status ToStatus() const;

  friend bool operator==(const SampleError&, const SampleError&) = default;
};

// The per-sample outcome of an AppendBatch, like Prometheus's per-sample
// errors: every sample not listed in `errors` was added to the pending
// batch (an exact duplicate counts as added: it is a no-op).
struct AppendBatchReport {
  size_t appended = 0;
  std::vector<SampleError> errors;  // In index order.

  void Clear() {
    appended = 0;
    errors.clear();
  }
};

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

  // Adds refs.size() samples (refs[i], t_ms[i], values[i]) in order, with
  // the same semantics and errors as calling Append(ref, t, v) for each,
  // but faster: the series of later samples are loaded ahead while earlier
  // ones are checked. Refused samples are listed in *report (cleared
  // first) and leave the batch usable; the others are pending until
  // Commit writes them to the WAL, together with anything appended
  // before, as one record. Returns InvalidArgument, adding nothing, if the
  // spans differ in length, and any error that is not a per-sample refusal
  // (e.g. Unavailable: the DB is closed) as Append would.
  virtual Status AppendBatch(std::span<const SeriesRef> refs,
                             std::span<const int64_t> t_ms,
                             std::span<const double> values,
                             AppendBatchReport* report);

  // Adds an exemplar to the series `ref`, or when `ref` is 0 or unknown,
  // to the existing series with `labels` (a series is never created for
  // an exemplar: NotFound). Checked now against the stored exemplars, as
  // Prometheus's AppendExemplar: an exemplar equal to the series' newest
  // is accepted as a no-op, as is any exemplar while exemplar storage is
  // off (Options::max_exemplars 0); OutOfOrder if not newer than the
  // series' newest stored one; InvalidArgument if its labels exceed
  // kExemplarMaxLabelSetLength characters. Commit logs it after the
  // batch's samples, in the same WAL write, then stores it. Returns the
  // series' reference. Empty label values are dropped first.
  virtual StatusOr<SeriesRef> AppendExemplar(SeriesRef ref,
                                             const Labels& labels,
                                             const Exemplar& exemplar) {
    (void)ref;
    (void)labels;
    (void)exemplar;
    return Status::NotSupported("this appender does not store exemplars");
  }

  // Prometheus's AppendHistogram: one native histogram sample, exactly one
  // of `h` (integer counts) and `fh` (float counts) non-null; copied, not
  // kept. InvalidArgument if both or neither are given or the histogram
  // fails ValidateHistogram / ValidateFloatHistogram (Prometheus's error
  // text); otherwise the same ordering, bounds and duplicate rules as
  // Append (a duplicate is a histogram equal in every field). A series may
  // hold floats and histograms at different times, as in Prometheus.
  // NotSupported while native histograms are off
  // (Options::enable_native_histograms), as Prometheus's
  // ErrNativeHistogramsDisabled.
  virtual StatusOr<SeriesRef> AppendHistogram(const Labels& labels,
                                              int64_t t_ms, const Histogram* h,
                                              const FloatHistogram* fh) {
    (void)labels;
    (void)t_ms;
    (void)h;
    (void)fh;
    return Status::NotSupported("native histograms are disabled");
  }
  // NotFound if `ref` is unknown (e.g. garbage collected): retry by labels.
  virtual StatusOr<SeriesRef> AppendHistogram(SeriesRef ref, int64_t t_ms,
                                              const Histogram* h,
                                              const FloatHistogram* fh) {
    (void)ref;
    (void)t_ms;
    (void)h;
    (void)fh;
    return Status::NotSupported("native histograms are disabled");
  }

  // Writes the batch to the WAL, then makes it visible to queries. When this
  // returns OK, the samples are durable per Options::wal_sync. On error the
  // batch may or may not be durable (e.g. a failed fsync); its samples are
  // then either all visible or none.
  // The Appender is empty and reusable afterwards either way.
  virtual Status Commit() = 0;
  // Drops the pending samples.
  virtual void Rollback() = 0;

  // Samples buffered since the last Commit/Rollback (exemplars not
  // counted).
  virtual size_t pending() const = 0;
};

inline Status SampleError::ToStatus() const {
  switch (code) {
    case StatusCode::kOutOfOrder:
      return Status::OutOfOrder("out of order sample");
    case StatusCode::kOutOfBounds:
      return Status::OutOfBounds("out of bounds");
    case StatusCode::kTooOldSample:
      return Status::TooOldSample("too old sample");
    case StatusCode::kDuplicateSample:
      return Status::DuplicateSample("duplicate sample for timestamp");
    case StatusCode::kNotFound:
      return Status::NotFound("unknown series ref");
    default:
      return Status(code, StatusCodeName(code));
  }
}

// The default AppendBatch: Append(ref, ...) one sample at a time.
inline Status Appender::AppendBatch(std::span<const SeriesRef> refs,
                                    std::span<const int64_t> t_ms,
                                    std::span<const double> values,
                                    AppendBatchReport* report) {
  report->Clear();
  if (refs.size() != t_ms.size() || refs.size() != values.size()) {
    return Status::InvalidArgument("append batch: spans differ in length");
  }
  for (size_t i = 0; i < refs.size(); ++i) {
    StatusOr<SeriesRef> r = Append(refs[i], t_ms[i], values[i]);
    if (r.ok()) {
      ++report->appended;
      continue;
    }
    switch (r.status().code()) {
      case StatusCode::kOutOfOrder:
      case StatusCode::kOutOfBounds:
      case StatusCode::kTooOldSample:
      case StatusCode::kDuplicateSample:
      case StatusCode::kNotFound:
        report->errors.push_back({i, r.status().code()});
        break;
      default:
        return r.status();
    }
  }
  return Status::OK();
}

}  // namespace strata

#endif  // STRATA_APPENDER_H_
