// WalHeadLoader's native histogram records (wal_head_loader.h). They are
// replayed whatever Options::enable_native_histograms says: that flag only
// gates new appends.
#include "db/wal_head_loader.h"

namespace strata {

Status WalHeadLoader::LoadHistograms(std::string_view record) {
  histograms_.clear();
  STRATA_RETURN_IF_ERROR(wal::DecodeHistogramSamples(record, &histograms_));
  for (wal::RefHistogramSample& s : histograms_) {
    SeriesId id = 0;
    MemSeries* series = ReplayTarget(s.ref, s.t, &id);
    if (series == nullptr) continue;
    ordered_series_.insert(id);
    ordered_.push_back(
        {series, s.t, 0, std::make_unique<Histogram>(std::move(s.h)), nullptr});
  }
  return Status::OK();
}

Status WalHeadLoader::LoadFloatHistograms(std::string_view record) {
  float_histograms_.clear();
  STRATA_RETURN_IF_ERROR(
      wal::DecodeFloatHistogramSamples(record, &float_histograms_));
  for (wal::RefFloatHistogramSample& s : float_histograms_) {
    SeriesId id = 0;
    MemSeries* series = ReplayTarget(s.ref, s.t, &id);
    if (series == nullptr) continue;
    ordered_series_.insert(id);
    ordered_.push_back({series, s.t, 0, nullptr,
                        std::make_unique<FloatHistogram>(std::move(s.fh))});
  }
  return Status::OK();
}

void WalHeadLoader::AppendOrdered() {
  for (const OrderedSample& s : ordered_) {
    AppendBatchResult r;
    if (s.h == nullptr && s.fh == nullptr) {
      const HeadSample one{s.series, s.t, s.v};
      r = head_->AppendBatch({&one, 1});
    } else {
      const HeadHistogramSample one{s.series, s.t, s.h.get(), s.fh.get()};
      r = head_->AppendHistogramBatch({&one, 1});
    }
    // As the workers count: a duplicate was acknowledged once.
    counts_.samples += r.appended + r.duplicates;
    counts_.samples_rejected += r.out_of_order + r.conflicts;
  }
  ordered_.clear();
  ordered_series_.clear();
}

}  // namespace strata
