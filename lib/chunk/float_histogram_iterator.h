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

class FloatHistogramIterator {
 public:
  explicit FloatHistogramIterator(std::string_view chunk);

  bool Next();
  bool Seek(int64_t t);

  int64_t t() const { return state_.t; }
  FloatHistogram AtFloatHistogram() const;
  // The sample in the chunk's own representation (for generic code).
  FloatHistogram At() const { return AtFloatHistogram(); }

  bool error() const { return error_ != nullptr; }
  const char* error_message() const { return error_; }
  CounterResetHeader counter_reset_header() const { return header_; }
  int num_read() const { return num_read_; }
  int num_total() const { return num_total_; }
  size_t bits_consumed() const { return reader_.bits_consumed(); }
  const FloatHistogramCodecState& state() const { return state_; }

 private:
  bool ReadFirst();
  bool ReadDeltas();
  bool ReadXor(XorField& f);
  bool Fail(const char* msg) {
    error_ = msg;
    return false;
  }

  BitReader reader_;
  CounterResetHeader header_ = CounterResetHeader::kUnknown;
  int num_total_ = 0;
  int num_read_ = 0;
  FloatHistogramCodecState state_;
  const char* error_ = nullptr;  // Static string; null when OK.
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_FLOAT_HISTOGRAM_ITERATOR_H_
