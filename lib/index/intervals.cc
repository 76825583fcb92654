#include "index/intervals.h"

#include <algorithm>

namespace strata {

void AddInterval(Intervals* in, Interval n) {
  // First interval that ends at or after n.mint - 1 (touching counts).
  auto lo = std::lower_bound(in->begin(), in->end(), n.mint,
                             [](const Interval& iv, int64_t mint) {
                               return mint != kMinTime && iv.maxt < mint - 1;
                             });
  // First interval starting after n.maxt + 1.
  auto hi = std::upper_bound(lo, in->end(), n.maxt,
                             [](int64_t maxt, const Interval& iv) {
                               return maxt != kMaxTime && iv.mint > maxt + 1;
                             });
  if (lo == hi) {
    in->insert(lo, n);
    return;
  }
  Interval merged{std::min(n.mint, lo->mint), std::max(n.maxt, (hi - 1)->maxt)};
  *lo = merged;
  in->erase(lo + 1, hi);
}

bool CoveredBy(const Intervals& intervals, Interval range) {
  return std::any_of(
      intervals.begin(), intervals.end(), [&](const Interval& iv) {
        return iv.Contains(range.mint) && iv.Contains(range.maxt);
      });
}

}  // namespace strata
