#include "ruletest/input_loader.h"

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "util/strings.h"

namespace strata::ruletest {
StatusOr<InputLoader> InputLoader::Create(
    int64_t interval_ms, const std::vector<InputSeries>& input) {
  InputLoader loader;
  std::map<Labels, size_t> index;
  for (size_t i = 0; i < input.size(); ++i) {
    // promtool writes "  <series> <values>"; the loader trims each line
    // and takes a comment or an empty line as the end of the command.
    const std::string line =
        std::string(TrimSpace(Cat(input[i].series, " ", input[i].values)));
    if (line.empty() || line[0] == '#') break;
    StatusOr<promql::SeriesDesc> desc = promql::ParseSeriesDesc(line);
    // Positioned in the series' own text: Prometheus's LineOffset fix-up
    // misses the ParseErrors that ParseSeriesDesc returns.
    if (!desc.ok()) return desc.status();
    Series series;
    series.labels = desc->labels;
    int64_t t = 0;
    for (const promql::SequenceValue& v : desc->values) {
      // A test without `interval` loads every value at t=0; Prometheus's
      // head keeps the first sample of a timestamp and drops the others.
      if (!v.omitted &&
          (series.samples.empty() || series.samples.back().t < t)) {
        series.samples.push_back({t, v.value});
      }
      t += interval_ms;
    }
    auto [it, inserted] = index.emplace(series.labels, loader.series_.size());
    if (inserted) {
      loader.series_.push_back(std::move(series));
    } else {
      loader.series_[it->second] = std::move(series);
    }
  }
  return loader;
}

Status InputLoader::AppendTill(DB& db, int64_t ts_ms) {
  std::unique_ptr<Appender> app = db.NewAppender();
  for (Series& s : series_) {
    while (s.next < s.samples.size() && s.samples[s.next].t <= ts_ms) {
      const Sample& sample = s.samples[s.next];
      StatusOr<SeriesRef> ref = app->Append(s.labels, sample.t, sample.v);
      if (!ref.ok()) return Status::InvalidArgument(ref.status().message());
      ++s.next;
    }
  }
  return app->Commit();
}

}  // namespace strata::ruletest
