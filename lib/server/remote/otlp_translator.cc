#include "server/remote/otlp_translator.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/remote/otlp_exponential.h"
#include "server/remote/otlp_names.h"
#include "strata/appender.h"
#include "strata/labels.h"
#include "util/coding.h"
#include "util/go_format.h"
#include "util/strings.h"

namespace strata::server {
namespace {

constexpr std::string_view kServiceName = "service.name";
constexpr std::string_view kServiceNamespace = "service.namespace";
constexpr std::string_view kServiceInstanceId = "service.instance.id";
constexpr std::string_view kTargetInfo = "target_info";
// target_info samples written per resource at most (the latest ones), so
// that one point with an ancient timestamp cannot make millions.
constexpr uint64_t kMaxTargetInfoSamples = 1000;

constexpr int64_t kNanosPerMilli = 1000000;

bool IsIdentifying(std::string_view key) {
  return key == kServiceName || key == kServiceNamespace ||
         key == kServiceInstanceId;
}

int64_t ToMillis(uint64_t unix_nano) {
  return static_cast<int64_t>(unix_nano) / kNanosPerMilli;
}

OtlpNameKind NameKindOf(const OtlpMetric& m) {
  switch (m.type) {
    case OtlpMetricType::kGauge:
      return OtlpNameKind::kGauge;
    case OtlpMetricType::kSum:
      return m.monotonic ? OtlpNameKind::kMonotonicCounter
                         : OtlpNameKind::kNonMonotonicCounter;
    case OtlpMetricType::kHistogram:
      return OtlpNameKind::kHistogram;
    case OtlpMetricType::kExponentialHistogram:
      return OtlpNameKind::kExponentialHistogram;
    case OtlpMetricType::kSummary:
      return OtlpNameKind::kSummary;
    case OtlpMetricType::kNone:
      break;
  }
  return OtlpNameKind::kUnknown;
}

WireMetricType MetadataTypeOf(const OtlpMetric& m) {
  switch (m.type) {
    case OtlpMetricType::kSum:
      return m.monotonic ? WireMetricType::kCounter : WireMetricType::kGauge;
    case OtlpMetricType::kHistogram:
    case OtlpMetricType::kExponentialHistogram:
      return WireMetricType::kHistogram;
    case OtlpMetricType::kSummary:
      return WireMetricType::kSummary;
    case OtlpMetricType::kGauge:
      return WireMetricType::kGauge;
    case OtlpMetricType::kNone:
      break;
  }
  return WireMetricType::kUnknown;
}

bool HasTemporality(OtlpMetricType type) {
  return type == OtlpMetricType::kSum || type == OtlpMetricType::kHistogram ||
         type == OtlpMetricType::kExponentialHistogram;
}

// A label set being built: (name, value) pairs, unsorted; an empty value
// means absent (as Prometheus's labels.Builder).
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

std::string* Find(LabelPairs& labels, std::string_view name) {
  for (auto& [n, v] : labels) {
    if (n == name) return &v;
  }
  return nullptr;
}

void Set(LabelPairs& labels, std::string_view name, std::string value) {
  if (std::string* existing = Find(labels, name)) {
    *existing = std::move(value);
  } else {
    labels.emplace_back(name, std::move(value));
  }
}

// One TranslateOtlp call.
class Translator {
 public:
  Translator(const OtlpRequest& request, const OtlpTranslateOptions& options,
             int max_described, OtlpTranslation* out)
      : request_(request),
        options_(options),
        max_described_(max_described),
        out_(out) {}

  void Run() {
    for (const OtlpResource& resource : request_.resources) {
      TranslateResource(resource);
    }
  }

 private:
  void Reject(OtlpRejectReason reason, int64_t points,
              std::string description) {
    out_->rejected[static_cast<size_t>(reason)] += std::max<int64_t>(points, 1);
    if (static_cast<int>(out_->rejections.size()) < max_described_) {
      out_->rejections.push_back(
          Cat(OtlpRejectReasonName(reason), ": ", description));
    }
  }

  // A string the batch can point to until the translation is destroyed.
  std::string_view Keep(std::string s) {
    return out_->text.emplace_back(std::move(s));
  }

  std::string AttributeText(const OtlpAttribute& a) {
    std::string text;
    if (!AnyValueText(a.value, &text).ok()) text.clear();
    return text;
  }

