// The parts of the histogram chunk encodings (FORMAT.md, "Histogram
// chunks") that integer and float histograms share: the chunk header, the
// layout written before the first sample (zero threshold, schema, spans),
// and the span arithmetic behind Prometheus's appendability and recoding
// rules (tsdb/chunkenc/histogram_meta.go).
//
// Thread-safety: stateless functions and value types.
#ifndef STRATA_CHUNK_HISTOGRAM_LAYOUT_H_
#define STRATA_CHUNK_HISTOGRAM_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"
#include "chunk/histogram.h"
#include "chunk/xor_format.h"

namespace strata::chunk {

namespace histogram_format {

// Big-endian uint16 sample count, then one byte whose top two bits are the
// counter-reset header; the other six bits are zero.
inline constexpr int kHeaderSize = 3;
inline constexpr int kMaxSamples = 0xffff;
inline constexpr uint8_t kCounterResetHeaderMask = 0b11000000;

// The zero threshold's one-byte forms: 0 is 0.0, 1..254 is 2^(b - 244)
// (powers of two from 2^-243 to 2^10), 255 is followed by the float64.
inline constexpr uint8_t kZeroThresholdFloat = 255;
inline constexpr int kZeroThresholdBias = 243;  // frexp exponent + bias.
inline constexpr int kZeroThresholdMinExp = -242;
inline constexpr int kZeroThresholdMaxExp = 11;

}  // namespace histogram_format

// The chunk header's counter-reset bits (Prometheus's CounterResetHeader):
// why the chunk was started. Serialized as the top two bits of byte 2.
enum class CounterResetHeader : uint8_t {
  kUnknown = 0b00000000,
  kNotCounterReset = 0b01000000,
  kCounterReset = 0b10000000,
  kGauge = 0b11000000,
};

// Sample count of a histogram or float histogram chunk; -1 if too short.
inline int HistogramNumSamples(std::string_view chunk) {
  if (chunk.size() < static_cast<size_t>(histogram_format::kHeaderSize)) {
    return -1;
  }
  return (static_cast<uint8_t>(chunk[0]) << 8) | static_cast<uint8_t>(chunk[1]);
}

// The header of the chunk `bytes` (at least kHeaderSize long).
inline CounterResetHeader ReadCounterResetHeader(std::string_view bytes) {
  return static_cast<CounterResetHeader>(
      static_cast<uint8_t>(bytes[2]) &
      histogram_format::kCounterResetHeaderMask);
}

// The chunk header on a chunk's writer (whose bytes start with it).
BitWriter NewHistogramChunkWriter();  // An empty chunk: the header only.
void SetHistogramNumSamples(BitWriter& w, int n);
void SetCounterResetHeader(BitWriter& w, CounterResetHeader header);
// A writer continuing the chunk `bytes` after `stream_bits` bits after the
// header (what a decoder consumed), keeping Prometheus's trailing free
// byte if the bytes have one.
BitWriter ContinueHistogramChunk(std::string_view bytes, size_t stream_bits);

// The window of an XOR-coded field (the sum; a float histogram's every
// count): the leading and trailing zero bits of the last XOR written with
// a new window; leading xor_format::kNoWindow while the field never
// changed. The one part of an encoder's state that decoding the chunk does
// not give back (a decoder cannot tell "none" from a window (0, 0)); the
// head's shutdown snapshot saves it so that appends after a restart code
// exactly as they would have.
struct XorWindow {
  uint8_t leading = xor_format::kNoWindow;
  uint8_t trailing = 0;
  bool operator==(const XorWindow&) const = default;
};
// Whether an encoder could hold `w`: none, or leading <= kMaxLeading and at
// least one significant bit.
inline bool IsValidXorWindow(XorWindow w) {
  return w.leading == xor_format::kNoWindow ||
         (w.leading <= xor_format::kMaxLeading && w.trailing <= 63 &&
          w.leading + w.trailing <= 63);
}

// The hint a sample gets from its chunk's header and its 1-based position
// (Prometheus's counterResetHint): only a chunk's first sample can carry a
// reset, and an unknown header leaves it unknown.
CounterResetHint HintAt(CounterResetHeader header, int position);

// The layout that precedes the first sample.
struct HistogramLayout {
  int32_t schema = 0;
  double zero_threshold = 0;
  std::vector<HistogramSpan> positive_spans;
  std::vector<HistogramSpan> negative_spans;
};

void WriteHistogramLayout(BitWriter& w, int32_t schema, double zero_threshold,
                          std::span<const HistogramSpan> positive,
                          std::span<const HistogramSpan> negative);
// Reads a layout. Returns null, or a static error message (truncated
// input, more spans or buckets than the remaining bits could hold).
const char* ReadHistogramLayout(BitReader& r, HistogramLayout* out);

// How many new buckets go before the pos'th bucket of the old list.
struct BucketInsert {
  int pos = 0;
  int num = 0;
  bool operator==(const BucketInsert&) const = default;
};

// The inserts that expand spans `a` to spans `b`; false if `b` lacks a
// bucket of `a` (Prometheus's expandSpansForward).
bool ExpandSpansForward(std::span<const HistogramSpan> a,
                        std::span<const HistogramSpan> b,
                        std::vector<BucketInsert>* forward);

// For gauges, where buckets may also vanish: the inserts that expand `a`
// to the union of both (forward), those that expand `b` to it (backward),
// and the union's spans (Prometheus's expandSpansBothWays).
void ExpandSpansBothWays(std::span<const HistogramSpan> a,
                         std::span<const HistogramSpan> b,
                         std::vector<BucketInsert>* forward,
                         std::vector<BucketInsert>* backward,
                         std::vector<HistogramSpan>* merged);

// Applies `inserts` to the buckets `in`, giving the new buckets count 0
// (Prometheus's insert). With `deltas` the values are deltas and the bucket
// after an insert is adjusted so that its count stays the same.
// Returns in.size() plus the inserted buckets.
std::vector<int64_t> InsertBuckets(std::span<const int64_t> in,
                                   std::span<const BucketInsert> inserts);
std::vector<double> InsertBuckets(std::span<const double> in,
                                  std::span<const BucketInsert> inserts);

// True if a bucket present in both layouts has a lower count in the new
// one (Prometheus's counterResetInAnyBucket). Call only when the new spans
// cover the old ones (ExpandSpansForward succeeded). Integer buckets are
// deltas, float buckets absolute counts.
bool CounterResetInAnyBucket(std::span<const int64_t> old_buckets,
                             std::span<const int64_t> new_buckets,
                             std::span<const HistogramSpan> old_spans,
                             std::span<const HistogramSpan> new_spans);
bool CounterResetInAnyBucket(std::span<const double> old_buckets,
                             std::span<const double> new_buckets,
                             std::span<const HistogramSpan> old_spans,
                             std::span<const HistogramSpan> new_spans);

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_HISTOGRAM_LAYOUT_H_
