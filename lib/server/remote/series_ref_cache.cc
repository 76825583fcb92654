#include "server/remote/series_ref_cache.h"

#include <algorithm>

#include "util/coding.h"
#include "xxhash.h"

namespace strata::server {
namespace {

// How far ahead GetMany prefetches; enough to overlap a few memory
// latencies, small enough to stay in L1.
constexpr size_t kPrefetchDistance = 8;

}  // namespace

SeriesRefCache::SeriesRefCache(size_t max_entries)
    : max_entries_(std::max<size_t>(1, max_entries)) {}

std::string_view SeriesRefCache::KeyBytes(const WireSeries& series,
                                          std::span<const WireLabel> labels,
                                          std::string* scratch) {
  if (!series.label_bytes.empty()) return series.label_bytes;
  scratch->clear();
  scratch->push_back('\0');
  for (const WireLabel& l : labels) {
    PutLengthPrefixed(scratch, l.name);
    PutLengthPrefixed(scratch, l.value);
  }
  return *scratch;
}

SeriesRefCache::Key SeriesRefCache::KeyOf(std::string_view key_bytes,
                                          uint64_t seed) {
  const XXH128_hash_t h =
      XXH3_128bits_withSeed(key_bytes.data(), key_bytes.size(), seed);
  return Key{h.low64, h.high64};
}

void SeriesRefCache::GetMany(std::span<const Key> keys, SeriesRef* refs) const {
  ReaderMutexLock lock(&mu_);
  for (size_t i = 0; i < std::min(kPrefetchDistance, keys.size()); ++i) {
    map_.prefetch(keys[i].lo);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i + kPrefetchDistance < keys.size()) {
      map_.prefetch(keys[i + kPrefetchDistance].lo);
    }
    auto it = map_.find(keys[i].lo);
    refs[i] =
        it != map_.end() && it->second.hi == keys[i].hi ? it->second.ref : 0;
  }
}

SeriesRef SeriesRefCache::Get(const Key& key) const {
  SeriesRef ref;
  GetMany({&key, 1}, &ref);
  return ref;
}

void SeriesRefCache::Put(const Key& key, SeriesRef ref) {
  const std::pair<Key, SeriesRef> entry(key, ref);
  PutMany({&entry, 1});
}

void SeriesRefCache::PutMany(
    std::span<const std::pair<Key, SeriesRef>> entries) {
  if (entries.empty()) return;
  MutexLock lock(&mu_);
  for (const auto& [key, ref] : entries) {
    if (map_.size() >= max_entries_) map_.clear();
    // A key colliding in its low half replaces the older entry; GetMany
    // checks the high half, so that only costs a miss.
    map_.insert_or_assign(key.lo, Value{key.hi, ref});
  }
  size_.store(map_.size(), std::memory_order_relaxed);
}

void SeriesRefCache::Clear() {
  MutexLock lock(&mu_);
  map_.clear();
  size_.store(0, std::memory_order_relaxed);
}

}  // namespace strata::server
