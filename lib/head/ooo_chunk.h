// OooChunk: the open out-of-order chunk of one series, Prometheus 2.42's
// OOOChunk. Out-of-order samples arrive in any order, so they are kept as
// plain (t, v) pairs sorted by time until the chunk holds
// out_of_order_cap_max samples; then the series cuts it into a closed XOR
// chunk (see OooHead) and starts a new one.
//
// Thread-safety: none; the owner (OooHead) locks.
#ifndef STRATA_HEAD_OOO_CHUNK_H_
#define STRATA_HEAD_OOO_CHUNK_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "index/reader.h"

namespace strata {

// One float sample.
struct OooSample {
  int64_t t;
  double v;
};

class OooChunk {
 public:
  // Inserts in time order. Returns false, changing nothing, if the chunk
  // already holds a sample at `t` (whatever its value), as Prometheus.
  bool Insert(int64_t t, double v);

  size_t size() const { return samples_.size(); }
  bool empty() const { return samples_.empty(); }
  // Valid when not empty.
  int64_t mint() const { return samples_.front().t; }
  int64_t maxt() const { return samples_.back().t; }
  // Sorted by time, timestamps unique.
  std::span<const OooSample> samples() const { return samples_; }
  void clear() { samples_.clear(); }

 private:
  std::vector<OooSample> samples_;
};

// The samples as one Prometheus XOR chunk's bytes. Precondition: sorted by
// time, at most 65535 samples.
std::string EncodeXor(std::span<const OooSample> samples);

// Appends the samples of XOR chunk `bytes` to `out`. False if the chunk is
// damaged (then `out` holds what decoded before the damage).
bool DecodeXor(std::string_view bytes, std::vector<OooSample>* out);

// Samples per chunk when out-of-order samples are read or compacted
// (Prometheus's default samples per chunk).
inline constexpr size_t kOooSamplesPerChunk = 120;

// Sorts `samples` by time (stable) and keeps the first of equal
// timestamps.
void SortUnique(std::vector<OooSample>* samples);

// Appends metas for `samples` (sorted, unique) cut every
// kOooSamplesPerChunk samples; the refs name series `id` (see
// OooChunkRef), the ranges do not overlap.
void AppendOooChunkMetas(SeriesId id, std::span<const OooSample> samples,
                         std::vector<ChunkMeta>* out);
inline uint64_t OooChunkRef(SeriesId id, size_t piece) {
  return (uint64_t{id} << 32) | static_cast<uint32_t>(piece);
}
inline SeriesId OooChunkRefSeries(uint64_t ref) {
  return static_cast<SeriesId>(ref >> 32);
}
// The samples of `samples` (sorted) within [meta.mint, meta.maxt] as an
// XOR chunk.
ChunkBytes OooChunkBytes(std::span<const OooSample> samples,
                         const ChunkMeta& meta);

}  // namespace strata

#endif  // STRATA_HEAD_OOO_CHUNK_H_
