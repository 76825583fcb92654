// OpenHistogramChunk: the native-histogram side of a MemSeries (cold, only
// allocated for series that ever got a histogram): the open histogram or
// float-histogram chunk, and the newest histogram value for the duplicate
// check (Prometheus's lastHistogramValue / lastFloatHistogramValue).
//
// Invariant (kept by MemSeries): at most one of the series' open XOR chunk
// and this chunk holds samples; the open one is the series' newest chunk.
//
// Thread-safety: none; guarded by the owning MemSeries' lock.
#ifndef STRATA_HEAD_OPEN_HISTOGRAM_CHUNK_H_
#define STRATA_HEAD_OPEN_HISTOGRAM_CHUNK_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "chunk/encoding.h"
#include "chunk/float_histogram_chunk.h"
#include "chunk/histogram.h"
#include "chunk/histogram_chunk.h"
#include "strata/histogram.h"
#include "strata/querier.h"

namespace strata {

struct OpenHistogramChunk {
  std::variant<std::monostate, chunk::HistogramChunk,
               chunk::FloatHistogramChunk>
      chunk;
  // The kind of the series' newest sample, and its value if a histogram.
  SampleValueType last_type = SampleValueType::kFloat;
  Histogram last_h;
  FloatHistogram last_fh;

  int NumSamples() const {
    if (const auto* h = std::get_if<chunk::HistogramChunk>(&chunk)) {
      return h->NumSamples();
    }
    if (const auto* f = std::get_if<chunk::FloatHistogramChunk>(&chunk)) {
      return f->NumSamples();
    }
    return 0;
  }
  std::string_view Bytes() const {
    if (const auto* h = std::get_if<chunk::HistogramChunk>(&chunk)) {
      return h->Bytes();
    }
    if (const auto* f = std::get_if<chunk::FloatHistogramChunk>(&chunk)) {
      return f->Bytes();
    }
    return {};
  }
  chunk::Encoding encoding() const {
    return std::holds_alternative<chunk::FloatHistogramChunk>(chunk)
               ? chunk::Encoding::kFloatHistogram
               : chunk::Encoding::kHistogram;
  }
  // The open chunk's encoder windows, for the shutdown snapshot (see
  // chunk::HistogramChunk::XorWindows); none without an open chunk.
  std::vector<chunk::XorWindow> XorWindows() const {
    if (const auto* h = std::get_if<chunk::HistogramChunk>(&chunk)) {
      return h->XorWindows();
    }
    if (const auto* f = std::get_if<chunk::FloatHistogramChunk>(&chunk)) {
      return f->XorWindows();
    }
    return {};
  }
  // Makes `bytes` of `encoding` (2 or 3) with `windows` the open chunk,
  // appendable at once, if they fit each other and the chunk's newest
  // sample is at `last_t` (mem_series_histogram.cc).
  bool ResumeChunk(uint8_t encoding, std::string_view bytes,
                   std::span<const chunk::XorWindow> windows, int64_t last_t);

  // Whether `h`/`fh` (exactly one non-null) equals the newest sample.
  bool EqualsLast(const Histogram* h, const FloatHistogram* fh) const {
    if (h != nullptr) {
      return last_type == SampleValueType::kHistogram &&
             chunk::HistogramsEqual(*h, last_h);
    }
    return last_type == SampleValueType::kFloatHistogram &&
           chunk::HistogramsEqual(*fh, last_fh);
  }
};

}  // namespace strata

#endif  // STRATA_HEAD_OPEN_HISTOGRAM_CHUNK_H_
