// Decodes remote write requests, 1.0 (prometheus.WriteRequest) and 2.0
// (io.prometheus.write.v2.Request), into one version-independent WriteBatch,
// so everything after decoding has a single code path.
//
// The decoder checks the protobuf structure only (lengths, wire types,
// symbol references); label rules (sorted, unique, valid names) are the
// ingester's business, so that one bad series does not void a request.
// Strings in the batch are views into the decompressed request body, which
// must outlive the batch.
//
// Thread-safety: functions over their arguments; a WriteBatch belongs to
// one thread (reuse one per thread to keep its buffers).
#ifndef STRATA_SERVER_REMOTE_REMOTE_WRITE_DECODER_H_
#define STRATA_SERVER_REMOTE_REMOTE_WRITE_DECODER_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "strata/histogram.h"
#include "strata/status.h"

namespace strata::server {

enum class RemoteWriteVersion : uint8_t { kV1, kV2 };

struct WireLabel {
  std::string_view name;
  std::string_view value;
};

struct WireSample {
  int64_t timestamp = 0;
  double value = 0;
  // When the counter started (2.0's start or created timestamp); 0: unset.
  int64_t start_timestamp = 0;
};

// A native histogram sample as sent (prometheus.Histogram and
// io.prometheus.write.v2.Histogram share their fields), in the public
// types: `integer` when !is_float, else `floating` (the other is left
// default). Structure only: ValidateHistogram/ValidateFloatHistogram say
// whether its spans and buckets agree. Integer or float is decided as the
// receiver of the version does: 1.0 as Prometheus 2.42 (a float histogram
// has count_float > 0 or zero_count_float > 0), 2.0 as the receivers that
// speak it (count_float is the `count` oneof's field).
struct WireHistogram {
  int64_t timestamp = 0;
  // 2.0 (layout of rc.4) only; 0: unset.
  int64_t start_timestamp = 0;
  bool is_float = false;
  // Qualified: strata::server also has a Histogram (the metrics one).
  ::strata::Histogram integer;
  ::strata::FloatHistogram floating;
};

// An exemplar as sent: its labels are a range of WriteBatch::exemplar_labels.
struct WireExemplar {
  uint32_t first_label = 0;
  uint32_t num_labels = 0;
  double value = 0;
  int64_t timestamp = 0;  // 0: none sent.
};

// The numbering both versions use (1.0's MetricMetadata.MetricType and
// 2.0's Metadata.MetricType agree).
enum class WireMetricType : uint8_t {
  kUnknown = 0,
  kCounter = 1,
  kGauge = 2,
  kHistogram = 3,
  kGaugeHistogram = 4,
  kSummary = 5,
  kInfo = 6,
  kStateSet = 7,
};

// Prometheus's lower-case name: "counter", "gaugehistogram", ...; unknown
// and out-of-range values give "unknown".
std::string_view MetricTypeName(WireMetricType type);

struct WireMetadata {
  WireMetricType type = WireMetricType::kUnknown;
  std::string_view metric_family_name;
  std::string_view help;
  std::string_view unit;
};

struct WireSeries {
  // Ranges in WriteBatch::labels and WriteBatch::samples.
  uint32_t first_label = 0;
  uint32_t num_labels = 0;
  uint32_t first_sample = 0;
  uint32_t num_samples = 0;
  // Range in WriteBatch::histograms_list.
  uint32_t first_histogram = 0;
  uint32_t num_histograms = 0;
  // Range in WriteBatch::exemplars.
  uint32_t first_exemplar = 0;
  uint32_t num_exemplars = 0;
  // 1.0: the encoded label fields when they are contiguous (as every
  // sender writes them); the same bytes always mean the same labels, so
  // they key the series ref cache without looking at each label. Empty
  // otherwise.
  std::string_view label_bytes;
  // With WriteBatch::defer_labels, the labels were left in label_bytes
  // (num_labels is 0): DecodeLabelFields gives them when needed.
  bool labels_deferred = false;
  // 2.0 only: per-series metadata (metric_family_name left empty).
  bool has_metadata = false;
  WireMetadata metadata;
  // Non-null if the series is structurally unusable (2.0: a symbol
  // reference out of range, an odd number of label references, both
  // samples and histograms); its samples must be rejected.
  const char* invalid = nullptr;
};

struct WriteBatch {
  RemoteWriteVersion version = RemoteWriteVersion::kV1;
  std::vector<WireSeries> series;
  std::vector<WireLabel> labels;
  std::vector<WireSample> samples;
  std::vector<WireHistogram> histograms_list;
  std::vector<WireExemplar> exemplars_list;
  std::vector<WireLabel> exemplar_labels;
  // 1.0: the request's metadata list.
  std::vector<WireMetadata> metadata;
  int64_t histograms = 0;
  int64_t exemplars = 0;
  // 2.0: series that carried a created/start timestamp (either layout).
  int64_t start_timestamps = 0;
  // Set by the caller before decoding: leave contiguous 1.0 label fields
  // undecoded (see WireSeries::labels_deferred). Their framing is then
  // checked only by DecodeLabelFields.
  bool defer_labels = false;
  // Set by the caller before decoding: a request with more series than
  // this fails with ResourceExhausted as soon as the decoder sees one too
  // many. 0: no limit.
  size_t max_series = 0;

  // Scratch space of the 2.0 decoder.
  std::vector<std::string_view> symbols;
  std::vector<uint64_t> refs;

  void Clear();
  std::span<const WireLabel> LabelsOf(const WireSeries& s) const {
    return {labels.data() + s.first_label, s.num_labels};
  }
  std::span<const WireSample> SamplesOf(const WireSeries& s) const {
    return {samples.data() + s.first_sample, s.num_samples};
  }
  std::span<const WireHistogram> HistogramsOf(const WireSeries& s) const {
    return {histograms_list.data() + s.first_histogram, s.num_histograms};
  }
  std::span<const WireExemplar> ExemplarsOf(const WireSeries& s) const {
    return {exemplars_list.data() + s.first_exemplar, s.num_exemplars};
  }
  std::span<const WireLabel> LabelsOf(const WireExemplar& e) const {
    return {exemplar_labels.data() + e.first_label, e.num_labels};
  }
};

// Decodes a run of encoded prometheus.TimeSeries label fields (field 1,
// a prometheus.Label each), as in WireSeries::label_bytes, appending to
// `out`. InvalidArgument if malformed.
Status DecodeLabelFields(std::string_view label_bytes,
                         std::vector<WireLabel>* out);

// Decode `data` (the decompressed body) into `batch`, which is cleared
// first (except for defer_labels and max_series). InvalidArgument, naming
// the problem and its byte offset, if the message is malformed (2.0: also
// if symbols[0] is not ""); ResourceExhausted past batch->max_series;
// `batch` is then unspecified.
Status DecodeWriteRequest(RemoteWriteVersion version, std::string_view data,
                          WriteBatch* batch);

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_REMOTE_WRITE_DECODER_H_
