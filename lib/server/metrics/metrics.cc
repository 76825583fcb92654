#include "server/metrics/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "util/go_format.h"
#include "util/log.h"
#include "util/strings.h"

namespace strata::server {

namespace {

// client_golang's writeFloat: Go's 'g' form, except that -0 prints as "0".
void AppendExpositionFloat(std::string* out, double v) {
  AppendGoFloat(out, v == 0 ? 0.0 : v, GoFloatFormat::kShortest);
}

std::string ExpositionFloat(double v) {
  std::string out;
  AppendExpositionFloat(&out, v);
  return out;
}

bool IsNameChar(char c, bool first, bool allow_colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
    return true;
  }
  if (allow_colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, allow_colon)) return false;
  }
  return true;
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kUntyped:
      return "untyped";
  }
  return "untyped";
}

// Writes `name{labels...,extra_name="extra_value"} value`.
void AppendSample(
    std::string* out, std::string_view name, std::string_view suffix,
    const std::vector<std::pair<std::string, std::string>>& labels,
    std::string_view extra_name, std::string_view extra_value, double value) {
  out->append(name);
  out->append(suffix);
  if (!labels.empty() || !extra_name.empty()) {
    out->push_back('{');
    bool first = true;
    for (const auto& [label, label_value] : labels) {
      if (!first) out->push_back(',');
      first = false;
      out->append(label);
      out->push_back('=');
      AppendQuoted(out, label_value);
    }
    if (!extra_name.empty()) {
      if (!first) out->push_back(',');
      out->append(extra_name);
      out->append("=\"");
      out->append(extra_value);
      out->push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
  AppendExpositionFloat(out, value);
  out->push_back('\n');
}

[[noreturn]] void RegistrationError(std::string_view what,
                                    std::string_view name) {
  STRATA_LOG(kError, "metrics registration error",
             {{"err", std::string(what)}, {"name", std::string(name)}});
  std::abort();
}

}  // namespace

bool IsValidMetricName(std::string_view name) {
  return IsValidName(name, /*allow_colon=*/true);
}

bool IsValidLabelName(std::string_view name) {
  return IsValidName(name, /*allow_colon=*/false) && name.substr(0, 2) != "__";
}

const std::vector<double>& DefaultBuckets() {
  static const std::vector<double>* const kBuckets =
      new std::vector<double>{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
  return *kBuckets;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> buckets;
  buckets.reserve(static_cast<size_t>(std::max(count, 0)));
  for (int i = 0; i < count; ++i) {
    buckets.push_back(start);
    start *= factor;
  }
  return buckets;
}

MetricFamily SingleValueFamily(std::string_view name, std::string_view help,
                               MetricType type, double value) {
  MetricFamily family;
  family.name = std::string(name);
  family.help = std::string(help);
  family.type = type;
  family.points.emplace_back();
  family.points.back().value = value;
  return family;
}

void AppendTextFormat(const MetricFamily& family, std::string* out) {
  if (!family.help.empty()) {
    out->append("# HELP ");
    out->append(family.name);
    out->push_back(' ');
    AppendExpositionEscaped(out, family.help, /*escape_quote=*/false);
    out->push_back('\n');
  }
  out->append("# TYPE ");
  out->append(family.name);
  out->push_back(' ');
  out->append(TypeName(family.type));
  out->push_back('\n');
  for (const MetricPoint& point : family.points) {
    switch (family.type) {
      case MetricType::kCounter:
      case MetricType::kGauge:
      case MetricType::kUntyped:
        AppendSample(out, family.name, "", point.labels, "", "", point.value);
        break;
      case MetricType::kSummary:
        for (const auto& [quantile, value] : point.quantiles) {
          AppendSample(out, family.name, "", point.labels, "quantile",
                       ExpositionFloat(quantile), value);
        }
        AppendSample(out, family.name, "_sum", point.labels, "", "", point.sum);
        AppendSample(out, family.name, "_count", point.labels, "", "",
                     static_cast<double>(point.count));
        break;
      case MetricType::kHistogram:
        for (const auto& [bound, count] : point.buckets) {
          AppendSample(out, family.name, "_bucket", point.labels, "le",
                       ExpositionFloat(bound), static_cast<double>(count));
        }
        AppendSample(out, family.name, "_bucket", point.labels, "le", "+Inf",
                     static_cast<double>(point.count));
        AppendSample(out, family.name, "_sum", point.labels, "", "", point.sum);
        AppendSample(out, family.name, "_count", point.labels, "", "",
                     static_cast<double>(point.count));
        break;
    }
  }
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::Observe(double v) {
  // Buckets are inclusive upper bounds ("le").
  const size_t bucket =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), v) -
      upper_bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

void Histogram::Snapshot(MetricPoint* point) const {
  point->buckets.clear();
  uint64_t cumulative = 0;
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    point->buckets.emplace_back(upper_bounds_[i], cumulative);
  }
  cumulative += counts_[upper_bounds_.size()].load(std::memory_order_relaxed);
  point->count = cumulative;
  point->sum = sum_.load(std::memory_order_relaxed);
}

struct MetricsRegistry::Entry {
  std::string name;
  std::string help;
  MetricType type = MetricType::kUntyped;
  // Exactly one of these is set.
  std::unique_ptr<CounterFamily> counters;
  std::unique_ptr<GaugeFamily> gauges;
  std::unique_ptr<HistogramFamily> histograms;
  std::function<double()> func;
  Collector collector;
};

namespace {

template <typename Metric, typename Fill>
void GatherFamily(const Family<Metric>& family, Fill fill,
                  std::vector<MetricPoint>* points) {
  family.ForEach(
      [&](const std::vector<std::string>& values, const Metric& metric) {
        MetricPoint point;
        for (size_t i = 0; i < values.size(); ++i) {
          point.labels.emplace_back(family.label_names()[i], values[i]);
        }
        fill(metric, &point);
        points->push_back(std::move(point));
      });
}

}  // namespace

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

void MetricsRegistry::Reserve(const std::string& name, MetricType type,
                              const std::vector<std::string>& label_names) {
  if (!IsValidMetricName(name)) RegistrationError("invalid metric name", name);
  if (std::find(names_.begin(), names_.end(), name) != names_.end()) {
    RegistrationError("duplicate metric name", name);
  }
  for (size_t i = 0; i < label_names.size(); ++i) {
    const std::string& label = label_names[i];
    if (!IsValidLabelName(label)) RegistrationError("invalid label", label);
    if ((type == MetricType::kHistogram && label == "le") ||
        (type == MetricType::kSummary && label == "quantile")) {
      RegistrationError("reserved label", label);
    }
    if (std::find(label_names.begin() + i + 1, label_names.end(), label) !=
        label_names.end()) {
      RegistrationError("duplicate label", label);
    }
  }
  names_.push_back(name);
}

CounterFamily* MetricsRegistry::AddCounterFamily(
    std::string name, std::string help, std::vector<std::string> label_names) {
  MutexLock lock(&mu_);
  Reserve(name, MetricType::kCounter, label_names);
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = MetricType::kCounter;
  entry->counters.reset(new CounterFamily(
      std::move(label_names), [] { return std::make_unique<Counter>(); }));
  CounterFamily* family = entry->counters.get();
  entries_.push_back(std::move(entry));
  return family;
}

GaugeFamily* MetricsRegistry::AddGaugeFamily(
    std::string name, std::string help, std::vector<std::string> label_names) {
  MutexLock lock(&mu_);
  Reserve(name, MetricType::kGauge, label_names);
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = MetricType::kGauge;
  entry->gauges.reset(new GaugeFamily(
      std::move(label_names), [] { return std::make_unique<Gauge>(); }));
  GaugeFamily* family = entry->gauges.get();
  entries_.push_back(std::move(entry));
  return family;
}

HistogramFamily* MetricsRegistry::AddHistogramFamily(
    std::string name, std::string help, std::vector<std::string> label_names,
    std::vector<double> buckets) {
  if (!std::is_sorted(buckets.begin(), buckets.end()) ||
      std::adjacent_find(buckets.begin(), buckets.end()) != buckets.end()) {
    RegistrationError("histogram buckets not strictly increasing", name);
  }
  if (!buckets.empty() && std::isinf(buckets.back())) buckets.pop_back();
  MutexLock lock(&mu_);
  Reserve(name, MetricType::kHistogram, label_names);
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = MetricType::kHistogram;
  entry->histograms.reset(new HistogramFamily(
      std::move(label_names),
      [buckets] { return std::make_unique<Histogram>(buckets); }));
  HistogramFamily* family = entry->histograms.get();
  entries_.push_back(std::move(entry));
  return family;
}

Counter* MetricsRegistry::AddCounter(std::string name, std::string help) {
  return AddCounterFamily(std::move(name), std::move(help), {})
      ->WithLabelValues(std::vector<std::string>{});
}

Gauge* MetricsRegistry::AddGauge(std::string name, std::string help) {
  return AddGaugeFamily(std::move(name), std::move(help), {})
      ->WithLabelValues(std::vector<std::string>{});
}

Histogram* MetricsRegistry::AddHistogram(std::string name, std::string help,
                                         std::vector<double> buckets) {
  return AddHistogramFamily(std::move(name), std::move(help), {},
                            std::move(buckets))
      ->WithLabelValues(std::vector<std::string>{});
}

void MetricsRegistry::AddGaugeFunc(std::string name, std::string help,
                                   std::function<double()> fn) {
  MutexLock lock(&mu_);
  Reserve(name, MetricType::kGauge, {});
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = MetricType::kGauge;
  entry->func = std::move(fn);
  entries_.push_back(std::move(entry));
}

void MetricsRegistry::AddCollector(std::vector<std::string> names,
                                   Collector collector) {
  MutexLock lock(&mu_);
  for (const std::string& name : names) {
    Reserve(name, MetricType::kUntyped, {});
  }
  auto entry = std::make_unique<Entry>();
  entry->collector = std::move(collector);
  entries_.push_back(std::move(entry));
}

std::vector<MetricFamily> MetricsRegistry::Gather() const {
  // Entries are never removed, so the pointers stay valid once the lock is
  // released; collectors and funcs then run without holding it.
  std::vector<const Entry*> entries;
  {
    MutexLock lock(&mu_);
    for (const auto& entry : entries_) entries.push_back(entry.get());
  }
  std::vector<MetricFamily> families;
  for (const Entry* entry : entries) {
    if (entry->collector) {
      entry->collector(&families);
      continue;
    }
    MetricFamily family;
    family.name = entry->name;
    family.help = entry->help;
    family.type = entry->type;
    if (entry->func) {
      MetricPoint point;
      point.value = entry->func();
      family.points.push_back(std::move(point));
    } else if (entry->counters) {
      GatherFamily(
          *entry->counters,
          [](const Counter& c, MetricPoint* p) { p->value = c.value(); },
          &family.points);
    } else if (entry->gauges) {
      GatherFamily(
          *entry->gauges,
          [](const Gauge& g, MetricPoint* p) { p->value = g.value(); },
          &family.points);
    } else if (entry->histograms) {
      GatherFamily(
          *entry->histograms,
          [](const Histogram& h, MetricPoint* p) { h.Snapshot(p); },
          &family.points);
    }
    // Like client_golang, a family without series is left out.
    if (!family.points.empty()) families.push_back(std::move(family));
  }
  std::sort(families.begin(), families.end(),
            [](const MetricFamily& a, const MetricFamily& b) {
              return a.name < b.name;
            });
  for (MetricFamily& family : families) {
    for (MetricPoint& point : family.points) {
      std::sort(point.labels.begin(), point.labels.end());
    }
    std::stable_sort(family.points.begin(), family.points.end(),
                     [](const MetricPoint& a, const MetricPoint& b) {
                       return a.labels < b.labels;
                     });
  }
  return families;
}

std::string MetricsRegistry::RenderText() const {
  std::string out;
  for (const MetricFamily& family : Gather()) AppendTextFormat(family, &out);
  return out;
}

}  // namespace strata::server
