#include "batch.h"

#include <algorithm>
#include <string>
#include <vector>

namespace strata::python {

namespace {

// Rolls the pending batch back and returns `refusal` naming sample i.
Status Refuse(Appender& appender, const Status& refusal, size_t i,
              std::span<const int64_t> t) {
  appender.Rollback();
  return refusal.WithContext("sample " + std::to_string(i) +
                             " (t=" + std::to_string(t[i]) + ")");
}

}  // namespace

Status AppendSeries(Appender& appender, const Labels& labels,
                    std::span<const int64_t> t, std::span<const double> v) {
  if (t.empty()) return Status::OK();
  StatusOr<SeriesRef> ref = appender.Append(labels, t[0], v[0]);
  if (!ref.ok()) return Refuse(appender, ref.status(), 0, t);
  // The rest by ref, in AppendBatch calls of at most kChunk samples. A
  // refusal rolls everything back, so samples added after the first
  // refused one in the same call do not matter.
  constexpr size_t kChunk = 4096;
  const std::vector<SeriesRef> refs(std::min(kChunk, t.size() - 1), *ref);
  AppendBatchReport report;
  for (size_t begin = 1; begin < t.size(); begin += kChunk) {
    const size_t n = std::min(kChunk, t.size() - begin);
    Status st =
        appender.AppendBatch(std::span(refs).first(n), t.subspan(begin, n),
                             v.subspan(begin, n), &report);
    if (!st.ok()) return Refuse(appender, st, begin, t);
    if (!report.errors.empty()) {
      const SampleError& e = report.errors.front();
      return Refuse(appender, e.ToStatus(), begin + e.index, t);
    }
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
