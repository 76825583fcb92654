// HistogramChunk: a histogram chunk (Prometheus chunk encoding 2, integer
// counts) that owns its bytes and appends to them, bit-identical to
// Prometheus 2.42's HistogramChunk and HistogramAppender (layout in
// FORMAT.md).
//
// A chunk has one bucket layout (schema, zero threshold, spans), fixed by
// its first sample. Before appending, the caller asks whether a histogram
// fits (Appendable for counters, AppendableGauge for gauges), and acts as
// Prometheus's head does (HistogramSeriesAppender, histogram_series.h,
// does all of it; the rules are in histogram_appendable.h): cut a new chunk, or
// Recode the chunk to a layout with more buckets first. Append itself trusts
// its caller.
//
// Thread-safety: none. Appending may reallocate the bytes, invalidating
// views from Bytes() and iterators over them.
#ifndef STRATA_CHUNK_HISTOGRAM_CHUNK_H_
#define STRATA_CHUNK_HISTOGRAM_CHUNK_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "chunk/bit_writer.h"
#include "chunk/encoding.h"
#include "chunk/histogram.h"
#include "chunk/histogram_appendable.h"
#include "chunk/histogram_iterator.h"
#include "chunk/histogram_layout.h"

namespace strata::chunk {

class HistogramChunk {
 public:
  // An empty chunk (header only), ready for Append().
  HistogramChunk();
  // Adopts chunk bytes as stored (header and bit stream, without the
  // encoding byte). Call ResumeAppending() before Append().
  explicit HistogramChunk(std::string_view bytes);

  static constexpr Encoding encoding() { return Encoding::kHistogram; }

  int NumSamples() const;
  bool Full() const { return NumSamples() >= histogram_format::kMaxSamples; }
  // Valid until the next Append or until the chunk moves or dies.
  std::string_view Bytes() const { return writer_.bytes(); }
  HistogramIterator Iterator() const { return HistogramIterator(Bytes()); }

  CounterResetHeader counter_reset_header() const;
  void SetCounterResetHeader(CounterResetHeader header);

  // Decodes the adopted bytes to rebuild the encoder's state (as
  // Prometheus's Appender() does: a sum that never changed since the first
  // sample resumes with the XOR window (0, 0) instead of none, like the
  // float chunk's fields). False if the chunk is corrupt.
  bool ResumeAppending();

  // The newest sample's time (NumSamples() > 0, appendable chunk).
  int64_t last_t() const { return state_.t; }
  // The encoder's XOR windows (one: the sum's). With Bytes(), all that
  // Resume needs to continue exactly as this chunk would, which
  // ResumeAppending's Prometheus-like rebuild does not promise.
  std::vector<XorWindow> XorWindows() const;
  // A chunk continuing `bytes` (as Bytes() returned them, at least one
  // sample) with `windows` (as XorWindows() returned them), appendable at
  // once; nullopt if the bytes do not decode or the windows do not fit.
  static std::optional<HistogramChunk> Resume(
      std::string_view bytes, std::span<const XorWindow> windows);

  HistogramAppendability Appendable(const Histogram& h) const;
  GaugeHistogramAppendability AppendableGauge(const Histogram& h) const;

  // Appends; the caller keeps timestamps increasing, checked Appendable
  // (or this is the first sample), and gives bucket lists matching the
  // spans. Must not be called on a Full() chunk.
  void Append(int64_t t, const Histogram& h);

  // This chunk's samples re-laid out to `positive_spans`/`negative_spans`
  // with the inserts from Appendable, and the same header (Prometheus's
  // Recode). The result is ready for Append.
  HistogramChunk Recode(std::span<const BucketInsert> positive_inserts,
                        std::span<const BucketInsert> negative_inserts,
                        std::span<const HistogramSpan> positive_spans,
                        std::span<const HistogramSpan> negative_spans) const {
    return RecodeChunk(*this, positive_inserts, negative_inserts,
                       positive_spans, negative_spans);
  }

 private:
  void AppendFirst(int64_t t, const Histogram& h);
  void AppendDeltas(int64_t t, const Histogram& h);
  ChunkTail<uint64_t, int64_t> Tail() const;
  bool last_is_stale() const { return state_.sum_bits == kStaleNaNBits; }

  BitWriter writer_;
  // The encoder's state after the last sample; leading is
  // xor_format::kNoWindow until the sum's first XOR window.
  HistogramCodecState state_;
  // False for adopted bytes until ResumeAppending().
  bool appendable_ = true;
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_HISTOGRAM_CHUNK_H_