  void TranslateResource(const OtlpResource& resource) {
    job_.clear();
    instance_.clear();
    std::optional<std::string> name, namespace_;
    for (const OtlpAttribute& a :
         OtlpRequest::Slice(request_.attributes, resource.attributes)) {
      if (a.key == kServiceName) name = AttributeText(a);
      if (a.key == kServiceNamespace) namespace_ = AttributeText(a);
      if (a.key == kServiceInstanceId) instance_ = AttributeText(a);
    }
    if (name) job_ = namespace_ ? Cat(*namespace_, "/", *name) : *name;

    uint64_t earliest = std::numeric_limits<uint64_t>::max();
    uint64_t latest = 0;
    for (const OtlpScope& scope :
         OtlpRequest::Slice(request_.scopes, resource.scopes)) {
      for (const OtlpMetric& metric :
           OtlpRequest::Slice(request_.metrics, scope.metrics)) {
        for (const OtlpPoint& p :
             OtlpRequest::Slice(request_.points, metric.points)) {
          earliest = std::min(earliest, p.time_unix_nano);
          latest = std::max(latest, p.time_unix_nano);
        }
        TranslateMetric(metric);
      }
    }
    if (earliest <= latest) AddTargetInfo(resource, earliest, latest);
  }

  void TranslateMetric(const OtlpMetric& metric) {
    const int64_t points = metric.points.count;
    if (metric.type == OtlpMetricType::kNone) {
      Reject(OtlpRejectReason::kInvalidMetric, points,
             Cat("could not get aggregation temporality for ", metric.name,
                 " as it has unsupported metric type Empty"));
      return;
    }
    if (HasTemporality(metric.type) &&
        metric.temporality != OtlpTemporality::kCumulative) {
      Reject(OtlpRejectReason::kInvalidTemporality, points,
             Cat("invalid temporality and type combination for metric ",
                 GoQuoted(metric.name)));
      return;
    }
    StatusOr<std::string> family =
        OtlpMetricName(metric.name, metric.unit, NameKindOf(metric),
                       options_.add_metric_suffixes);
    if (!family.ok()) {
      Reject(OtlpRejectReason::kInvalidMetric, points,
             std::string(family.status().message()));
      return;
    }
    if (points == 0) {
      Reject(OtlpRejectReason::kInvalidMetric, 0,
             Cat("empty data points. ", metric.name, " is dropped"));
      return;
    }
    if (metric.type == OtlpMetricType::kExponentialHistogram &&
        !options_.native_histograms) {
      Reject(OtlpRejectReason::kExponentialHistogram, points,
             Cat("exponential histogram ", GoQuoted(metric.name), " (", points,
                 " data points) not stored: native histograms are disabled "
                 "(--enable-feature=native-histograms)"));
      return;
    }
    const std::string_view name = Keep(*std::move(family));
    out_->batch.metadata.push_back(
        WireMetadata{MetadataTypeOf(metric), name, metric.description,
                     Keep(OtlpUnitName(metric.unit))});
    for (const OtlpPoint& p :
         OtlpRequest::Slice(request_.points, metric.points)) {
      TranslatePoint(metric, name, p);
    }
  }

  void TranslatePoint(const OtlpMetric& metric, std::string_view name,
                      const OtlpPoint& p) {
    LabelPairs labels;
    Status built =
        AttributeLabels(p.attributes, /*skip_identifying=*/false, &labels);
    if (!built.ok()) {
      Reject(OtlpRejectReason::kInvalidMetric, 1,
             Cat("metric ", GoQuoted(metric.name), ": ", built.message()));
      return;
    }
    const std::vector<WireLabel> base = KeepLabels(labels);
    const int64_t t = ToMillis(p.time_unix_nano);
    const bool stale = (p.flags & kOtlpFlagNoRecordedValue) != 0;
    const auto value = [stale](double v) {
      return stale ? BitsToDouble(kStaleNaNBits) : v;
    };
    switch (metric.type) {
      case OtlpMetricType::kGauge:
      case OtlpMetricType::kSum:
        Emit(base, name, {}, t, value(p.value));
        return;
      case OtlpMetricType::kHistogram:
        EmitHistogram(base, name, p, t, value);
        return;
      case OtlpMetricType::kSummary:
        EmitSummary(base, name, p, t, value);
        return;
      case OtlpMetricType::kExponentialHistogram:
        EmitExponentialHistogram(metric, base, name, p, t);
        return;
      default:
        return;
    }
  }

  template <typename Value>
  void EmitHistogram(const std::vector<WireLabel>& base, std::string_view name,
                     const OtlpPoint& p, int64_t t, const Value& value) {
    if (p.has_sum) Emit(base, Keep(Cat(name, "_sum")), {}, t, value(p.sum));
    Emit(base, Keep(Cat(name, "_count")), {}, t,
         value(static_cast<double>(p.count)));
    const std::string_view bucket = Keep(Cat(name, "_bucket"));
    const auto bounds =
        OtlpRequest::Slice(request_.explicit_bounds, p.explicit_bounds);
    const auto counts =
        OtlpRequest::Slice(request_.bucket_counts, p.bucket_counts);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds.size() && i < counts.size(); ++i) {
      cumulative += counts[i];
      const std::string_view le =
          Keep(FormatGoFloat(bounds[i], GoFloatFormat::kFixed));
      Emit(base, bucket, {"le", le}, t, value(static_cast<double>(cumulative)));
    }
    Emit(base, bucket, {"le", "+Inf"}, t, value(static_cast<double>(p.count)));
  }

