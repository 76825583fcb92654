// FloatHistogramIterator decodes a float histogram chunk (Prometheus chunk
// encoding 3; layout in FORMAT.md) from bytes it does not own. Like
// HistogramIterator, it never reads outside the bytes, reports corruption
// through error(), and refuses layouts with more buckets than the bytes
// could hold.
//
// Thread-safety: none; the bytes must outlive the iterator and not change.
#ifndef STRATA_CHUNK_FLOAT_HISTOGRAM_ITERATOR_H_
#define STRATA_CHUNK_FLOAT_HISTOGRAM_ITERATOR_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "chunk/bit_reader.h"
#include "chunk/histogram.h"
#include "chunk/histogram_iterator_base.h"
#include "chunk/histogram_layout.h"

namespace strata::chunk {

// One XOR-coded float field: its bits and XOR window.
struct XorField {
  uint64_t bits = 0;
  uint8_t leading = 0;
  uint8_t trailing = 0;
  double value() const { return std::bit_cast<double>(bits); }
};

// The coder state after a sample (see HistogramCodecState).
struct FloatHistogramCodecState {
  HistogramLayout layout;
  int64_t t = 0;
  int64_t t_delta = 0;
  XorField count;
  XorField zero_count;
  XorField sum;
  std::vector<XorField> positive_buckets;  // Absolute counts.
  std::vector<XorField> negative_buckets;
};

class FloatHistogramIterator
    : public HistogramIteratorBase<FloatHistogramIterator> {
 public:
  explicit FloatHistogramIterator(std::string_view chunk);

  int64_t t() const { return state_.t; }
  FloatHistogram AtFloatHistogram() const;
  // The sample in the chunk's own representation (for generic code).
  FloatHistogram At() const { return AtFloatHistogram(); }

  const FloatHistogramCodecState& state() const { return state_; }

 private:
  friend class HistogramIteratorBase<FloatHistogramIterator>;
  bool ReadFirst();
  bool ReadDeltas();
  bool ReadXor(XorField& f);

  FloatHistogramCodecState state_;
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_FLOAT_HISTOGRAM_ITERATOR_H_
