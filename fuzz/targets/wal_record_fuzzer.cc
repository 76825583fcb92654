// WAL record payloads (wal/record.h: series, samples, tombstones) on
// arbitrary bytes. Invariant: what decodes encodes to bytes that decode to
// the same items.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
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
    default:
      // Decoders must refuse what is not theirs without crashing.
      std::vector<wal::RefSeries> series;
      std::vector<wal::RefSample> samples;
      std::vector<wal::Stone> stones;
      (void)wal::DecodeSeries(record, &series);
      (void)wal::DecodeSamples(record, &samples);
      (void)wal::DecodeTombstones(record, &stones);
      break;
  }
  return 0;
}
