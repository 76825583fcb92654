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
    appenders_.AddHistogram(series, id, s.t, std::move(s.h));
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
    appenders_.AddHistogram(series, id, s.t, std::move(s.fh));
  }
  return Status::OK();
}

}  // namespace strata
