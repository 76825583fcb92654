#include "server/remote/remote_write_decoder.h"

#include <string>
#include <vector>

#include "server/remote/histogram_decoder.h"
#include "server/remote/protowire.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// Field numbers of prometheus.WriteRequest and its parts (remote write 1.0).
namespace v1 {
constexpr uint32_t kRequestTimeseries = 1;
constexpr uint32_t kRequestMetadata = 3;
constexpr uint32_t kSeriesLabels = 1;
constexpr uint32_t kSeriesSamples = 2;
constexpr uint32_t kSeriesExemplars = 3;
constexpr uint32_t kSeriesHistograms = 4;
constexpr uint32_t kLabelName = 1;
constexpr uint32_t kLabelValue = 2;
constexpr uint32_t kSampleValue = 1;
constexpr uint32_t kSampleTimestamp = 2;
constexpr uint32_t kExemplarLabels = 1;
constexpr uint32_t kExemplarValue = 2;
constexpr uint32_t kExemplarTimestamp = 3;
constexpr uint32_t kMetadataType = 1;
constexpr uint32_t kMetadataFamilyName = 2;
constexpr uint32_t kMetadataHelp = 4;
constexpr uint32_t kMetadataUnit = 5;
}  // namespace v1

// Field numbers of io.prometheus.write.v2.Request and its parts.
namespace v2 {
constexpr uint32_t kRequestSymbols = 4;
constexpr uint32_t kRequestTimeseries = 5;
constexpr uint32_t kSeriesLabelRefs = 1;
constexpr uint32_t kSeriesSamples = 2;
constexpr uint32_t kSeriesHistograms = 3;
constexpr uint32_t kSeriesExemplars = 4;
constexpr uint32_t kSeriesMetadata = 5;
constexpr uint32_t kSeriesCreatedTimestamp = 6;  // Layout of rc.0..rc.3.
constexpr uint32_t kSampleValue = 1;
constexpr uint32_t kSampleTimestamp = 2;
constexpr uint32_t kSampleStartTimestamp = 3;  // Layout of rc.4.
constexpr uint32_t kExemplarLabelRefs = 1;
constexpr uint32_t kExemplarValue = 2;
constexpr uint32_t kExemplarTimestamp = 3;
constexpr uint32_t kMetadataType = 1;
constexpr uint32_t kMetadataHelpRef = 3;
constexpr uint32_t kMetadataUnitRef = 4;
}  // namespace v2

constexpr uint64_t kMaxMetricType = 7;

Status Malformed(std::string_view message, const WireReader& r,
                 std::string_view where) {
  return Status::InvalidArgument(
      Cat("malformed ", message, ": ",
          r.error() != nullptr ? r.error() : "unexpected field", " in ", where,
          " at byte ", r.offset()));
}

// Decodes one histogram message of either version into a new entry of
// batch->histograms_list.
template <typename Where>
Status DecodeHistogram(RemoteWriteVersion version, std::string_view message,
                       std::string_view data, WriteBatch* batch,
                       const Where& where) {
  const char* error = nullptr;
  size_t offset = 0;
  if (!DecodeWireHistogram(version, data,
                           &batch->histograms_list.emplace_back(), &error,
                           &offset)) {
    return Status::InvalidArgument(Cat("malformed ", message, ": ", error,
                                       " in ", where(), " at byte ", offset));
  }
  return Status::OK();
}

WireMetricType ToMetricType(uint64_t v) {
  return v <= kMaxMetricType ? static_cast<WireMetricType>(v)
                             : WireMetricType::kUnknown;
}

// ---- 1.0 ----

template <typename Where>
Status DecodeOneLabel(std::string_view data, WireLabel* label,
                      const Where& where) {
  WireReader r(data);
  while (r.Next()) {
    if (r.field() == v1::kLabelName) {
      if (!r.Bytes(&label->name)) break;
    } else if (r.field() == v1::kLabelValue) {
      if (!r.Bytes(&label->value)) break;
    }
  }
  if (r.error() != nullptr) return Malformed("prometheus.Label", r, where());
  return Status::OK();
}

