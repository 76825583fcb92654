// The head's two ways to find a series: by id (a lock-free segmented array,
// since ids are dense) and by label hash (striped hash maps; collisions are
// chained through MemSeries::next_in_bucket).
//
// Thread-safety: safe for concurrent use. Series are owned here and live
// until the map is destroyed or they are removed.
#ifndef STRATA_HEAD_SERIES_MAP_H_
#define STRATA_HEAD_SERIES_MAP_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "head/mem_series.h"
#include "util/mutex.h"

namespace strata {

class SeriesMap {
 public:
  SeriesMap();
  ~SeriesMap();
  SeriesMap(const SeriesMap&) = delete;
  SeriesMap& operator=(const SeriesMap&) = delete;

  // nullptr if absent.
  MemSeries* GetById(SeriesId id) const;
  // A cache-prefetch hint for the slot GetById(id) will read.
  void PrefetchId(SeriesId id) const {
    Segment* seg =
        segments_[id >> kSegmentBits].load(std::memory_order_relaxed);
    if (seg != nullptr)
      __builtin_prefetch(&seg->slots[id & (kSegmentSize - 1)]);
  }

  // The live series with these labels, nullptr if none.
  MemSeries* Get(uint64_t hash, const Labels& labels) const;

  // Returns the series with these labels, calling `make` to build one if
  // there is none: one lookup under the stripe lock, which `make` runs
  // under too (it may take locks ordered after it, such as the symbol
  // table's). `created` tells which happened.
  MemSeries* GetOrCreate(
      uint64_t hash, const Labels& labels,
      const std::function<std::unique_ptr<MemSeries>()>& make, bool* created);

  // Unlinks `s` from both lookups and hands over its ownership.
  std::unique_ptr<MemSeries> Remove(MemSeries* s);

  // Calls fn for every series (unordered). Do not create series from fn.
  void ForEach(const std::function<void(MemSeries*)>& fn) const;
  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  static constexpr int kSegmentBits = 16;
  static constexpr size_t kSegmentSize = size_t{1} << kSegmentBits;
  static constexpr size_t kNumSegments = size_t{1} << 16;
  static constexpr size_t kStripes = 4096;

  struct Segment {
    std::array<std::atomic<MemSeries*>, kSegmentSize> slots{};
  };
  struct Stripe {
    mutable Mutex mu;
    absl::flat_hash_map<uint64_t, MemSeries*> by_hash ABSL_GUARDED_BY(mu);
  };

  void SetById(SeriesId id, MemSeries* s);

  std::unique_ptr<std::atomic<Segment*>[]> segments_;
  Mutex segment_alloc_mu_;
  std::unique_ptr<Stripe[]> stripes_;
  std::atomic<size_t> size_{0};
};

}  // namespace strata

#endif  // STRATA_HEAD_SERIES_MAP_H_
