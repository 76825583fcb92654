#include "batch.h"

#include <string>

namespace strata::python {

Status AppendSeries(Appender& appender, const Labels& labels,
                    std::span<const int64_t> t, std::span<const double> v) {
  SeriesRef ref = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    StatusOr<SeriesRef> added = ref == 0 ? appender.Append(labels, t[i], v[i])
                                         : appender.Append(ref, t[i], v[i]);
    if (!added.ok()) {
      appender.Rollback();
      return added.status().WithContext("sample " + std::to_string(i) +
                                        " (t=" + std::to_string(t[i]) + ")");
    }
    ref = *added;
  }
  return Status::OK();
}

namespace {

Status ReadSamples(const Series& series, SeriesSamples* out) {
  std::unique_ptr<SampleIterator> it = series.NewIterator();
  while (it->Next()) {
    out->t.push_back(it->t());
    out->v.push_back(it->v());
  }
  return it->status();
}

}  // namespace

StatusOr<std::vector<SeriesSamples>> SelectSeries(
    DB& db, const std::vector<Matcher>& matchers, int64_t mint, int64_t maxt) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Querier> querier,
                          db.NewQuerier(mint, maxt));
  std::unique_ptr<SeriesSet> set = querier->Select(matchers);
  std::vector<SeriesSamples> out;
  while (set->Next()) {
    SeriesSamples& series = out.emplace_back();
    series.labels = set->At().labels();
    STRATA_RETURN_IF_ERROR(ReadSamples(set->At(), &series));
  }
  STRATA_RETURN_IF_ERROR(set->status());
  return out;
}

}  // namespace strata::python