  void EmitExponentialHistogram(const OtlpMetric& metric,
                                const std::vector<WireLabel>& base,
                                std::string_view name, const OtlpPoint& p,
                                int64_t t) {
    StatusOr<::strata::Histogram> h = ExponentialToNativeHistogram(p, request_);
    if (!h.ok()) {
      Reject(OtlpRejectReason::kInvalidMetric, 1,
             Cat("metric ", GoQuoted(metric.name), ": ", h.status().message()));
      return;
    }
    EmitNativeHistogram(base, name, t, *std::move(h));
  }

  template <typename Value>
  void EmitSummary(const std::vector<WireLabel>& base, std::string_view name,
                   const OtlpPoint& p, int64_t t, const Value& value) {
    Emit(base, Keep(Cat(name, "_sum")), {}, t, value(p.sum));
    Emit(base, Keep(Cat(name, "_count")), {}, t,
         value(static_cast<double>(p.count)));
    for (const OtlpQuantile& q :
         OtlpRequest::Slice(request_.quantiles, p.quantiles)) {
      const std::string_view quantile =
          Keep(FormatGoFloat(q.quantile, GoFloatFormat::kFixed));
      Emit(base, name, {"quantile", quantile}, t, value(q.value));
    }
  }

  // The labels of `attributes` (without service.* with
  // skip_identifying), then job and instance. Prometheus's
  // createAttributes.
  Status AttributeLabels(OtlpRange attributes, bool skip_identifying,
                         LabelPairs* out) {
    std::vector<std::pair<std::string_view, std::string>> sorted;
    for (const OtlpAttribute& a :
         OtlpRequest::Slice(request_.attributes, attributes)) {
      if (a.key == kMetricNameLabel) continue;
      if (skip_identifying && IsIdentifying(a.key)) continue;
      sorted.emplace_back(a.key, AttributeText(a));
    }
    std::stable_sort(
        sorted.begin(), sorted.end(),
        [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [key, value] : sorted) {
      StatusOr<std::string> name = OtlpLabelName(key);
      if (!name.ok()) return name.status();
      std::string* existing = Find(*out, *name);
      if (existing != nullptr && !existing->empty()) {
        ++out_->label_collisions;
        CatTo(existing, ";", value);
      } else {
        Set(*out, *name, std::move(value));
      }
    }
    if (!job_.empty()) Set(*out, "job", job_);
    if (!instance_.empty()) Set(*out, "instance", instance_);
    return Status::OK();
  }

  // `labels` without the empty ones, kept for the batch.
  std::vector<WireLabel> KeepLabels(const LabelPairs& labels) {
    std::vector<WireLabel> out;
    for (const auto& [name, value] : labels) {
      if (value.empty()) continue;
      out.push_back({Keep(name), Keep(value)});
    }
    return out;
  }

  // Adds a series of one sample: `base`, __name__=`name` and `extra` (if
  // its name is not empty), sorted.
  void Emit(const std::vector<WireLabel>& base, std::string_view name,
            WireLabel extra, int64_t t, double v) {
    WriteBatch& batch = out_->batch;
    WireSeries series = SeriesLabels(base, name, extra);
    series.first_sample = static_cast<uint32_t>(batch.samples.size());
    series.num_samples = 1;
    batch.samples.push_back(WireSample{t, v, 0});
    batch.series.push_back(series);
  }

  // Adds a series of one native histogram sample: `base` and
  // __name__=`name`.
  void EmitNativeHistogram(const std::vector<WireLabel>& base,
                           std::string_view name, int64_t t,
                           ::strata::Histogram h) {
    WriteBatch& batch = out_->batch;
    WireSeries series = SeriesLabels(base, name, {});
    series.first_histogram =
        static_cast<uint32_t>(batch.histograms_list.size());
    series.num_histograms = 1;
    WireHistogram& wire = batch.histograms_list.emplace_back();
    wire.timestamp = t;
    wire.integer = std::move(h);
    ++batch.histograms;
    batch.series.push_back(series);
  }

  // A series whose labels, `base`, __name__=`name` and `extra` (if its
  // name is not empty), sorted, are appended to the batch's labels.
  WireSeries SeriesLabels(const std::vector<WireLabel>& base,
                          std::string_view name, WireLabel extra) {
    WriteBatch& batch = out_->batch;
    WireSeries series;
    series.first_label = static_cast<uint32_t>(batch.labels.size());
    for (const WireLabel& l : base) {
      if (l.name == kMetricNameLabel || l.name == extra.name) continue;
      batch.labels.push_back(l);
    }
    batch.labels.push_back({kMetricNameLabel, name});
    if (!extra.name.empty()) batch.labels.push_back(extra);
    std::sort(
        batch.labels.begin() + series.first_label, batch.labels.end(),
        [](const WireLabel& a, const WireLabel& b) { return a.name < b.name; });
    series.num_labels =
        static_cast<uint32_t>(batch.labels.size() - series.first_label);
    return series;
  }

  // target_info for `resource`, whose points span [earliest, latest]
  // (Prometheus's addResourceTargetInfo).
  void AddTargetInfo(const OtlpResource& resource, uint64_t earliest,
                     uint64_t latest) {
    const auto attributes =
        OtlpRequest::Slice(request_.attributes, resource.attributes);
    if (std::all_of(
            attributes.begin(), attributes.end(),
            [](const OtlpAttribute& a) { return IsIdentifying(a.key); })) {
      return;  // Nothing beyond job and instance.
    }
    LabelPairs labels;
    Status built = AttributeLabels(resource.attributes,
                                   /*skip_identifying=*/true, &labels);
    if (!built.ok()) {
      Reject(OtlpRejectReason::kInvalidMetric, 1,
             Cat("target_info: ", built.message()));
      return;
    }
    if (job_.empty() && instance_.empty()) {
      const std::string* job = Find(labels, "job");
      const std::string* instance = Find(labels, "instance");
      if ((job == nullptr || job->empty()) &&
          (instance == nullptr || instance->empty())) {
        return;  // Needs an identifying label.
      }
    }
    const std::vector<WireLabel> base = KeepLabels(labels);
    if (!target_info_metadata_) {
      target_info_metadata_ = true;
      out_->batch.metadata.push_back(WireMetadata{
          WireMetricType::kGauge, kTargetInfo, "Target metadata", ""});
    }
    std::string key;
    for (const WireLabel& l : base)
      CatTo(&key, l.name, "\xff", l.value, "\xff");
    const uint64_t interval = static_cast<uint64_t>(
        std::max<int64_t>(options_.lookback_delta_ms / 2, 1) * kNanosPerMilli);
    // Grid points before `latest`: earliest + k * interval, k = 0..steps;
    // only the last kMaxTargetInfoSamples of them.
    const uint64_t steps = (latest - earliest) / interval;
    const uint64_t skip =
        steps >= kMaxTargetInfoSamples ? steps - kMaxTargetInfoSamples + 1 : 0;
    uint64_t t = earliest + skip * interval;
    for (uint64_t n = 0; n < kMaxTargetInfoSamples && t < latest; ++n) {
      AddTargetInfoSample(base, key, ToMillis(t));
      if (latest - t <= interval) break;
      t += interval;
    }
    AddTargetInfoSample(base, key, ToMillis(latest));
  }

  void AddTargetInfoSample(const std::vector<WireLabel>& base,
                           const std::string& key, int64_t t) {
    // Resources with the same labels share their samples.
    if (!target_info_seen_.emplace(key, t).second) return;
    Emit(base, kTargetInfo, {}, t, 1.0);
  }

  const OtlpRequest& request_;
  const OtlpTranslateOptions& options_;
  const int max_described_;
  OtlpTranslation* const out_;
  // The current resource's job and instance ("" if none).
  std::string job_;
  std::string instance_;
  bool target_info_metadata_ = false;
  std::set<std::pair<std::string, int64_t>> target_info_seen_;
};

}  // namespace

std::string_view OtlpRejectReasonName(OtlpRejectReason reason) {
  switch (reason) {
    case OtlpRejectReason::kInvalidTemporality:
      return "invalid_temporality";
    case OtlpRejectReason::kExponentialHistogram:
      return "exponential_histogram";
    case OtlpRejectReason::kInvalidMetric:
      break;
  }
  return "invalid_metric";
}

int64_t OtlpTranslation::total_rejected() const {
  int64_t total = 0;
  for (int64_t n : rejected) total += n;
  return total;
}

std::string OtlpTranslation::RejectionSummary() const {
  std::string out = Cat(total_rejected(), " data points rejected (");
  bool first = true;
  for (size_t i = 0; i < kNumOtlpRejectReasons; ++i) {
    if (rejected[i] == 0) continue;
    CatTo(&out, first ? "" : ", ",
          OtlpRejectReasonName(static_cast<OtlpRejectReason>(i)), ": ",
          rejected[i]);
    first = false;
  }
  out += ")";
  for (const std::string& r : rejections) CatTo(&out, "; ", r);
  return out;
}

void TranslateOtlp(const OtlpRequest& request,
                   const OtlpTranslateOptions& options, int max_described,
                   OtlpTranslation* out) {
  out->batch.Clear();
  out->text.clear();
  out->rejected = {};
  out->rejections.clear();
  out->label_collisions = 0;
  Translator(request, options, max_described, out).Run();
}

}  // namespace strata::server