template <typename Where>
Status DecodeExemplarV1(std::string_view data, WriteBatch* batch,
                        const Where& where) {
  WireExemplar e;
  e.first_label = static_cast<uint32_t>(batch->exemplar_labels.size());
  WireReader r(data);
  while (r.Next()) {
    std::string_view sub;
    if (r.field() == v1::kExemplarLabels) {
      if (!r.Bytes(&sub)) break;
      WireLabel label;
      STRATA_RETURN_IF_ERROR(DecodeOneLabel(sub, &label, where));
      batch->exemplar_labels.push_back(label);
    } else if (r.field() == v1::kExemplarValue) {
      if (!r.Double(&e.value)) break;
    } else if (r.field() == v1::kExemplarTimestamp) {
      if (!r.Int64(&e.timestamp)) break;
    }
  }
  if (r.error() != nullptr) return Malformed("prometheus.Exemplar", r, where());
  e.num_labels =
      static_cast<uint32_t>(batch->exemplar_labels.size()) - e.first_label;
  batch->exemplars_list.push_back(e);
  return Status::OK();
}

Status DecodeSeriesV1(std::string_view data, size_t index, WriteBatch* batch) {
  WireSeries series;
  series.first_label = static_cast<uint32_t>(batch->labels.size());
  series.first_sample = static_cast<uint32_t>(batch->samples.size());
  series.first_histogram = static_cast<uint32_t>(batch->histograms_list.size());
  series.first_exemplar = static_cast<uint32_t>(batch->exemplars_list.size());
  WireReader r(data);
  const auto where = [index] { return Cat("timeseries #", index); };
  // [labels_begin, labels_end) spans the label fields while they are
  // contiguous.
  enum class Span { kNone, kOpen, kClosed, kSplit } span = Span::kNone;
  size_t labels_begin = 0, labels_end = 0;
  while (r.Next()) {
    std::string_view sub;
    if (r.field() != v1::kSeriesLabels && span == Span::kOpen) {
      span = Span::kClosed;
    }
    switch (r.field()) {
      case v1::kSeriesLabels: {
        if (!r.Bytes(&sub)) break;
        if (span == Span::kNone) {
          span = Span::kOpen;
          labels_begin = r.field_begin();
        } else if (span == Span::kClosed) {
          span = Span::kSplit;  // Not contiguous: no key.
        }
        labels_end = r.offset();
        if (batch->defer_labels) break;  // Decoded after the loop, if at all.
        WireLabel label;
        STRATA_RETURN_IF_ERROR(DecodeOneLabel(sub, &label, where));
        batch->labels.push_back(label);
        break;
      }
      case v1::kSeriesSamples: {
        if (!r.Bytes(&sub)) break;
        WireSample sample;
        WireReader sr(sub);
        while (sr.Next()) {
          if (sr.field() == v1::kSampleValue) {
            if (!sr.Double(&sample.value)) break;
          } else if (sr.field() == v1::kSampleTimestamp) {
            if (!sr.Int64(&sample.timestamp)) break;
          }
        }
        if (sr.error() != nullptr) {
          return Malformed("prometheus.Sample", sr, where());
        }
        batch->samples.push_back(sample);
        break;
      }
      case v1::kSeriesExemplars: {
        if (!r.Bytes(&sub)) break;
        STRATA_RETURN_IF_ERROR(DecodeExemplarV1(sub, batch, where));
        break;
      }
      case v1::kSeriesHistograms: {
        if (!r.Bytes(&sub)) break;
        STRATA_RETURN_IF_ERROR(DecodeHistogram(RemoteWriteVersion::kV1,
                                               "prometheus.Histogram", sub,
                                               batch, where));
        break;
      }
      default:
        break;  // Unknown fields are skipped, as proto3 requires.
    }
  }
  if (r.error() != nullptr) {
    return Malformed("prometheus.TimeSeries", r, where());
  }
  series.num_labels =
      static_cast<uint32_t>(batch->labels.size()) - series.first_label;
  series.num_samples =
      static_cast<uint32_t>(batch->samples.size()) - series.first_sample;
  series.num_histograms = static_cast<uint32_t>(batch->histograms_list.size()) -
                          series.first_histogram;
  series.num_exemplars = static_cast<uint32_t>(batch->exemplars_list.size()) -
                         series.first_exemplar;
  const bool contiguous = span == Span::kOpen || span == Span::kClosed;
  if (contiguous) {
    series.label_bytes = data.substr(labels_begin, labels_end - labels_begin);
  }
  if (batch->defer_labels) {
    if (contiguous) {
      series.labels_deferred = true;
    } else if (span == Span::kSplit) {
      // Rare: labels interleaved with other fields. Decode them now.
      WireReader again(data);
      while (again.Next()) {
        std::string_view sub;
        if (again.field() != v1::kSeriesLabels || !again.Bytes(&sub)) continue;
        WireLabel label;
        STRATA_RETURN_IF_ERROR(DecodeOneLabel(sub, &label, where));
        batch->labels.push_back(label);
      }
      series.num_labels =
          static_cast<uint32_t>(batch->labels.size()) - series.first_label;
    }
  }
  batch->histograms += series.num_histograms;
  batch->exemplars += series.num_exemplars;
  batch->series.push_back(series);
  return Status::OK();
}

