// Operations on deleted-time intervals (index/reader.h's Interval), shared
// by the head's and the blocks' tombstones.
#ifndef STRATA_INDEX_INTERVALS_H_
#define STRATA_INDEX_INTERVALS_H_

#include "index/reader.h"

namespace strata {

// Adds `iv` to sorted, disjoint intervals, merging it with every interval
// it overlaps or touches (timestamps are discrete, so [1,2] and [3,4]
// become [1,4]), as Prometheus's Intervals.Add.
void AddInterval(Intervals* intervals, Interval iv);

// True if one of `intervals` contains all of `range` (both ends), as
// Prometheus's Interval.IsSubrange: a chunk so covered has no sample left.
bool CoveredBy(const Intervals& intervals, Interval range);

}  // namespace strata

#endif  // STRATA_INDEX_INTERVALS_H_
