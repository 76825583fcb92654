// What the two histogram chunk iterators (histogram_iterator.h,
// float_histogram_iterator.h) share: the header, the sample loop, Seek and
// error reporting. Derived supplies ReadFirst() and ReadDeltas() (each
// decodes one sample, false after Fail()) and t().
//
// Thread-safety: none; the bytes must outlive the iterator and not change.
#ifndef STRATA_CHUNK_HISTOGRAM_ITERATOR_BASE_H_
#define STRATA_CHUNK_HISTOGRAM_ITERATOR_BASE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chunk/bit_reader.h"
#include "chunk/histogram_layout.h"

namespace strata::chunk {

template <typename Derived>
class HistogramIteratorBase {
 public:
  // Advances to the next sample; false at the end or on error.
  bool Next() {
    if (error_ != nullptr || num_read_ >= num_total_) return false;
    Derived& d = static_cast<Derived&>(*this);
    if (!(num_read_ == 0 ? d.ReadFirst() : d.ReadDeltas())) return false;
    ++num_read_;
    return true;
  }

  // Advances to the first sample with timestamp >= t (staying on the
  // current one if it qualifies); false if there is none.
  bool Seek(int64_t t) {
    if (error_ != nullptr) return false;
    while (num_read_ == 0 || static_cast<const Derived&>(*this).t() < t) {
      if (!Next()) return false;
    }
    return true;
  }

  bool error() const { return error_ != nullptr; }
  const char* error_message() const { return error_; }
  CounterResetHeader counter_reset_header() const { return header_; }
  int num_read() const { return num_read_; }
  int num_total() const { return num_total_; }
  // Bits of the stream after the header decoded so far.
  size_t bits_consumed() const { return reader_.bits_consumed(); }

 protected:
  explicit HistogramIteratorBase(std::string_view chunk) {
    num_total_ = HistogramNumSamples(chunk);
    if (num_total_ < 0) {
      num_total_ = 0;
      Fail("histogram chunk shorter than its header");
      return;
    }
    header_ = ReadCounterResetHeader(chunk);
    reader_.Reset(chunk.substr(histogram_format::kHeaderSize));
  }

  bool Fail(const char* msg) {
    error_ = msg;
    return false;
  }

  BitReader reader_;
  CounterResetHeader header_ = CounterResetHeader::kUnknown;
  int num_total_ = 0;
  int num_read_ = 0;
  const char* error_ = nullptr;  // Static string; null when OK.
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_HISTOGRAM_ITERATOR_BASE_H_