Status DecodeMetadataV1(std::string_view data, WriteBatch* batch) {
  WireMetadata m;
  WireReader r(data);
  while (r.Next()) {
    uint64_t type;
    switch (r.field()) {
      case v1::kMetadataType:
        if (r.Varint(&type)) m.type = ToMetricType(type);
        break;
      case v1::kMetadataFamilyName:
        r.Bytes(&m.metric_family_name);
        break;
      case v1::kMetadataHelp:
        r.Bytes(&m.help);
        break;
      case v1::kMetadataUnit:
        r.Bytes(&m.unit);
        break;
      default:
        break;
    }
  }
  if (r.error() != nullptr) {
    return Malformed("prometheus.MetricMetadata", r, "metadata");
  }
  batch->metadata.push_back(m);
  return Status::OK();
}

// ResourceExhausted once a request has more series than the caller allows.
Status TooManySeries(const WriteBatch& batch) {
  return Status::ResourceExhausted(
      Cat("too many series in one request: more than the limit of ",
          batch.max_series,
          " (--remote-write.max-series-per-request); send smaller batches"));
}

Status DecodeV1(std::string_view data, WriteBatch* batch) {
  WireReader r(data);
  size_t index = 0;
  while (r.Next()) {
    std::string_view sub;
    if (r.field() == v1::kRequestTimeseries) {
      if (!r.Bytes(&sub)) break;
      if (batch->max_series > 0 && index >= batch->max_series) {
        return TooManySeries(*batch);
      }
      STRATA_RETURN_IF_ERROR(DecodeSeriesV1(sub, index++, batch));
    } else if (r.field() == v1::kRequestMetadata) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeMetadataV1(sub, batch));
    }
  }
  if (r.error() != nullptr) {
    return Malformed("prometheus.WriteRequest", r, "request");
  }
  return Status::OK();
}

// ---- 2.0 ----

class V2Decoder {
 public:
  explicit V2Decoder(WriteBatch* batch) : batch_(batch) {}

  Status Decode(std::string_view data) {
    // Symbols may follow the series that reference them, so collect both
    // first.
    std::vector<std::string_view> series_data;
    WireReader r(data);
    while (r.Next()) {
      std::string_view sub;
      if (r.field() == v2::kRequestSymbols) {
        if (!r.Bytes(&sub)) break;
        batch_->symbols.push_back(sub);
      } else if (r.field() == v2::kRequestTimeseries) {
        if (!r.Bytes(&sub)) break;
        if (batch_->max_series > 0 &&
            series_data.size() >= batch_->max_series) {
          return TooManySeries(*batch_);
        }
        series_data.push_back(sub);
      } else if (r.field() <= 3) {
        return Status::InvalidArgument(
            "malformed io.prometheus.write.v2.Request: it has fields of "
            "prometheus.WriteRequest (remote write 1.0); check the "
            "Content-Type");
      }
    }
    if (r.error() != nullptr) {
      return Malformed("io.prometheus.write.v2.Request", r, "request");
    }
    // The spec: "symbols[0] MUST be an empty string". A sender that gets
    // this wrong numbers its references differently from us, so every
    // label it sends would be misread.
    if (!batch_->symbols.empty() && !batch_->symbols[0].empty()) {
      constexpr size_t kShown = 64;
      const std::string_view first = batch_->symbols[0];
      return Status::InvalidArgument(
          Cat("malformed io.prometheus.write.v2.Request: symbols[0] must be "
              "the empty string, got ",
              GoQuoted(first.substr(0, kShown)),
              first.size() > kShown ? " (truncated)" : ""));
    }
    for (size_t i = 0; i < series_data.size(); ++i) {
      STRATA_RETURN_IF_ERROR(DecodeSeries(series_data[i], i));
    }
    return Status::OK();
  }

 private:
  bool Symbol(uint64_t ref, std::string_view* out) const {
    if (ref >= batch_->symbols.size()) return false;
    *out = batch_->symbols[ref];
    return true;
  }

