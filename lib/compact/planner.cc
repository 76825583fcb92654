#include "compact/planner.h"

#include <algorithm>
#include <numeric>

namespace strata {
namespace {

constexpr int64_t kMaxRangeMs = 31LL * 24 * 3600 * 1000;

struct Entry {
  size_t index;
  int64_t mint;
  int64_t maxt;  // Exclusive, as in meta.json.
};

// Groups of blocks (sorted by mint) that overlap one another.
std::vector<size_t> SelectOverlapping(const std::vector<Entry>& sorted) {
  std::vector<size_t> group;
  int64_t group_maxt = 0;
  for (const Entry& e : sorted) {
    if (!group.empty() && e.mint < group_maxt) {
      group.push_back(e.index);
      group_maxt = std::max(group_maxt, e.maxt);
      continue;
    }
    if (group.size() > 1) return group;
    group = {e.index};
    group_maxt = e.maxt;
  }
  if (group.size() > 1) return group;
  return {};
}

}  // namespace

int64_t AlignDown(int64_t t, int64_t r) {
  int64_t q = t / r;
  if (t % r != 0 && t < 0) --q;
  return q * r;
}

std::vector<int64_t> CompactionRanges(int64_t block_duration_ms,
                                      int64_t retention_ms) {
  int64_t max_range = kMaxRangeMs;
  if (retention_ms > 0) max_range = std::min(max_range, retention_ms / 10);
  std::vector<int64_t> ranges;
  int64_t r = block_duration_ms;
  for (int i = 0; i < 10; ++i) {
    if (i > 0 && r > max_range) break;
    ranges.push_back(r);
    r *= 3;
  }
  return ranges;
}

std::vector<size_t> PlanCompaction(const std::vector<BlockMeta>& metas,
                                   const std::vector<int64_t>& ranges) {
  std::vector<Entry> sorted;
  for (size_t i = 0; i < metas.size(); ++i) {
    if (metas[i].compaction.failed) continue;
    sorted.push_back({i, metas[i].min_time, metas[i].max_time});
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Entry& a, const Entry& b) { return a.mint < b.mint; });
  if (std::vector<size_t> o = SelectOverlapping(sorted); !o.empty()) return o;
  if (sorted.size() < 2) return {};
  // Leave the newest block alone.
  sorted.pop_back();
  const int64_t high_time = sorted.back().mint;
  for (size_t ri = 1; ri < ranges.size(); ++ri) {
    const int64_t r = ranges[ri];
    // Split into groups of blocks inside one aligned range [t0, t0 + r].
    for (size_t i = 0; i < sorted.size();) {
      const int64_t t0 = AlignDown(sorted[i].mint, r);
      if (sorted[i].maxt > t0 + r) {
        ++i;  // Misaligned, or already a multiple of this range.
        continue;
      }
      size_t end = i;
      while (end < sorted.size() && sorted[end].maxt <= t0 + r) ++end;
      const int64_t mint = sorted[i].mint;
      const int64_t maxt = sorted[end - 1].maxt;
      // A group spanning the whole range, or wholly before the newest
      // block, is complete; compacting earlier would be premature.
      if (end - i > 1 && (maxt - mint == r || maxt <= high_time)) {
        std::vector<size_t> out;
        for (size_t k = i; k < end; ++k) out.push_back(sorted[k].index);
        return out;
      }
      i = end;
    }
  }
  return {};
}

}  // namespace strata
