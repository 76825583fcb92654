// A small metrics registry rendering Prometheus's text exposition format
// 0.0.4 the way Go's client_golang does: families sorted by name, series
// sorted by label values, label pairs sorted by name, values printed like
// strconv.FormatFloat(v, 'g', -1, 64) (1e+06, 0.001, +Inf, NaN).
//
// Live metrics (Counter, Gauge, Histogram) are updated lock-free and may be
// shared by any number of threads. Families hand out one child per label
// value combination; the pointer stays valid for the registry's lifetime, so
// hot paths look a child up once and keep it. Collectors and *Func metrics
// are called at scrape time to report values owned elsewhere (DB::Stats(),
// /proc).
//
// Registration errors (an invalid or duplicate name, a reserved label) are
// programming errors and abort the process.
//
// Thread-safety: everything here is safe to use concurrently.
#ifndef STRATA_SERVER_METRICS_METRICS_H_
#define STRATA_SERVER_METRICS_METRICS_H_

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "util/mutex.h"

namespace strata::server {

bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

// client_golang's DefBuckets: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10.
const std::vector<double>& DefaultBuckets();
// `count` buckets: start, start*factor, start*factor^2, ...
std::vector<double> ExponentialBuckets(double start, double factor, int count);

enum class MetricType { kCounter, kGauge, kHistogram, kSummary, kUntyped };

// One series of a family, as rendered.
struct MetricPoint {
  std::vector<std::pair<std::string, std::string>> labels;
  // Counter, gauge and untyped.
  double value = 0;
  // Histogram: (upper bound, cumulative count) without the +Inf bucket,
  // whose count is `count`.
  std::vector<std::pair<double, uint64_t>> buckets;
  // Summary: (quantile, value); may be empty.
  std::vector<std::pair<double, double>> quantiles;
  // Histogram and summary.
  uint64_t count = 0;
  double sum = 0;
};

struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::kUntyped;
  std::vector<MetricPoint> points;
};

// A family of one unlabelled point (what most collectors report).
MetricFamily SingleValueFamily(std::string_view name, std::string_view help,
                               MetricType type, double value);

// Appends one family; points are written in the given order.
void AppendTextFormat(const MetricFamily& family, std::string* out);

inline constexpr std::string_view kTextFormatContentType =
    "text/plain; version=0.0.4; charset=utf-8";

class Counter {
 public:
  // Precondition: delta >= 0 (a counter only goes up).
  void Inc(double delta = 1) {
    value_.fetch_add(delta, std::memory_order_relaxed);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `upper_bounds` sorted ascending, without +Inf.
  explicit Histogram(std::vector<double> upper_bounds);

  void Observe(double v);

  // Cumulative counts; `count` is derived from the buckets, so the +Inf
  // bucket always equals it. `sum` may trail by in-flight observations.
  void Snapshot(MetricPoint* point) const;

 private:
  const std::vector<double> upper_bounds_;
  // Per-bucket (non-cumulative) counts; the last one is +Inf.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Children of a labelled family, one per combination of label values.
template <typename Metric>
class Family {
 public:
  // The child for these values (one per label name, in order); created on
  // first use. Aborts if the number of values is wrong.
  Metric* WithLabelValues(const std::vector<std::string>& values);
  Metric* WithLabelValues(std::initializer_list<std::string_view> values) {
    return WithLabelValues(
        std::vector<std::string>(values.begin(), values.end()));
  }

  const std::vector<std::string>& label_names() const { return label_names_; }

  // Calls `fn(values, metric)` for every child, in label-value order, with
  // the family locked (so `fn` must not call back into this family).
  template <typename Fn>
  void ForEach(Fn fn) const {
    MutexLock lock(&mu_);
    for (const auto& [values, metric] : children_) fn(values, *metric);
  }

 private:
  friend class MetricsRegistry;
  using Factory = std::function<std::unique_ptr<Metric>()>;
  Family(std::vector<std::string> label_names, Factory factory)
      : label_names_(std::move(label_names)), factory_(std::move(factory)) {}

  const std::vector<std::string> label_names_;
  const Factory factory_;
  mutable Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_
      ABSL_GUARDED_BY(mu_);
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Produces whole families at scrape time.
using Collector = std::function<void(std::vector<MetricFamily>* out)>;

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Unlabelled metrics.
  Counter* AddCounter(std::string name, std::string help);
  Gauge* AddGauge(std::string name, std::string help);
  Histogram* AddHistogram(std::string name, std::string help,
                          std::vector<double> buckets = DefaultBuckets());

  CounterFamily* AddCounterFamily(std::string name, std::string help,
                                  std::vector<std::string> label_names);
  GaugeFamily* AddGaugeFamily(std::string name, std::string help,
                              std::vector<std::string> label_names);
  HistogramFamily* AddHistogramFamily(
      std::string name, std::string help, std::vector<std::string> label_names,
      std::vector<double> buckets = DefaultBuckets());

  // Values read at scrape time; `fn` must be thread-safe.
  void AddGaugeFunc(std::string name, std::string help,
                    std::function<double()> fn);

  // `names` are the families the collector emits, reserved against clashes.
  void AddCollector(std::vector<std::string> names, Collector collector);

  // Every family, sorted by name, each with its points sorted by labels.
  std::vector<MetricFamily> Gather() const;
  // Gather() in the text format.
  std::string RenderText() const;

 private:
  struct Entry;

  // Aborts unless `name` is valid and unused.
  void Reserve(const std::string& name, MetricType type,
               const std::vector<std::string>& label_names)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable Mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> names_ ABSL_GUARDED_BY(mu_);
};

// ---- Implementation details below. ----

template <typename Metric>
Metric* Family<Metric>::WithLabelValues(
    const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) {
    // Programming error; see the file comment.
    std::abort();
  }
  MutexLock lock(&mu_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    it = children_.emplace(values, factory_()).first;
  }
  return it->second.get();
}

}  // namespace strata::server

#endif  // STRATA_SERVER_METRICS_METRICS_H_