  // Decodes one exemplar, its labels resolved through the symbols; marks
  // the series invalid if they cannot be.
  template <typename Where>
  Status DecodeExemplar(std::string_view data, WireSeries* series,
                        const Where& where) {
    WireExemplar e;
    e.first_label = static_cast<uint32_t>(batch_->exemplar_labels.size());
    std::vector<uint64_t> refs;
    WireReader er(data);
    while (er.Next()) {
      if (er.field() == v2::kExemplarLabelRefs) {
        er.RepeatedVarint([&](uint64_t v) { refs.push_back(v); });
      } else if (er.field() == v2::kExemplarValue) {
        if (!er.Double(&e.value)) break;
      } else if (er.field() == v2::kExemplarTimestamp) {
        if (!er.Int64(&e.timestamp)) break;
      }
    }
    if (er.error() != nullptr) {
      return Malformed("io.prometheus.write.v2.Exemplar", er, where());
    }
    bool refs_ok = refs.size() % 2 == 0;
    for (size_t i = 0; refs_ok && i < refs.size(); i += 2) {
      WireLabel label;
      refs_ok =
          Symbol(refs[i], &label.name) && Symbol(refs[i + 1], &label.value);
      if (refs_ok) batch_->exemplar_labels.push_back(label);
    }
    if (!refs_ok) {
      series->invalid = "exemplar label references out of range";
      batch_->exemplar_labels.resize(e.first_label);
    }
    e.num_labels =
        static_cast<uint32_t>(batch_->exemplar_labels.size()) - e.first_label;
    batch_->exemplars_list.push_back(e);
    return Status::OK();
  }

  Status DecodeSeries(std::string_view data, size_t index) {
    WireSeries series;
    series.first_label = static_cast<uint32_t>(batch_->labels.size());
    series.first_sample = static_cast<uint32_t>(batch_->samples.size());
    series.first_histogram =
        static_cast<uint32_t>(batch_->histograms_list.size());
    series.first_exemplar =
        static_cast<uint32_t>(batch_->exemplars_list.size());
    batch_->refs.clear();
    int64_t created_timestamp = 0;
    bool any_start_timestamp = false;
    const auto where = [index] { return Cat("timeseries #", index); };
    WireReader r(data);
    while (r.Next()) {
      std::string_view sub;
      switch (r.field()) {
        case v2::kSeriesLabelRefs:
          r.RepeatedVarint([this](uint64_t v) { batch_->refs.push_back(v); });
          break;
        case v2::kSeriesSamples: {
          if (!r.Bytes(&sub)) break;
          WireSample sample;
          WireReader sr(sub);
          while (sr.Next()) {
            if (sr.field() == v2::kSampleValue) {
              if (!sr.Double(&sample.value)) break;
            } else if (sr.field() == v2::kSampleTimestamp) {
              if (!sr.Int64(&sample.timestamp)) break;
            } else if (sr.field() == v2::kSampleStartTimestamp) {
              if (!sr.Int64(&sample.start_timestamp)) break;
            }
          }
          if (sr.error() != nullptr) {
            return Malformed("io.prometheus.write.v2.Sample", sr, where());
          }
          any_start_timestamp |= sample.start_timestamp != 0;
          batch_->samples.push_back(sample);
          break;
        }
        case v2::kSeriesHistograms: {
          if (!r.Bytes(&sub)) break;
          STRATA_RETURN_IF_ERROR(DecodeHistogram(
              RemoteWriteVersion::kV2, "io.prometheus.write.v2.Histogram", sub,
              batch_, where));
          any_start_timestamp |=
              batch_->histograms_list.back().start_timestamp != 0;
          break;
        }
        case v2::kSeriesExemplars: {
          if (!r.Bytes(&sub)) break;
          STRATA_RETURN_IF_ERROR(DecodeExemplar(sub, &series, where));
          break;
        }
        case v2::kSeriesMetadata: {
          if (!r.Bytes(&sub)) break;
          WireReader mr(sub);
          uint64_t type = 0, help_ref = 0, unit_ref = 0;
          while (mr.Next()) {
            if (mr.field() == v2::kMetadataType) {
              mr.Varint(&type);
            } else if (mr.field() == v2::kMetadataHelpRef) {
              mr.Varint(&help_ref);
            } else if (mr.field() == v2::kMetadataUnitRef) {
              mr.Varint(&unit_ref);
            }
          }
          if (mr.error() != nullptr) {
            return Malformed("io.prometheus.write.v2.Metadata", mr, where());
          }
          series.has_metadata = true;
          series.metadata.type = ToMetricType(type);
          if (!Symbol(help_ref, &series.metadata.help) ||
              !Symbol(unit_ref, &series.metadata.unit)) {
            // An empty symbol table with zero refs means "no help/unit".
            if (help_ref != 0 || unit_ref != 0 || !batch_->symbols.empty()) {
              series.invalid = "metadata symbol reference out of range";
            }
          }
          break;
        }
        case v2::kSeriesCreatedTimestamp:
          r.Int64(&created_timestamp);
          break;
        default:
          break;
      }
    }
    if (r.error() != nullptr) {
      return Malformed("io.prometheus.write.v2.TimeSeries", r, where());
    }
    series.num_samples =
        static_cast<uint32_t>(batch_->samples.size()) - series.first_sample;
    series.num_histograms =
        static_cast<uint32_t>(batch_->histograms_list.size()) -
        series.first_histogram;
    series.num_exemplars =
        static_cast<uint32_t>(batch_->exemplars_list.size()) -
        series.first_exemplar;
    if (batch_->refs.size() % 2 != 0) {
      series.invalid = "odd number of label references";
    } else {
      for (size_t i = 0; i < batch_->refs.size(); i += 2) {
        WireLabel label;
        if (!Symbol(batch_->refs[i], &label.name) ||
            !Symbol(batch_->refs[i + 1], &label.value)) {
          series.invalid = "label symbol reference out of range";
          break;
        }
        batch_->labels.push_back(label);
      }
    }
    series.num_labels =
        static_cast<uint32_t>(batch_->labels.size()) - series.first_label;
    if (series.num_samples > 0 && series.num_histograms > 0) {
      series.invalid = "samples and histograms in one series";
    }
    // The rc.0..rc.3 layout: one created timestamp for all the samples.
    if (created_timestamp != 0) {
      any_start_timestamp = true;
      for (uint32_t i = 0; i < series.num_samples; ++i) {
        WireSample& s = batch_->samples[series.first_sample + i];
        if (s.start_timestamp == 0) s.start_timestamp = created_timestamp;
      }
    }
    if (any_start_timestamp) ++batch_->start_timestamps;
    batch_->histograms += series.num_histograms;
    batch_->exemplars += series.num_exemplars;
    batch_->series.push_back(series);
    return Status::OK();
  }

