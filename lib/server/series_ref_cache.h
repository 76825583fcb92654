// SeriesRefCache: remembers which SeriesRef a label set got, keyed by the
// labels exactly as they arrived on the wire, like Prometheus's scrape
// cache. A hit skips building, validating and hashing a Labels object and
// appends through Appender::Append(SeriesRef, ...), which is what makes
// remote write ingest cheap for the series a sender repeats every batch.
//
// Only label sets that were validated and accepted are ever put in, so a
// hit needs no validation. A ref can go stale when the head garbage
// collects its series; Append then returns NotFound and the caller falls
// back to the labels and Puts the new ref.
//
// Thread-safety: safe to use concurrently (sharded, one mutex per shard).
#ifndef STRATA_SERVER_SERIES_REF_CACHE_H_
#define STRATA_SERVER_SERIES_REF_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "server/remote_write_decoder.h"
#include "strata/appender.h"

namespace strata::server {

class SeriesRefCache {
 public:
  // Holds at most about `max_entries`; a full shard is emptied and refills
  // (the series stay in the DB, only the shortcut is lost).
  explicit SeriesRefCache(size_t max_entries);
  SeriesRefCache(const SeriesRefCache&) = delete;
  SeriesRefCache& operator=(const SeriesRefCache&) = delete;

  // The key hash of `labels`, in wire order.
  static uint64_t Hash(std::span<const WireLabel> labels);

  // The cached ref for exactly these labels, or 0.
  SeriesRef Get(uint64_t hash, std::span<const WireLabel> labels) const;
  void Put(uint64_t hash, std::span<const WireLabel> labels, SeriesRef ref);
  // Forgets everything (e.g. when another DB is attached).
  void Clear();

  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kShards = 64;

  struct Entry {
    // The labels as varint-length-prefixed names and values, in order.
    std::string key;
    SeriesRef ref = 0;
  };
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<uint64_t, Entry> map ABSL_GUARDED_BY(mu);
  };

  static bool KeyEquals(std::string_view key,
                        std::span<const WireLabel> labels);
  Shard& ShardFor(uint64_t hash) const {
    return shards_[(hash >> 58) % kShards];
  }

  // Constant after construction.
  const size_t max_per_shard_;

  mutable std::array<Shard, kShards> shards_;
  std::atomic<size_t> size_{0};
};

}  // namespace strata::server

#endif  // STRATA_SERVER_SERIES_REF_CACHE_H_
