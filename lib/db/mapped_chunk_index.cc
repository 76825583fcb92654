#include "db/mapped_chunk_index.h"

#include <algorithm>

namespace strata {
namespace {

// Dense when the offset array is at most this many slots per chunk (plus a
// constant): 1M series with 3 chunks each are 4 MB of offsets.
constexpr uint64_t kDenseSlotsPerChunk = 4;
constexpr uint64_t kDenseSlack = 4096;

}  // namespace

void MappedChunkIndex::Add(uint64_t series_ref, const MappedChunk& chunk) {
  entries_.push_back({series_ref, chunk});
  max_ref_ = std::max(max_ref_, series_ref);
}

void MappedChunkIndex::Build() {
  dense_ = max_ref_ <= kDenseSlotsPerChunk * entries_.size() + kDenseSlack &&
           entries_.size() < UINT32_MAX;
  if (dense_) {
    BuildDense();
  } else {
    BuildSparse();
  }
  entries_ = std::vector<Entry>();
}

void MappedChunkIndex::BuildDense() {
  begin_.assign(max_ref_ + 2, 0);
  for (const Entry& e : entries_) ++begin_[e.series_ref + 1];
  for (size_t r = 1; r < begin_.size(); ++r) {
    if (begin_[r] > 0) ++num_series_;
    begin_[r] += begin_[r - 1];
  }
  chunks_.resize(entries_.size());
  // Placed at each series' next free slot, so file order is kept.
  std::vector<uint32_t> next(begin_.begin(), begin_.end() - 1);
  for (const Entry& e : entries_) chunks_[next[e.series_ref]++] = e.chunk;
}

void MappedChunkIndex::BuildSparse() {
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) {
                     return a.series_ref < b.series_ref;
                   });
  chunks_.reserve(entries_.size());
  refs_.reserve(entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i == 0 || entries_[i].series_ref != entries_[i - 1].series_ref)
      ++num_series_;
    chunks_.push_back(entries_[i].chunk);
    refs_.push_back(entries_[i].series_ref);
  }
}

std::span<const MappedChunk> MappedChunkIndex::AllOf(
    uint64_t series_ref) const {
  if (dense_) {
    if (series_ref > max_ref_) return {};
    return std::span<const MappedChunk>(chunks_).subspan(
        begin_[series_ref], begin_[series_ref + 1] - begin_[series_ref]);
  }
  const auto [lo, hi] =
      std::equal_range(refs_.begin(), refs_.end(), series_ref);
  return std::span<const MappedChunk>(chunks_).subspan(
      static_cast<size_t>(lo - refs_.begin()), static_cast<size_t>(hi - lo));
}

std::span<const MappedChunk> MappedChunkIndex::OrderedPrefixOf(
    uint64_t series_ref) const {
  const std::span<const MappedChunk> all = AllOf(series_ref);
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i].mint <= all[i - 1].maxt) return all.first(i);
  }
  return all;
}

}  // namespace strata
