// FloatHistogramChunk: a float histogram chunk (Prometheus chunk encoding
// 3: float counts, absolute bucket counts) that owns its bytes and appends
// to them, bit-identical to Prometheus 2.42's FloatHistogramChunk and
// FloatHistogramAppender (layout in FORMAT.md). It follows the same
// appendability rules as HistogramChunk (histogram_appendable.h).
//
// Thread-safety: none. Appending may reallocate the bytes, invalidating
// views from Bytes() and iterators over them.
#ifndef STRATA_CHUNK_FLOAT_HISTOGRAM_CHUNK_H_
#define STRATA_CHUNK_FLOAT_HISTOGRAM_CHUNK_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "chunk/bit_writer.h"
#include "chunk/encoding.h"
#include "chunk/float_histogram_iterator.h"
#include "chunk/histogram.h"
#include "chunk/histogram_appendable.h"
#include "chunk/histogram_layout.h"

namespace strata::chunk {

class FloatHistogramChunk {
 public:
  // An empty chunk (header only), ready for Append().
  FloatHistogramChunk();
  // Adopts chunk bytes as stored (without the encoding byte). Call
  // ResumeAppending() before Append().
  explicit FloatHistogramChunk(std::string_view bytes);

  static constexpr Encoding encoding() { return Encoding::kFloatHistogram; }

  int NumSamples() const { return HistogramNumSamples(writer_.bytes()); }
  bool Full() const { return NumSamples() >= histogram_format::kMaxSamples; }
  std::string_view Bytes() const { return writer_.bytes(); }
  FloatHistogramIterator Iterator() const {
    return FloatHistogramIterator(Bytes());
  }

  CounterResetHeader counter_reset_header() const {
    return ReadCounterResetHeader(writer_.bytes());
  }
  void SetCounterResetHeader(CounterResetHeader header) {
    chunk::SetCounterResetHeader(writer_, header);
  }

  // Decodes the adopted bytes to rebuild the encoder's state, as
  // Prometheus's Appender() does, XOR windows included: a field whose
  // value never changed since the first sample resumes with the window
  // (0, 0) instead of none, so later bytes may differ from a continuous
  // encoder's (they decode the same). False if corrupt.
  bool ResumeAppending();

  // As HistogramChunk's: last_t, and the XOR windows of count, zero
  // count, sum, then each positive and each negative bucket.
  int64_t last_t() const { return state_.t; }
  std::vector<XorWindow> XorWindows() const;
  static std::optional<FloatHistogramChunk> Resume(
      std::string_view bytes, std::span<const XorWindow> windows);

  HistogramAppendability Appendable(const FloatHistogram& h) const {
    return CheckAppendable(Tail(), h);
  }
  GaugeHistogramAppendability AppendableGauge(const FloatHistogram& h) const {
    return CheckAppendableGauge(Tail(), h);
  }

  // As HistogramChunk::Append.
  void Append(int64_t t, const FloatHistogram& h);

  FloatHistogramChunk Recode(
      std::span<const BucketInsert> positive_inserts,
      std::span<const BucketInsert> negative_inserts,
      std::span<const HistogramSpan> positive_spans,
      std::span<const HistogramSpan> negative_spans) const {
    return RecodeChunk(*this, positive_inserts, negative_inserts,
                       positive_spans, negative_spans);
  }

 private:
  void AppendFirst(int64_t t, const FloatHistogram& h);
  void AppendDeltas(int64_t t, const FloatHistogram& h);
  ChunkTail<double, double> Tail() const;

  BitWriter writer_;
  FloatHistogramCodecState state_;
  // The bucket values of state_, for the appendability checks.
  std::vector<double> positive_values_;
  std::vector<double> negative_values_;
  bool appendable_ = true;  // False for adopted bytes until resumed.
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_FLOAT_HISTOGRAM_CHUNK_H_
