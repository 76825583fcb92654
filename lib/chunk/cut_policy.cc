#include "chunk/cut_policy.h"

namespace strata::chunk {

int64_t RangeForTimestamp(int64_t t, int64_t width) {
  // Wrapping add, as Go's, for t in the last range below INT64_MAX.
  return static_cast<int64_t>(static_cast<uint64_t>((t / width) * width) +
                              static_cast<uint64_t>(width));
}

int64_t ComputeChunkEndTime(int64_t start, int64_t cur, int64_t max) {
  const int64_t quarter = (cur - start + 1) * 4;
  if (quarter <= 0) return max;  // Out-of-order input; Go would panic.
  const int64_t n = (max - start) / quarter;
  if (n <= 1) return max;
  return start + (max - start) / n;
}

bool ShouldCut(ChunkCutState* state, int num_samples, int64_t min_time,
               int64_t max_time, int64_t t, int64_t chunk_range) {
  if (num_samples == 0) {
    // A chunk that was created but never written (Prometheus: one from a
    // chunk snapshot); its range starts with this sample.
    OnChunkStarted(state, t, chunk_range);
    min_time = t;
  }
  if (num_samples == kSamplesPerChunk / 4) {
    state->next_at = ComputeChunkEndTime(min_time, max_time, state->next_at);
  }
  return t >= state->next_at || num_samples >= 2 * kSamplesPerChunk;
}

void OnChunkStarted(ChunkCutState* state, int64_t t, int64_t chunk_range) {
  state->next_at = RangeForTimestamp(t, chunk_range);
}

std::vector<size_t> ChunkStarts(std::span<const int64_t> ts,
                                int64_t chunk_range) {
  std::vector<size_t> starts;
  ChunkCutState state;
  int num_samples = 0;
  int64_t min_time = 0;
  int64_t max_time = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    const int64_t t = ts[i];
    if (i == 0 ||
        ShouldCut(&state, num_samples, min_time, max_time, t, chunk_range)) {
      starts.push_back(i);
      OnChunkStarted(&state, t, chunk_range);
      num_samples = 0;
      min_time = t;
    }
    ++num_samples;
    max_time = t;
  }
  return starts;
}

}  // namespace strata::chunk
