// WAL record payloads of native histogram samples, byte-compatible with
// Prometheus 2.42's tsdb/record: HistogramSamples (type 7, integer
// histograms) and FloatHistogramSamples (type 8). See FORMAT.md.
//
// As record.h: encoders append to a std::string; decoders append to a
// vector and return Corruption (never crash, never allocate more than the
// record can hold) on malformed input, leaving the output with the samples
// decoded before the problem.
//
// Thread-safety: pure functions.
#ifndef STRATA_WAL_HISTOGRAM_RECORD_H_
#define STRATA_WAL_HISTOGRAM_RECORD_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/histogram.h"
#include "strata/status.h"

namespace strata::wal {

// record.RefHistogramSample.
struct RefHistogramSample {
  uint64_t ref = 0;
  int64_t t = 0;
  Histogram h;
};

// record.RefFloatHistogramSample.
struct RefFloatHistogramSample {
  uint64_t ref = 0;
  int64_t t = 0;
  FloatHistogram fh;
};

// type <1> | ref of first <8 BE> | t of first <8 BE> |
//   per sample: ref - first ref <varint> | t - first t <varint> |
//     counter reset hint <1> | schema <varint> | zero threshold bits <8 BE> |
//     zero count <uvarint> | count <uvarint> | sum bits <8 BE> |
//     #positive spans <uvarint> | per span: offset <varint> length <uvarint>|
//     #negative spans <uvarint> | per span: offset <varint> length <uvarint>|
//     #positive buckets <uvarint> | per bucket: delta <varint> |
//     #negative buckets <uvarint> | per bucket: delta <varint>.
// An empty list encodes as the type byte alone.
void EncodeHistogramSamples(std::span<const RefHistogramSample> samples,
                            std::string* dst);
Status DecodeHistogramSamples(std::string_view record,
                              std::vector<RefHistogramSample>* out);

// As type 7, except: zero count, count and every bucket are float bits
// <8 BE> (buckets absolute counts).
void EncodeFloatHistogramSamples(
    std::span<const RefFloatHistogramSample> samples, std::string* dst);
Status DecodeFloatHistogramSamples(std::string_view record,
                                   std::vector<RefFloatHistogramSample>* out);

}  // namespace strata::wal

#endif  // STRATA_WAL_HISTOGRAM_RECORD_H_
