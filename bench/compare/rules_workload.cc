#include "rules_workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "prometheus/remote.pb.h"
#include "snappy.h"

namespace strata::bench {
namespace {

struct Route {
  const char* method;
  const char* path;
};

constexpr Route kRoutes[] = {
    {"GET", "/api/v1/users"},
    {"POST", "/api/v1/users"},
    {"GET", "/api/v1/users/:id"},
    {"PUT", "/api/v1/users/:id"},
    {"DELETE", "/api/v1/users/:id"},
    {"GET", "/api/v1/orders"},
    {"POST", "/api/v1/orders"},
    {"GET", "/api/v1/orders/:id"},
    {"GET", "/api/v1/products"},
    {"GET", "/api/v1/products/:id"},
    {"GET", "/api/v1/search"},
    {"POST", "/api/v1/login"},
    {"POST", "/api/v1/logout"},
    {"GET", "/api/v1/cart"},
    {"POST", "/api/v1/cart/items"},
    {"POST", "/api/v1/checkout"},
    {"GET", "/api/v1/inventory"},
    {"POST", "/api/v1/payments"},
    {"GET", "/healthz"},
    {"GET", "/metrics"},
};
constexpr int kNamedRoutes = sizeof(kRoutes) / sizeof(kRoutes[0]);

struct StatusShare {
  const char* code;
  double share;
};
constexpr StatusShare kStatuses[] = {
    {"200", 0.90}, {"201", 0.04}, {"400", 0.03}, {"404", 0.02}, {"500", 0.01}};
constexpr int kStatusCount = 5;

// Upper bounds of the latency buckets (Prometheus client defaults), +Inf
// last.
constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                               0.5,   1,    2.5,   5,    10,  INFINITY};
constexpr int kBucketCount = 12;
// Series per instance and route: statuses, buckets, _sum, _count.
constexpr int kSeriesPerRoute = kStatusCount + kBucketCount + 2;
constexpr double kSigma = 0.9;  // Log-normal spread of the latencies.

std::string RouteMethod(int r) { return kRoutes[r % kNamedRoutes].method; }
std::string RoutePath(int r) {
  std::string path = kRoutes[r % kNamedRoutes].path;
  if (r >= kNamedRoutes) path += "/v" + std::to_string(r / kNamedRoutes + 1);
  return path;
}
std::string Instance(int i) { return "host-" + std::to_string(i) + ":8080"; }
int64_t InstancePhaseMs(int i) { return (int64_t{i} * 1499 + 211) % kStepMs; }

std::string LeValue(double le) {
  if (std::isinf(le)) return "+Inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", le);
  return buf;
}

