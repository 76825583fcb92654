#include "inspect/series_scan.h"

#include <memory>

namespace strata::inspect {

Status ScanSeries(Querier& querier,
                  const std::vector<std::vector<Matcher>>& selectors,
                  const std::function<Status(const Series&)>& fn) {
  std::vector<std::unique_ptr<SeriesSet>> sets;
  std::vector<bool> live;
  for (const std::vector<Matcher>& m : selectors) {
    sets.push_back(querier.Select(m));
    live.push_back(sets.back()->Next());
    if (!live.back()) STRATA_RETURN_IF_ERROR(sets.back()->status());
  }
  while (true) {
    // The smallest current series; equal ones advance together.
    int min = -1;
    for (size_t i = 0; i < sets.size(); ++i) {
      if (!live[i]) continue;
      if (min < 0 || sets[i]->At().labels() < sets[min]->At().labels()) {
        min = static_cast<int>(i);
      }
    }
    if (min < 0) return Status::OK();
    STRATA_RETURN_IF_ERROR(fn(sets[min]->At()));
    const Labels done = sets[min]->At().labels();
    for (size_t i = 0; i < sets.size(); ++i) {
      if (live[i] &&
          (static_cast<int>(i) == min || sets[i]->At().labels() == done)) {
        live[i] = sets[i]->Next();
        if (!live[i]) STRATA_RETURN_IF_ERROR(sets[i]->status());
      }
    }
  }
}

}  // namespace strata::inspect