  WriteBatch* batch_;
};

}  // namespace

std::string_view MetricTypeName(WireMetricType type) {
  switch (type) {
    case WireMetricType::kCounter:
      return "counter";
    case WireMetricType::kGauge:
      return "gauge";
    case WireMetricType::kHistogram:
      return "histogram";
    case WireMetricType::kGaugeHistogram:
      return "gaugehistogram";
    case WireMetricType::kSummary:
      return "summary";
    case WireMetricType::kInfo:
      return "info";
    case WireMetricType::kStateSet:
      return "stateset";
    case WireMetricType::kUnknown:
      break;
  }
  return "unknown";
}

Status DecodeLabelFields(std::string_view label_bytes,
                         std::vector<WireLabel>* out) {
  WireReader r(label_bytes);
  const auto where = [] { return std::string("label fields"); };
  while (r.Next()) {
    std::string_view sub;
    if (r.field() != v1::kSeriesLabels) {
      return Status::InvalidArgument("not a label field");
    }
    if (!r.Bytes(&sub)) break;
    WireLabel label;
    STRATA_RETURN_IF_ERROR(DecodeOneLabel(sub, &label, where));
    out->push_back(label);
  }
  if (r.error() != nullptr)
    return Malformed("prometheus.TimeSeries", r, "labels");
  return Status::OK();
}

void WriteBatch::Clear() {
  series.clear();
  labels.clear();
  samples.clear();
  histograms_list.clear();
  exemplars_list.clear();
  exemplar_labels.clear();
  metadata.clear();
  symbols.clear();
  refs.clear();
  histograms = 0;
  exemplars = 0;
  start_timestamps = 0;
}

Status DecodeWriteRequest(RemoteWriteVersion version, std::string_view data,
                          WriteBatch* batch) {
  const bool defer_labels = batch->defer_labels;
  batch->Clear();
  batch->defer_labels = defer_labels && version == RemoteWriteVersion::kV1;
  batch->version = version;
  if (version == RemoteWriteVersion::kV1) return DecodeV1(data, batch);
  return V2Decoder(batch).Decode(data);
}

}  // namespace strata::server
