#include "server/series_ref_cache.h"

#include <algorithm>

#include "util/coding.h"
#include "xxhash.h"

namespace strata::server {

SeriesRefCache::SeriesRefCache(size_t max_entries)
    : max_per_shard_(std::max<size_t>(1, max_entries / kShards)) {}

uint64_t SeriesRefCache::Hash(std::span<const WireLabel> labels) {
  // Chained seeds keep the boundaries between names and values: ("ab","c")
  // and ("a","bc") hash differently.
  uint64_t h = labels.size();
  for (const WireLabel& l : labels) {
    h = XXH3_64bits_withSeed(l.name.data(), l.name.size(), h);
    h = XXH3_64bits_withSeed(l.value.data(), l.value.size(), h ^ 0xff);
  }
  return h;
}

bool SeriesRefCache::KeyEquals(std::string_view key,
                               std::span<const WireLabel> labels) {
  for (const WireLabel& l : labels) {
    std::string_view part;
    if (!GetLengthPrefixed(&key, &part) || part != l.name) return false;
    if (!GetLengthPrefixed(&key, &part) || part != l.value) return false;
  }
  return key.empty();
}

SeriesRef SeriesRefCache::Get(uint64_t hash,
                              std::span<const WireLabel> labels) const {
  Shard& shard = ShardFor(hash);
  absl::ReaderMutexLock lock(&shard.mu);
  auto it = shard.map.find(hash);
  if (it == shard.map.end() || !KeyEquals(it->second.key, labels)) return 0;
  return it->second.ref;
}

void SeriesRefCache::Put(uint64_t hash, std::span<const WireLabel> labels,
                         SeriesRef ref) {
  Entry entry;
  entry.ref = ref;
  for (const WireLabel& l : labels) {
    PutLengthPrefixed(&entry.key, l.name);
    PutLengthPrefixed(&entry.key, l.value);
  }
  Shard& shard = ShardFor(hash);
  absl::MutexLock lock(&shard.mu);
  if (shard.map.size() >= max_per_shard_) {
    size_.fetch_sub(shard.map.size(), std::memory_order_relaxed);
    shard.map.clear();
  }
  // A colliding hash replaces the older entry; Get compares keys, so a
  // collision only costs a miss.
  auto [it, inserted] = shard.map.insert_or_assign(hash, std::move(entry));
  (void)it;
  if (inserted) size_.fetch_add(1, std::memory_order_relaxed);
}

void SeriesRefCache::Clear() {
  for (Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    size_.fetch_sub(shard.map.size(), std::memory_order_relaxed);
    shard.map.clear();
  }
}

}  // namespace strata::server
