#include "histogram_workload.h"

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "prometheus/remote.pb.h"
#include "snappy.h"

namespace strata::bench {
namespace {

constexpr int32_t kSchema = 3;
// client_golang's default zero threshold, 2^-128.
constexpr double kZeroThreshold = 2.938735877055719e-39;
constexpr int kMethods = 2;
constexpr const char* kMethodNames[kMethods] = {"GET", "POST"};
// Gaps of up to this many empty buckets stay inside a span.
constexpr int32_t kMaxGapInSpan = 2;

// One series' state: its cumulative buckets by index.
struct SeriesState {
  std::map<int32_t, uint64_t> buckets;
  uint64_t zero_count = 0;
  uint64_t count = 0;
  double sum = 0;
  double median_s = 0.05;
  int64_t phase_ms = 0;
};

// The bucket of `v` > 0 in schema kSchema: the smallest i with
// v <= 2^(i / 2^kSchema).
int32_t BucketIndex(double v) {
  const double exact = std::log2(v) * (1 << kSchema);
  int32_t i = static_cast<int32_t>(std::ceil(exact));
  // Guard the boundaries against log2 rounding.
  if (std::pow(2.0, static_cast<double>(i - 1) / (1 << kSchema)) >= v) --i;
  if (std::pow(2.0, static_cast<double>(i) / (1 << kSchema)) < v) ++i;
  return i;
}

void Observe(double v, SeriesState* s) {
  ++s->count;
  s->sum += v;
  if (v <= kZeroThreshold) {
    ++s->zero_count;
    return;
  }
  ++s->buckets[BucketIndex(v)];
}

// Writes `s` as a prometheus.Histogram at `t`.
void Encode(const SeriesState& s, int64_t t, prometheus::Histogram* h) {
  h->set_count_int(s.count);
  h->set_sum(s.sum);
  h->set_schema(kSchema);
  h->set_zero_threshold(kZeroThreshold);
  h->set_zero_count_int(s.zero_count);
  h->set_timestamp(t);
  int64_t previous = 0;
  int32_t next_index = 0;
  prometheus::BucketSpan* span = nullptr;
  for (const auto& [index, count] : s.buckets) {
    const int32_t gap = index - next_index;
    if (span == nullptr || gap > kMaxGapInSpan) {
      // The first span's offset is its first index, later ones' the gap.
      const int32_t offset = span == nullptr ? index : gap;
      span = h->add_positive_spans();
      span->set_offset(offset);
    } else {
      for (int32_t g = 0; g < gap; ++g) {
        h->add_positive_deltas(-previous);
        previous = 0;
        span->set_length(span->length() + 1);
      }
    }
    h->add_positive_deltas(static_cast<int64_t>(count) - previous);
    previous = static_cast<int64_t>(count);
    span->set_length(span->length() + 1);
    next_index = index + 1;
  }
}

std::string Compress(const prometheus::WriteRequest& request, Workload* out) {
  std::string raw, compressed;
  request.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &compressed);
  out->raw_bytes += static_cast<double>(raw.size());
  out->compressed_bytes += static_cast<double>(compressed.size());
  return compressed;
}

void AddLabel(prometheus::TimeSeries* ts, const char* name,
              const std::string& value) {
  prometheus::Label* l = ts->add_labels();
  l->set_name(name);
  l->set_value(value);
}

}  // namespace

bool BuildHistogramWorkload(const HistogramWorkloadOptions& options,
                            Workload* out, std::string* error) {
  if (options.instances < 1 || options.routes < 1 || options.rounds < 1 ||
      options.samples_per_request < 1) {
    *error = "histogram workload: every count must be at least 1";
    return false;
  }
  *out = Workload{};
  std::mt19937_64 rng(options.seed);
  const size_t n = static_cast<size_t>(options.instances) *
                   static_cast<size_t>(options.routes) * kMethods;
  std::vector<SeriesState> series(n);
  std::vector<std::vector<std::pair<const char*, std::string>>> labels(n);
  std::uniform_real_distribution<double> median(0.002, 0.5);
  std::uniform_int_distribution<int64_t> phase(0, kStepMs - 1);
  for (size_t i = 0; i < n; ++i) {
    const size_t instance = i / (options.routes * kMethods);
    const size_t route = (i / kMethods) % options.routes;
    labels[i] = {{"__name__", kHistogramMetric},
                 {"instance", "host-" + std::to_string(instance) + ":8080"},
                 {"job", "api"},
                 {"method", kMethodNames[i % kMethods]},
                 {"route", "/api/v1/r" + std::to_string(route)}};
    series[i].median_s = median(rng);
    series[i].phase_ms = phase(rng);
  }
  const size_t per_request = static_cast<size_t>(options.samples_per_request);
  const size_t shards = (n + per_request - 1) / per_request;
  out->requests.assign(shards, {});
  std::poisson_distribution<int> observations(40);
  std::normal_distribution<double> spread(0, 0.8);
  out->min_t = options.first_round_ms;
  for (int round = 0; round < options.rounds; ++round) {
    for (size_t shard = 0; shard < shards; ++shard) {
      prometheus::WriteRequest request;
      for (size_t i = shard * per_request;
           i < std::min(n, (shard + 1) * per_request); ++i) {
        SeriesState& s = series[i];
        const int k = observations(rng);
        for (int o = 0; o < k; ++o) {
          Observe(s.median_s * std::exp(spread(rng)), &s);
        }
        const int64_t t = options.first_round_ms + round * kStepMs + s.phase_ms;
        out->max_t = std::max(out->max_t, t);
        prometheus::TimeSeries* ts = request.add_timeseries();
        for (const auto& [name, value] : labels[i]) AddLabel(ts, name, value);
        Encode(s, t, ts->add_histograms());
        ++out->samples;
      }
      out->requests[shard].push_back(Compress(request, out));
    }
  }
  out->series = n;
  out->rounds = options.rounds;
  out->metric_names = {kHistogramMetric};
  return true;
}

}  // namespace strata::bench
