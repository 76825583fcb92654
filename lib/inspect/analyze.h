// Analyze: where a block's series, chunks and bytes go, in the spirit of
// promtool tsdb analyze: the highest-cardinality metrics, label names and
// pairs, label values by the series they touch, churn between blocks, a
// histogram of chunk fullness and the bytes of the block's files.
//
// Thread-safety: reads the data directory read-only; one call per thread.
#ifndef STRATA_INSPECT_ANALYZE_H_
#define STRATA_INSPECT_ANALYZE_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "strata/labels.h"
#include "strata/status.h"

namespace strata::inspect {

inline constexpr char kHeadBlockName[] = "head";

struct AnalyzeOptions {
  // A block's ULID, kHeadBlockName, or "" for the newest block (the head
  // when there is no block).
  std::string block;
  // Entries per list; positive.
  int limit = 20;
  // Only series matching every matcher; empty: every series.
  std::vector<Matcher> matchers;
};

// Names (metric names, label names, `name=value` pairs or label values)
// with a count, highest count first, ties by name.
using NameCounts = std::vector<std::pair<std::string, int64_t>>;

// Series created and removed from one block to the next (by label set).
struct BlockChurn {
  std::string block;  // ULID.
  int64_t min_time = 0;
  int64_t max_time = 0;  // Exclusive.
  int64_t series = 0;
  int64_t created = 0;  // Not in the block before.
  int64_t removed = 0;  // In the block before, not in this one.
};

// Chunk fullness histogram buckets (samples per chunk): bucket i counts the
// chunks with [kChunkFullnessBuckets[i], kChunkFullnessBuckets[i + 1])
// samples, the last one every chunk from 121 up (Prometheus cuts at 120).
inline constexpr std::array<int, 7> kChunkFullnessBuckets = {1,  10,  30, 60,
                                                             90, 120, 121};

struct AnalyzeReport {
  std::string block;  // What was analyzed: a ULID or the head's name.
  int64_t series = 0;
  int64_t chunks = 0;
  int64_t samples = 0;
  // Of those, the native histogram chunks (encodings 2 and 3) and their
  // samples, counted by decoding them (a chunk that does not decode
  // counts the samples before the damage).
  int64_t histogram_chunks = 0;
  int64_t histogram_samples = 0;
  NameCounts metrics;                     // Metric names by series.
  NameCounts label_names_by_values;       // By distinct values.
  NameCounts label_names_by_series;       // By series they occur in.
  NameCounts label_names_by_value_bytes;  // By bytes of distinct values.
  NameCounts label_pairs;                 // `name=value` by series.
  // For the label names with the most values (up to 5): their values by
  // the series they touch.
  std::vector<std::pair<std::string, NameCounts>> label_values_by_series;
  // Every readable block, oldest first.
  std::vector<BlockChurn> churn;
  std::array<int64_t, kChunkFullnessBuckets.size()> chunk_fullness = {};
  // Sizes of the files; only for a persisted block (not the head).
  bool has_files = false;
  int64_t index_bytes = 0;
  int64_t chunk_bytes = 0;
};

// Analyzes one block (or the head) of `data_dir`, and the churn across all
// its blocks. NotFound if the named block does not open, or there is
// nothing to analyze.
StatusOr<AnalyzeReport> Analyze(const std::string& data_dir,
                                const AnalyzeOptions& options);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_ANALYZE_H_
