// WAL record payloads, byte-compatible with Prometheus's tsdb/record:
// Series (type 1), Samples (type 2), Tombstones (type 3) and Exemplars
// (type 4). See FORMAT.md.
//
// Encoders append to a std::string; decoders append to a vector and return
// Corruption (never crash) on malformed input, leaving the output with the
// items decoded before the problem.
//
// Thread-safety: pure functions.
#ifndef STRATA_WAL_RECORD_H_
#define STRATA_WAL_RECORD_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/labels.h"
#include "strata/status.h"

namespace strata::wal {

// The first byte of every record. Values are Prometheus's.
enum class RecordType : uint8_t {
  kSeries = 1,
  kSamples = 2,
  kTombstones = 3,
  kExemplars = 4,
  kMmapMarkers = 5,
  kMetadata = 6,
  kHistogramSamples = 7,
  kFloatHistogramSamples = 8,
  kUnknown = 255,
};

// The type of an encoded record; kUnknown if empty or not a known type.
RecordType GetRecordType(std::string_view record);

// A series and the reference samples use for it.
struct RefSeries {
  uint64_t ref = 0;
  Labels labels;

  friend bool operator==(const RefSeries&, const RefSeries&) = default;
};

struct RefSample {
  uint64_t ref = 0;
  int64_t t = 0;
  double v = 0;
};

// An exemplar of the series `ref` (its own labels, not the series').
struct RefExemplar {
  uint64_t ref = 0;
  int64_t t = 0;
  double v = 0;
  Labels labels;
};

// Closed interval [mint, maxt] in milliseconds.
struct Interval {
  int64_t mint = 0;
  int64_t maxt = 0;

  friend bool operator==(const Interval&, const Interval&) = default;
};

// Deleted time ranges of one series.
struct Stone {
  uint64_t ref = 0;
  std::vector<Interval> intervals;

  friend bool operator==(const Stone&, const Stone&) = default;
};

// type <1> | per series: ref <8 BE> | #labels <uvarint> |
//   per label: len <uvarint> name | len <uvarint> value.
void EncodeSeries(std::span<const RefSeries> series, std::string* dst);
Status DecodeSeries(std::string_view record, std::vector<RefSeries>* out);

// type <1> | ref of first <8 BE> | t of first <8 BE> |
//   per sample: ref - first ref <varint> | t - first t <varint> |
//   value bits <8 BE>.
// An empty sample list encodes as the type byte alone.
void EncodeSamples(std::span<const RefSample> samples, std::string* dst);
Status DecodeSamples(std::string_view record, std::vector<RefSample>* out);

// type <1> | ref of first <8 BE> | t of first <8 BE> |
//   per exemplar: ref - first ref <varint> | t - first t <varint> |
//   value bits <8 BE> | #labels <uvarint> |
//   per label: len <uvarint> name | len <uvarint> value.
// An empty list encodes as the type byte alone.
void EncodeExemplars(std::span<const RefExemplar> exemplars, std::string* dst);
Status DecodeExemplars(std::string_view record, std::vector<RefExemplar>* out);

// type <1> | per interval: ref <8 BE> | mint <varint> | maxt <varint>.
// Decoding merges consecutive entries of the same ref into one Stone.
void EncodeTombstones(std::span<const Stone> stones, std::string* dst);
Status DecodeTombstones(std::string_view record, std::vector<Stone>* out);

}  // namespace strata::wal

#endif  // STRATA_WAL_RECORD_H_
