// When the head starts a new chunk for a series: Prometheus 2.42's rule from
// memSeries.appendPreprocessor (tsdb/head_append.go), as pure functions so
// that Strata's chunks split where Prometheus's do.
//
// The rule, for a sample at t about to be appended to the series' head
// chunk holding n samples from min_time to max_time:
//   1. n == 0 (a fresh chunk): next_at = RangeForTimestamp(t, chunk_range),
//      the end of the chunk range (block) holding t.
//   2. n == kSamplesPerChunk / 4 (30): predict an earlier end that splits the
//      rest of the range into equally full chunks,
//      next_at = ComputeChunkEndTime(min_time, max_time, next_at). max_time
//      is the previous sample's timestamp, not t.
//   3. Cut if t >= next_at or n >= 2 * kSamplesPerChunk (the rate went up
//      after the prediction). A new chunk then starts at t with
//      next_at = RangeForTimestamp(t, chunk_range).
// 2.42 has no byte-size limit on float chunks (promtool 2.42 writes a
// 240-sample chunk of 2 KiB; see tests/chunk/xor_golden_test.cc) and no
// chunk end time jitter (that exists only in Mimir's fork), so neither is
// modelled. Note that promtool's backfill gives its head a chunk range of
// twice the block duration.
//
// Thread-safety: pure functions; ChunkCutState belongs to one series.
#ifndef STRATA_CHUNK_CUT_POLICY_H_
#define STRATA_CHUNK_CUT_POLICY_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace strata::chunk {

// Prometheus's samplesPerChunk: the number of samples a chunk aims at.
inline constexpr int kSamplesPerChunk = 120;

// End (exclusive) of the chunk_range-aligned range holding t, with Go's
// truncating division: (t / width) * width + width. Always > t.
int64_t RangeForTimestamp(int64_t t, int64_t width);

// Prometheus's computeChunkEndTime: assuming [start, cur] is a quarter of a
// chunk, the end of the current chunk if the rest of [start, max) were split
// into equally sized chunks; max itself if fewer than two would fit.
int64_t ComputeChunkEndTime(int64_t start, int64_t cur, int64_t max);

// Per-series cutting state (Prometheus's memSeries.nextAt).
struct ChunkCutState {
  // Timestamp at or after which a new chunk must be started.
  int64_t next_at = INT64_MIN;
};

// Call before appending a sample at `t` to the head chunk, which holds
// `num_samples` samples from `min_time` to `max_time`. Applies rules 1-3
// above, updating `state`. Returns true if the caller must start a new
// chunk for t (and then call OnChunkStarted). The caller has already
// rejected out-of-order samples (t <= max_time).
bool ShouldCut(ChunkCutState* state, int num_samples, int64_t min_time,
               int64_t max_time, int64_t t, int64_t chunk_range);

// Call when a new chunk starts with a sample at `t` (also for a series'
// first chunk).
void OnChunkStarted(ChunkCutState* state, int64_t t, int64_t chunk_range);

// Splits an increasing timestamp sequence into chunks as the Prometheus 2.42
// head would: returns the index of the first sample of every chunk (so the
// result starts with 0 unless `ts` is empty).
std::vector<size_t> ChunkStarts(std::span<const int64_t> ts,
                                int64_t chunk_range);

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_CUT_POLICY_H_
