// ScanSeries: visits, in label order and once each, every series matching
// any of several selectors (their union, as promtool tsdb dump --match
// takes them) with samples in [mint, maxt].
//
// Thread-safety: one thread per call.
#ifndef STRATA_INSPECT_SERIES_SCAN_H_
#define STRATA_INSPECT_SERIES_SCAN_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "strata/labels.h"
#include "strata/querier.h"
#include "strata/status.h"

namespace strata::inspect {

// `fn` gets each series; its error stops the scan and is returned.
Status ScanSeries(Querier& querier,
                  const std::vector<std::vector<Matcher>>& selectors,
                  const std::function<Status(const Series&)>& fn);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_SERIES_SCAN_H_
