// HeadAppender's native histogram samples (head_appender.h), as Prometheus
// 2.42's headAppender.AppendHistogram: refused while native histograms are
// off, validated, checked against the series' newest sample (out of
// bounds, out of order, duplicates; no out-of-order window for
// histograms), logged as WAL records 7 and 8 after the batch's floats and
// exemplars, and applied after its floats.
#include "head/head_appender.h"

namespace strata {

namespace {

// MemSeries::SetPending's value bits for a pending histogram: a NaN
// payload no float sample is expected to carry, so a float at the same
// time in the batch conflicts with it.
constexpr uint64_t kPendingHistogramBits = 0x7ff4f1a5c0ffee01ULL;

}  // namespace

Status HeadAppender::CheckHistogramArgs(const Histogram* h,
                                        const FloatHistogram* fh) const {
  if (!head_->NativeHistogramsEnabled()) {
    return Status::NotSupported("native histograms are disabled");
  }
  if ((h == nullptr) == (fh == nullptr)) {
    return Status::InvalidArgument(
        "append histogram: exactly one of the integer and float histogram "
        "is required");
  }
  return h != nullptr ? ValidateHistogram(*h) : ValidateFloatHistogram(*fh);
}

StatusOr<SeriesRef> HeadAppender::AppendHistogram(const Labels& labels,
                                                  int64_t t, const Histogram* h,
                                                  const FloatHistogram* fh) {
  STRATA_RETURN_IF_ERROR(CheckHistogramArgs(h, fh));
  if (labels.empty()) return Status::InvalidArgument("empty label set");
  BeginBatch();
  // As Append: a series removed by truncation meanwhile is created anew.
  for (int attempt = 0;; ++attempt) {
    bool created = false;
    MemSeries* s = head_->GetOrCreate(labels, &created);
    StatusOr<SeriesRef> ref = AppendHistogramTo(s, t, h, fh);
    if (ref.ok() || !ref.status().IsNotFound() || attempt >= 100) return ref;
  }
}

StatusOr<SeriesRef> HeadAppender::AppendHistogram(SeriesRef ref, int64_t t,
                                                  const Histogram* h,
                                                  const FloatHistogram* fh) {
  STRATA_RETURN_IF_ERROR(CheckHistogramArgs(h, fh));
  BeginBatch();
  MemSeries* s = Resolve(ref);
  if (s == nullptr) return Status::NotFound("unknown series ref");
  return AppendHistogramTo(s, t, h, fh);
}

bool HeadAppender::PendingHistogramEquals(SeriesId id, const Histogram* h,
                                          const FloatHistogram* fh) const {
  auto it = pending_histogram_.find(id);
  if (it == pending_histogram_.end()) return false;
  if (it->second >= 0) {
    return h != nullptr &&
           chunk::HistogramsEqual(
               *h, histograms_[static_cast<size_t>(it->second)].h);
  }
  return fh != nullptr &&
         chunk::HistogramsEqual(
             *fh, float_histograms_[static_cast<size_t>(-1 - it->second)].fh);
}

StatusOr<SeriesRef> HeadAppender::AppendHistogramTo(MemSeries* s, int64_t t,
                                                    const Histogram* h,
                                                    const FloatHistogram* fh) {
  const SeriesId id = s->id();
  StatusCode code = StatusCode::kOk;
  AppendOutcome outcome = AppendOutcome::kAppended;
  const bool in_batch = s->HasPending(token_);
  if (t < min_valid_time_) {
    head_->counters().out_of_bounds.fetch_add(1, std::memory_order_relaxed);
    code = StatusCode::kOutOfBounds;
  } else if (in_batch) {
    const int64_t last_t = s->pending_t();
    outcome = t > last_t   ? AppendOutcome::kAppended
              : t < last_t ? AppendOutcome::kOutOfOrder
              : s->pending_bits() == kPendingHistogramBits &&
                      PendingHistogramEquals(id, h, fh)
                  ? AppendOutcome::kDuplicate
                  : AppendOutcome::kConflict;
  } else if (t <= s->max_time_hint()) {
    outcome = s->CheckHistogram(t, h, fh);
  }
  switch (outcome) {
    case AppendOutcome::kAppended:
      break;
    case AppendOutcome::kDuplicate:
      return SeriesRef{id};
    case AppendOutcome::kOutOfOrder:
      head_->counters().out_of_order.fetch_add(1, std::memory_order_relaxed);
      code = StatusCode::kOutOfOrder;
      break;
    case AppendOutcome::kConflict:
      head_->counters().duplicates.fetch_add(1, std::memory_order_relaxed);
      code = StatusCode::kDuplicateSample;
      break;
    case AppendOutcome::kRemoved:  // Only MemSeries::Append says so.
      code = StatusCode::kNotFound;
      break;
  }
  if (code != StatusCode::kOk) return SampleError{0, code}.ToStatus();
  // Pinned for each histogram, even when the batch has float samples for
  // the series already: those hold no pin, and histograms are not revived
  // at commit.
  if (!s->PinForCommit()) return Status::NotFound("series was truncated");
  pinned_.push_back(s);
  if (!in_batch && !s->wal_logged()) new_series_.push_back(s);
  s->SetPending(token_, t, kPendingHistogramBits);
  if (h != nullptr) {
    pending_histogram_[id] = static_cast<int64_t>(histograms_.size());
    histograms_.push_back({id, t, *h});
    histogram_series_.push_back(s);
  } else {
    pending_histogram_[id] =
        -1 - static_cast<int64_t>(float_histograms_.size());
    float_histograms_.push_back({id, t, *fh});
    float_histogram_series_.push_back(s);
  }
  return SeriesRef{id};
}

size_t HeadAppender::EncodeHistogramRecords(size_t n) {
  if (!histograms_.empty()) {
    records_[n].clear();
    wal::EncodeHistogramSamples(histograms_, &records_[n++]);
  }
  if (!float_histograms_.empty()) {
    records_[n].clear();
    wal::EncodeFloatHistogramSamples(float_histograms_, &records_[n++]);
  }
  return n;
}

AppendBatchResult HeadAppender::ApplyHistograms() {
  if (histograms_.empty() && float_histograms_.empty()) return {};
  std::vector<HeadHistogramSample> batch;
  batch.reserve(histograms_.size() + float_histograms_.size());
  for (size_t i = 0; i < histograms_.size(); ++i) {
    batch.push_back(
        {histogram_series_[i], histograms_[i].t, &histograms_[i].h, nullptr});
  }
  for (size_t i = 0; i < float_histograms_.size(); ++i) {
    batch.push_back({float_histogram_series_[i], float_histograms_[i].t,
                     nullptr, &float_histograms_[i].fh});
  }
  return head_->AppendHistogramBatch(batch);
}

}  // namespace strata
