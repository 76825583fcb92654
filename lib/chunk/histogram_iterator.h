// HistogramIterator decodes a histogram chunk (Prometheus chunk encoding 2,
// integer counts; layout in FORMAT.md) from bytes it does not own, such as
// a memory-mapped block chunk.
//
// Decoding never reads outside the bytes and reports corrupt or truncated
// chunks through error(); a chunk whose layout claims more buckets than its
// bytes could hold is refused before anything is allocated for them.
//
// Thread-safety: none; the bytes must outlive the iterator and not change.
#ifndef STRATA_CHUNK_HISTOGRAM_ITERATOR_H_
#define STRATA_CHUNK_HISTOGRAM_ITERATOR_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "chunk/bit_reader.h"
#include "chunk/histogram.h"
#include "chunk/histogram_iterator_base.h"
#include "chunk/histogram_layout.h"

namespace strata::chunk {

// The coder state after a sample: what the next sample is coded against.
// The appender (histogram_chunk.h) and the iterator keep the same fields.
struct HistogramCodecState {
  HistogramLayout layout;
  int64_t t = 0;
  uint64_t count = 0;
  uint64_t zero_count = 0;
  int64_t t_delta = 0;
  int64_t count_delta = 0;
  int64_t zero_count_delta = 0;
  // Buckets as deltas between neighbours, and each one's change since the
  // previous sample.
  std::vector<int64_t> positive_buckets;
  std::vector<int64_t> negative_buckets;
  std::vector<int64_t> positive_bucket_deltas;
  std::vector<int64_t> negative_bucket_deltas;
  // The sum is XOR-coded like float sample values.
  uint64_t sum_bits = 0;
  uint8_t leading = 0;
  uint8_t trailing = 0;
};

class HistogramIterator : public HistogramIteratorBase<HistogramIterator> {
 public:
  explicit HistogramIterator(std::string_view chunk);

  // The current sample, valid after Next() or Seek() returned true. A
  // stale marker has only its sum (kStaleNaNBits) set.
  int64_t t() const { return state_.t; }
  Histogram AtHistogram() const;
  FloatHistogram AtFloatHistogram() const;
  // The sample in the chunk's own representation (for generic code).
  Histogram At() const { return AtHistogram(); }

  // The coder state after the current sample (HistogramChunk resumes
  // appending from it).
  const HistogramCodecState& state() const { return state_; }

 private:
  friend class HistogramIteratorBase<HistogramIterator>;
  bool ReadFirst();
  bool ReadDeltas();

  HistogramCodecState state_;
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_HISTOGRAM_ITERATOR_H_
