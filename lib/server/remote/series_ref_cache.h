// SeriesRefCache: remembers which SeriesRef a label set got, keyed by the
// labels exactly as they arrived on the wire, like Prometheus's scrape
// cache. A hit skips decoding the labels, building, validating and hashing
// a Labels object, and appends through Appender::Append(SeriesRef, ...),
// which is what makes remote write ingest cheap for the series a sender
// repeats every batch.
//
// Keys are 128-bit XXH3 fingerprints of the series' key bytes (see KeyOf):
// storing them instead of the bytes keeps an entry in one cache line, so a
// lookup costs one memory access. Two different label encodings would
// have to collide in all 128 bits (about 2^-128 per pair for
// non-adversarial input; a sender that crafts a collision could only
// write into a series it may write to anyway).
//
// Only label sets that were validated and accepted are ever put in, so a
// hit needs no validation. A ref can go stale when the head garbage
// collects its series; Append then returns NotFound and the caller falls
// back to the labels and Puts the new ref.
//
// Thread-safety: safe to use concurrently. Lookups of a whole request
// share one reader lock.
#ifndef STRATA_SERVER_REMOTE_SERIES_REF_CACHE_H_
#define STRATA_SERVER_REMOTE_SERIES_REF_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "server/remote/remote_write_decoder.h"
#include "strata/appender.h"
#include "util/mutex.h"

namespace strata::server {

class SeriesRefCache {
 public:
  struct Key {
    uint64_t lo = 0;
    uint64_t hi = 0;
  };

  // Holds at most `max_entries`; when full it is emptied and refills (the
  // series stay in the DB, only the shortcut is lost for a batch).
  explicit SeriesRefCache(size_t max_entries);
  SeriesRefCache(const SeriesRefCache&) = delete;
  SeriesRefCache& operator=(const SeriesRefCache&) = delete;

  // The key bytes of a series: its encoded 1.0 label fields when the
  // decoder captured them, else its labels in wire order, length-prefixed
  // and tagged with a leading 0 byte (encoded fields start with 0x0a, so
  // the two kinds never collide), built in `scratch`.
  static std::string_view KeyBytes(const WireSeries& series,
                                   std::span<const WireLabel> labels,
                                   std::string* scratch);
  // `seed` tells apart label transformations of the same bytes: a series
  // stored without a label (e.g. the HA replica label, seed
  // kDroppedLabelSeed) must not share the key of one stored as it came.
  static Key KeyOf(std::string_view key_bytes, uint64_t seed = 0);
  static constexpr uint64_t kDroppedLabelSeed = 1;

  // refs[i] = the cached ref of keys[i], or 0.
  void GetMany(std::span<const Key> keys, SeriesRef* refs) const;
  SeriesRef Get(const Key& key) const;
  void Put(const Key& key, SeriesRef ref);
  void PutMany(std::span<const std::pair<Key, SeriesRef>> entries);
  // Forgets everything (e.g. when another DB is attached).
  void Clear();

  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  struct Value {
    uint64_t hi = 0;
    SeriesRef ref = 0;
  };

  // Constant after construction.
  const size_t max_entries_;

  mutable Mutex mu_;
  absl::flat_hash_map<uint64_t, Value> map_ ABSL_GUARDED_BY(mu_);
  std::atomic<size_t> size_{0};
};

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_SERIES_REF_CACHE_H_