// A uniform number in [0, 1) from up to three integers (splitmix64).
double Uniform(uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull ^
               (b + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull ^
               (c + 0x94D049BB133111EBull) * 0x2545F4914F6CDD1Dull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

}  // namespace

const std::vector<std::string>& RuleWindows() {
  static const auto* const kWindows =
      new std::vector<std::string>{"1m", "5m", "15m", "30m", "1h"};
  return *kWindows;
}

struct ApiFleet::Impl {
  FleetShape shape;
  int per_request;
  int round = 0;
  // Current value of every series, in series order: per instance, `up`
  // then kSeriesPerRoute per route.
  std::vector<double> values;
  std::vector<int64_t> phase_ms;  // Per series.
  std::vector<prometheus::WriteRequest> shards;

  size_t SeriesPerInstance() const {
    return 1 + static_cast<size_t>(shape.routes) * kSeriesPerRoute;
  }

  void Add(Labels labels, int instance) {
    std::sort(labels.begin(), labels.end());
    const size_t index = values.size();
    if (index % static_cast<size_t>(per_request) == 0) shards.emplace_back();
    prometheus::TimeSeries* ts = shards.back().add_timeseries();
    for (const auto& [n, v] : labels) {
      prometheus::Label* l = ts->add_labels();
      l->set_name(n);
      l->set_value(v);
    }
    ts->add_samples();
    values.push_back(0);
    phase_ms.push_back(InstancePhaseMs(instance));
  }

  void Build() {
    for (int i = 0; i < shape.instances; ++i) {
      const Labels target = {
          {"job", "api"}, {"instance", Instance(i)}, {"namespace", "prod"}};
      Labels up = target;
      up.emplace_back("__name__", "up");
      Add(up, i);
      for (int r = 0; r < shape.routes; ++r) {
        Labels base = target;
        base.emplace_back("method", RouteMethod(r));
        base.emplace_back("route", RoutePath(r));
        for (const StatusShare& s : kStatuses) {
          Labels l = base;
          l.emplace_back("__name__", "http_requests_total");
          l.emplace_back("status", s.code);
          Add(l, i);
        }
        for (const double le : kBuckets) {
          Labels l = base;
          l.emplace_back("__name__", "http_request_duration_seconds_bucket");
          l.emplace_back("le", LeValue(le));
          Add(l, i);
        }
        for (const char* name : {"http_request_duration_seconds_sum",
                                 "http_request_duration_seconds_count"}) {
          Labels l = base;
          l.emplace_back("__name__", name);
          Add(l, i);
        }
      }
    }
  }

  // One round of traffic for every instance and route.
  void Advance() {
    const uint64_t rd = static_cast<uint64_t>(round);
    for (int i = 0; i < shape.instances; ++i) {
      const size_t first = static_cast<size_t>(i) * SeriesPerInstance();
      values[first] = 1;  // up
      for (int r = 0; r < shape.routes; ++r) {
        double* v =
            &values[first + 1 + static_cast<size_t>(r) * kSeriesPerRoute];
        const uint64_t ir =
            static_cast<uint64_t>(i) << 20 | static_cast<uint64_t>(r);
        // Requests per second: the route's base load, each instance's
        // share of it, and the round's noise.
        const double route_rate = 2 + 18 * Uniform(r, 1);
        const double rate = route_rate * (0.6 + 0.8 * Uniform(ir, 2)) *
                            (0.8 + 0.4 * Uniform(ir, 3, rd));
        const double n = std::round(rate * 15);
        for (int s = 0; s < kStatusCount; ++s) {
          v[s] += std::floor(n * kStatuses[s].share + Uniform(ir, 4 + s, rd));
        }
        const double median = 0.02 * std::exp2(4 * Uniform(r, 10)) *
                              (0.9 + 0.2 * Uniform(ir, 11, rd));
        double* buckets = v + kStatusCount;
        for (int b = 0; b < kBucketCount; ++b) {
          const double cdf =
              std::isinf(kBuckets[b])
                  ? 1
                  : 0.5 * std::erfc(-(std::log(kBuckets[b] / median)) /
                                    (kSigma * std::sqrt(2.0)));
          buckets[b] += std::round(n * cdf);
        }
        v[kStatusCount + kBucketCount] +=
            n * median * std::exp(kSigma * kSigma / 2);
        v[kStatusCount + kBucketCount + 1] += n;
      }
    }
    ++round;
  }

  std::vector<std::string> Encode(int64_t round_start_ms, double* raw_bytes,
                                  int64_t* min_t, int64_t* max_t) {
    std::vector<std::string> out;
    out.reserve(shards.size());
    std::string raw;
    size_t index = 0;
    for (prometheus::WriteRequest& req : shards) {
      for (int k = 0; k < req.timeseries_size(); ++k, ++index) {
        prometheus::Sample* sample =
            req.mutable_timeseries(k)->mutable_samples(0);
        const int64_t t = round_start_ms + phase_ms[index];
        sample->set_timestamp(t);
        sample->set_value(values[index]);
        *min_t = std::min(*min_t, t);
        *max_t = std::max(*max_t, t);
      }
      raw.clear();
      req.SerializeToString(&raw);
      *raw_bytes += static_cast<double>(raw.size());
      std::string compressed;
      snappy::Compress(raw.data(), raw.size(), &compressed);
      compressed.shrink_to_fit();
      out.push_back(std::move(compressed));
    }
    return out;
  }
};

ApiFleet::ApiFleet(FleetShape shape, int samples_per_request)
    : impl_(std::make_unique<Impl>()) {
  impl_->shape = shape;
  impl_->per_request = std::max(1, samples_per_request);
  impl_->Build();
}

ApiFleet::~ApiFleet() = default;

size_t ApiFleet::series() const { return impl_->values.size(); }

std::vector<std::string> ApiFleet::MetricNames() const {
  return {"http_request_duration_seconds_bucket",
          "http_request_duration_seconds_count",
          "http_request_duration_seconds_sum", "http_requests_total", "up"};
}

int ApiFleet::round() const { return impl_->round; }

std::vector<std::string> ApiFleet::NextRound(int64_t round_start_ms) {
  impl_->Advance();
  double raw = 0;
  int64_t min_t = INT64_MAX, max_t = INT64_MIN;
  return impl_->Encode(round_start_ms, &raw, &min_t, &max_t);
}

Workload ApiFleet::History(int rounds, int64_t first_round_ms) {
  Workload w;
  w.series = series();
  w.metric_names = MetricNames();
  w.rounds = rounds;
  w.requests.assign(impl_->shards.size(), {});
  w.min_t = INT64_MAX;
  w.max_t = INT64_MIN;
  for (int r = 0; r < rounds; ++r) {
    impl_->Advance();
    std::vector<std::string> requests =
        impl_->Encode(first_round_ms + int64_t{r} * kStepMs, &w.raw_bytes,
                      &w.min_t, &w.max_t);
    for (size_t s = 0; s < requests.size(); ++s) {
      w.compressed_bytes += static_cast<double>(requests[s].size());
      w.requests[s].push_back(std::move(requests[s]));
    }
  }
  w.samples = static_cast<int64_t>(series()) * rounds;
  return w;
}

std::string RecordingRulesYaml(const FleetShape& shape) {
  std::string out = "groups:\n";
  std::string slo;  // The current group's route, a label of every rule.
  auto rule = [&out, &slo](const std::string& record, const std::string& expr,
                           const char* quantile = nullptr) {
    out += "      - record: " + record + "\n        expr: '" + expr +
           "'\n        labels:\n          slo: \"" + slo + "\"\n";
    if (quantile != nullptr) {
      out += "          quantile: \"" + std::string(quantile) + "\"\n";
    }
  };
  for (int r = 0; r < shape.routes; ++r) {
    const std::string sel = "job=\"api\",method=\"" + RouteMethod(r) +
                            "\",route=\"" + RoutePath(r) + "\"";
    slo = RouteMethod(r) + " " + RoutePath(r);
    out += "  - name: \"api " + slo + "\"\n    rules:\n";
    for (const std::string& w : RuleWindows()) {
      const std::string by = "sum by (job, method, route) ";
      const std::string requests =
          "rate(http_requests_total{" + sel + "}[" + w + "])";
      auto bucket_rate = [&](const std::string& extra) {
        return "rate(http_request_duration_seconds_bucket{" + sel + extra +
               "}[" + w + "])";
      };
      const std::string count_rate =
          "rate(http_request_duration_seconds_count{" + sel + "}[" + w + "])";
      rule("job_route:http_requests:rate" + w,
           "sum by (job, method, route, status) (" + requests + ")");
      rule("job_route:http_requests_errors:ratio_rate" + w,
           by + "(rate(http_requests_total{" + sel + ",status=~\"5..\"}[" + w +
               "])) / " + by + "(" + requests + ")");
      for (const char* q : {"0.5", "0.9", "0.99"}) {
        rule("job_route:http_request_duration_seconds:quantile_rate" + w,
             std::string("histogram_quantile(") + q +
                 ", sum by (job, method, route, le) (" + bucket_rate("") + "))",
             q);
      }
      rule("job_route:http_request_duration_seconds:mean_rate" + w,
           by + "(rate(http_request_duration_seconds_sum{" + sel + "}[" + w +
               "])) / " + by + "(" + count_rate + ")");
      rule("job_instance_route:http_requests:rate" + w,
           "sum by (job, instance, method, route) (" + requests + ")");
      rule("job_route_le:http_request_duration_seconds_bucket:rate" + w,
           "sum by (job, method, route, le) (" + bucket_rate("") + ")");
      rule("job_route:http_request_duration_seconds:apdex_rate" + w,
           "(" + by + "(" + bucket_rate(",le=\"0.25\"") + ") + " + by + "(" +
               bucket_rate(",le=\"1\"") + ")) / 2 / " + by + "(" + count_rate +
               ")");
      rule("job_instance_route:http_request_duration_seconds:p99_rate" + w,
           "histogram_quantile(0.99, sum by (job, instance, method, route, "
           "le) (" +
               bucket_rate("") + "))");
    }
  }
  return out;
}

int RuleCount(const FleetShape& shape) {
  return shape.routes * static_cast<int>(RuleWindows().size()) * kRuleTemplates;
}

int64_t ExpectedRuleOutputSeries(const FleetShape& shape) {
  // Per route and window: 5 statuses, error ratio, 3 quantiles, mean, one
  // per instance, 12 buckets, apdex, p99 per instance.
  const int64_t per_window = kStatusCount + 1 + 3 + 1 + shape.instances +
                             kBucketCount + 1 + shape.instances;
  return per_window * shape.routes * static_cast<int64_t>(RuleWindows().size());
}

}  // namespace strata::bench
