// WAL record payloads (wal/record.h: series, samples, tombstones;
// wal/histogram_record.h: histogram and float histogram samples) on
// arbitrary bytes. Invariant: what decodes encodes to bytes that decode to
// the same items.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "fuzz_check.h"
#include "wal/histogram_record.h"
#include "wal/record.h"

namespace {

namespace wal = strata::wal;

bool SameSamples(const std::vector<wal::RefSample>& a,
                 const std::vector<wal::RefSample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    // Values compare by bits: NaNs (stale markers) included.
    if (a[i].ref != b[i].ref || a[i].t != b[i].t ||
        std::memcmp(&a[i].v, &b[i].v, sizeof(double)) != 0) {
      return false;
    }
  }
  return true;
}

bool SameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof(double)) == 0;
}

// The fields an integer and a float histogram share, floats by bits.
template <typename H>
bool SameCommonFields(const H& a, const H& b) {
  return a.counter_reset_hint == b.counter_reset_hint && a.schema == b.schema &&
         SameBits(a.zero_threshold, b.zero_threshold) &&
         SameBits(a.sum, b.sum) && a.positive_spans == b.positive_spans &&
         a.negative_spans == b.negative_spans;
}

bool SameHistogram(const strata::Histogram& a, const strata::Histogram& b) {
  return SameCommonFields(a, b) && a.zero_count == b.zero_count &&
         a.count == b.count && a.positive_buckets == b.positive_buckets &&
         a.negative_buckets == b.negative_buckets;
}

bool SameBits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() ||
          std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

bool SameHistogram(const strata::FloatHistogram& a,
                   const strata::FloatHistogram& b) {
  return SameCommonFields(a, b) && SameBits(a.zero_count, b.zero_count) &&
         SameBits(a.count, b.count) &&
         SameBits(a.positive_buckets, b.positive_buckets) &&
         SameBits(a.negative_buckets, b.negative_buckets);
}

template <typename Sample>
bool SameHistogramSamples(const std::vector<Sample>& a,
                          const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].ref != b[i].ref || a[i].t != b[i].t) return false;
    if constexpr (std::is_same_v<Sample, wal::RefHistogramSample>) {
      if (!SameHistogram(a[i].h, b[i].h)) return false;
    } else {
      if (!SameHistogram(a[i].fh, b[i].fh)) return false;
    }
  }
  return true;
}

void RoundTripHistograms(std::string_view record) {
  std::vector<wal::RefHistogramSample> samples;
  if (!wal::DecodeHistogramSamples(record, &samples).ok()) return;
  std::string encoded;
  wal::EncodeHistogramSamples(samples, &encoded);
  std::vector<wal::RefHistogramSample> again;
  FUZZ_CHECK(wal::DecodeHistogramSamples(encoded, &again).ok(),
             "re-encoded histogram samples record does not decode");
  FUZZ_CHECK(SameHistogramSamples(samples, again),
             "histogram samples record does not round-trip");
}

void RoundTripFloatHistograms(std::string_view record) {
  std::vector<wal::RefFloatHistogramSample> samples;
  if (!wal::DecodeFloatHistogramSamples(record, &samples).ok()) return;
  std::string encoded;
  wal::EncodeFloatHistogramSamples(samples, &encoded);
  std::vector<wal::RefFloatHistogramSample> again;
  FUZZ_CHECK(wal::DecodeFloatHistogramSamples(encoded, &again).ok(),
             "re-encoded float histogram samples record does not decode");
  FUZZ_CHECK(SameHistogramSamples(samples, again),
             "float histogram samples record does not round-trip");
}

void RoundTripSeries(std::string_view record) {
  std::vector<wal::RefSeries> series;
  if (!wal::DecodeSeries(record, &series).ok()) return;
  std::string encoded;
  wal::EncodeSeries(series, &encoded);
  std::vector<wal::RefSeries> again;
  FUZZ_CHECK(wal::DecodeSeries(encoded, &again).ok(),
             "re-encoded series record does not decode");
  FUZZ_CHECK(again == series, "series record does not round-trip");
}

void RoundTripSamples(std::string_view record) {
  std::vector<wal::RefSample> samples;
  if (!wal::DecodeSamples(record, &samples).ok()) return;
  std::string encoded;
  wal::EncodeSamples(samples, &encoded);
  std::vector<wal::RefSample> again;
  FUZZ_CHECK(wal::DecodeSamples(encoded, &again).ok(),
             "re-encoded samples record does not decode");
  FUZZ_CHECK(SameSamples(samples, again), "samples record does not round-trip");
}

void RoundTripTombstones(std::string_view record) {
  std::vector<wal::Stone> stones;
  if (!wal::DecodeTombstones(record, &stones).ok()) return;
  std::string encoded;
  wal::EncodeTombstones(stones, &encoded);
  std::vector<wal::Stone> again;
  FUZZ_CHECK(wal::DecodeTombstones(encoded, &again).ok(),
             "re-encoded tombstones record does not decode");
  FUZZ_CHECK(again == stones, "tombstones record does not round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view record(reinterpret_cast<const char*>(data), size);
  switch (wal::GetRecordType(record)) {
    case wal::RecordType::kSeries:
      RoundTripSeries(record);
      break;
    case wal::RecordType::kSamples:
      RoundTripSamples(record);
      break;
    case wal::RecordType::kTombstones:
      RoundTripTombstones(record);
      break;
    case wal::RecordType::kHistogramSamples:
      RoundTripHistograms(record);
      break;
    case wal::RecordType::kFloatHistogramSamples:
      RoundTripFloatHistograms(record);
      break;
    default:
      // Decoders must refuse what is not theirs without crashing.
      std::vector<wal::RefSeries> series;
      std::vector<wal::RefSample> samples;
      std::vector<wal::Stone> stones;
      std::vector<wal::RefHistogramSample> histograms;
      std::vector<wal::RefFloatHistogramSample> float_histograms;
      (void)wal::DecodeHistogramSamples(record, &histograms);
      (void)wal::DecodeFloatHistogramSamples(record, &float_histograms);
      (void)wal::DecodeSeries(record, &series);
      (void)wal::DecodeSamples(record, &samples);
      (void)wal::DecodeTombstones(record, &stones);
      break;
  }
  return 0;
}
