#include "inspect/export.h"

#include <memory>

#include "inspect/block_builder.h"
#include "inspect/series_scan.h"

namespace strata::inspect {

std::vector<Matcher> EveryNamedSeries() {
  StatusOr<Matcher> all =
      Matcher::Create(Matcher::Type::kRegexMatch, kMetricNameLabel, ".+");
  return {std::move(all).value()};
}

StatusOr<ExportReport> WriteSamples(const DataDir& dir,
                                    const SeriesSelection& selection,
                                    SampleWriter* out) {
  std::unique_ptr<Querier> q =
      dir.NewQuerier(selection.min_time, selection.max_time);
  STRATA_RETURN_IF_ERROR(
      ScanSeries(*q, selection.selectors,
                 [&](const Series& s) { return out->WriteSeries(s); }));
  STRATA_RETURN_IF_ERROR(out->Finish());
  ExportReport r;
  r.series = out->series();
  r.samples = out->samples();
  return r;
}

StatusOr<ExportReport> ExportBlocks(const DataDir& dir,
                                    const SeriesSelection& selection,
                                    const std::string& out_dir,
                                    int64_t block_range_ms) {
  FileSystem* fs = FileSystem::Default();
  if (fs->Exists(out_dir) && !fs->IsDirectory(out_dir)) {
    return Status::InvalidArgument(out_dir + " exists and is not a directory");
  }
  std::unique_ptr<Querier> q =
      dir.NewQuerier(selection.min_time, selection.max_time);
  BlockBuilderOptions bo;
  bo.block_range_ms = block_range_ms;
  BlockBuilder builder(out_dir, bo);
  ExportReport r;
  STRATA_RETURN_IF_ERROR(
      ScanSeries(*q, selection.selectors, [&](const Series& s) {
        ++r.series;
        return builder.AddSeries(s);
      }));
  STRATA_RETURN_IF_ERROR(builder.Finish());
  r.samples = builder.stats().samples;
  r.blocks = builder.stats().blocks;
  return r;
}

StatusOr<SelectionCount> CountSelected(const DataDir& dir,
                                       const SeriesSelection& selection,
                                       size_t max_named_series) {
  std::unique_ptr<Querier> q =
      dir.NewQuerier(selection.min_time, selection.max_time);
  SelectionCount c;
  STRATA_RETURN_IF_ERROR(
      ScanSeries(*q, selection.selectors, [&](const Series& s) {
        ++c.series;
        if (c.first_series.size() < max_named_series) {
          c.first_series.push_back(s.labels().ToString());
        }
        std::unique_ptr<SampleIterator> it = s.NewIterator();
        while (it->Next()) ++c.samples;
        return it->status();
      }));
  return c;
}

}  // namespace strata::inspect
