#include "db/series_grouping.h"

#include <algorithm>
#include <array>
#include <bit>
#include <utility>

namespace strata {

void SeriesGrouper::Group(std::vector<HeadSample>* samples,
                          const std::vector<uint32_t>& ids) {
  const size_t n = samples->size();
  if (n < 2) return;
  const uint32_t max_id = *std::max_element(ids.begin(), ids.end());
  // The smallest shift that leaves at most kMaxGroups groups, and at least
  // kSeriesPerGroup ids in each.
  int shift = std::bit_width(kSeriesPerGroup - 1);
  while ((max_id >> shift) >= kMaxGroups) ++shift;
  const size_t groups = (max_id >> shift) + 1;
  if (groups == 1) return;
  std::array<size_t, kMaxGroups> start{};
  for (uint32_t id : ids) ++start[id >> shift];
  size_t sum = 0;
  for (size_t g = 0; g < groups; ++g) sum += std::exchange(start[g], sum);
  scratch_.resize(n);
  const HeadSample* in = samples->data();
  HeadSample* out = scratch_.data();
  for (size_t i = 0; i < n; ++i) out[start[ids[i] >> shift]++] = in[i];
  samples->swap(scratch_);
}

}  // namespace strata
