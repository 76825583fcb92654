// ChunkMerger: turns the chunks one series has in several sources into the
// chunks a new block stores for it, restricted to a time range, in the
// block's chunk format. Chunks that can be kept byte for byte are; a chunk
// that is only in the wrong format is converted one to one (same samples,
// so converting dense back to XOR restores Prometheus's bytes); the rest
// are decoded, merged, clipped and re-encoded (see BlockWriter): the
// samples in time order, one per timestamp (the lowest source wins), a
// new chunk wherever the value type changes (float, histogram, float
// histogram); floats cut as the head cuts them (cut_policy.h), native
// histograms as Prometheus 2.42's compactor re-encodes them
// (seriesToChunkEncoder: 120 samples a chunk) and wherever a histogram
// does not fit the open chunk (chunk::HistogramSeriesAppender).
//
// Thread-safety: none; one series at a time per merger.
#ifndef STRATA_BLOCK_CHUNK_MERGER_H_
#define STRATA_BLOCK_CHUNK_MERGER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "index/reader.h"
#include "strata/histogram.h"
#include "strata/querier.h"

namespace strata {

// One chunk of the series in one source.
struct SourceChunk {
  // Lower sources win among samples with equal timestamps.
  int source = 0;
  ChunkMeta meta;
  const ChunkReader* reader = nullptr;  // Not owned.
  // The source's deleted intervals for this series; null if none.
  const Intervals* deleted = nullptr;
};

struct OutputChunk {
  uint8_t encoding = 0;
  ChunkBytes pin;     // The source's bytes, when copied.
  std::string owned;  // The bytes, when not copied.
  int64_t mint = 0;   // Inclusive, as found in the data.
  int64_t maxt = 0;
  int num_samples = 0;
  bool copied = false;

  // The chunk data (without the encoding byte).
  std::string_view data() const {
    return copied ? pin.data : std::string_view(owned);
  }
};

// The chunk encoding of a block being written.
enum class ChunkFormat {
  kXor,    // Prometheus's: every chunk XOR (dense source chunks converted).
  kDense,  // Cold blocks: dense where smaller than XOR, else XOR.
};

class ChunkMerger {
 public:
  // Keeps samples with mint <= t <= maxt (both inclusive).
  ChunkMerger(int64_t mint, int64_t maxt, int64_t chunk_range_ms,
              ChunkFormat format = ChunkFormat::kXor)
      : mint_(mint),
        maxt_(maxt),
        chunk_range_(chunk_range_ms),
        format_(format) {}

  // Replaces *out with the series' new chunks, in time order, disjoint.
  // Empty if no sample survives.
  Status Merge(std::vector<SourceChunk> chunks, std::vector<OutputChunk>* out);

 private:
  struct Sample {
    int64_t t;
    // The float's bits, or the index of the histogram in histograms_ or
    // float_histograms_ (by kind).
    uint64_t v_bits;
    int source;
    SampleValueType kind;
  };

  // Adds `c` to *out unchanged (or converted to the block's format) if its
  // data matches its meta; false if it must be re-encoded. The caller has
  // checked that the meta lies in range and is not deleted.
  bool TryCopy(const SourceChunk& c, ChunkBytes bytes,
               std::vector<OutputChunk>* out);
  // Fills o's encoding and data with ts_/vs_ (the whole chunk) in the
  // block's format; `xor_data` is their XOR chunk when known, else empty.
  void SetData(std::string_view xor_data, OutputChunk* o);
  // Appends the samples of `c` that are in range and not deleted.
  Status Decode(const SourceChunk& c, const ChunkBytes& bytes);
  Status DecodeHistograms(const SourceChunk& c, const ChunkBytes& bytes,
                          int64_t lo, int64_t hi);
  // Encodes samples_ (sorted, unique timestamps) into *out, one run of
  // samples of one kind at a time.
  void Encode(std::vector<OutputChunk>* out);
  void EncodeFloats(size_t begin, size_t end, std::vector<OutputChunk>* out);
  template <typename Appender>
  void EncodeHistograms(size_t begin, size_t end, Appender app,
                        std::vector<OutputChunk>* out);

  const int64_t mint_;
  const int64_t maxt_;
  const int64_t chunk_range_;
  const ChunkFormat format_;
  std::vector<Sample> samples_;                   // Scratch.
  std::vector<Histogram> histograms_;             // Scratch.
  std::vector<FloatHistogram> float_histograms_;  // Scratch.
  std::vector<int64_t> ts_;                       // Scratch.
  std::vector<double> vs_;                        // Scratch.
};

}  // namespace strata

#endif  // STRATA_BLOCK_CHUNK_MERGER_H_
