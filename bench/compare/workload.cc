#include "workload.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>

#include "prometheus/remote.pb.h"
#include "snappy.h"

#define XXH_STATIC_LINKING_ONLY
#include "xxhash.h"

namespace strata::bench {
namespace {

// Walks a copy of a recorded series forward one round at a time.
// Counters: value[r] = value[r-1] + increment[(phase + r - 1) mod n], the
// recorded increments (resets count as 0). Gauges: the recorded values,
// back and forth, from index `phase`.
class ValueWalker {
 public:
  ValueWalker(const RecordedSeries* series, int phase)
      : series_(series), phase_(phase), value_(series->values[0]) {}

  // The value at `round`; rounds must come 0, 1, 2, ...
  double Next(int round) {
    const std::vector<double>& v = series_->values;
    const size_t n = v.size();
    if (!series_->counter) return v[Reflect(round + phase_, n)];
    if (round > 0 && n > 1) {
      const size_t k = static_cast<size_t>(phase_ + round - 1) % (n - 1);
      value_ += std::max(0.0, v[k + 1] - v[k]);
    }
    return value_;
  }

  static size_t Reflect(int i, size_t n) {
    if (n <= 1) return 0;
    const size_t period = 2 * n - 2;
    const size_t m = static_cast<size_t>(i) % period;
    return m < n ? m : period - m;
  }

 private:
  const RecordedSeries* series_;
  int phase_;
  double value_;
};

std::string InstanceValue(const LabelPairs& labels, int instance) {
  std::string port = "9100";
  for (const auto& [name, value] : labels) {
    if (name == "instance") {
      const size_t colon = value.rfind(':');
      if (colon != std::string::npos) port = value.substr(colon + 1);
    }
  }
  return "host-" + std::to_string(instance) + ":" + port;
}

LabelPairs TargetLabels(const RecordedSeries& series, int instance) {
  LabelPairs labels = series.labels;
  const std::string value = InstanceValue(labels, instance);
  bool found = false;
  for (auto& [n, v] : labels) {
    if (n == "instance") {
      v = value;
      found = true;
    }
  }
  if (!found) labels.emplace_back("instance", value);
  std::sort(labels.begin(), labels.end());
  return labels;
}

int InstancePhase(int instance, size_t n) {
  return n == 0
             ? 0
             : static_cast<int>((static_cast<uint64_t>(instance) * 7919) % n);
}

struct Target {
  const RecordedSeries* series;
  int instance;
};

struct ShardResult {
  int64_t samples = 0;
  int64_t min_t = INT64_MAX;
  int64_t max_t = INT64_MIN;
  double raw = 0;
  double compressed = 0;
};

ShardResult BuildShard(const std::vector<Target>& targets, size_t begin,
                       size_t end, const WorkloadOptions& options,
                       std::vector<std::string>* out) {
  ShardResult r;
  prometheus::WriteRequest req;
  std::vector<ValueWalker> walkers;
  std::vector<int64_t> base_ms;  // first_round_ms + the target's phase.
  for (size_t i = begin; i < end; ++i) {
    const Target& t = targets[i];
    prometheus::TimeSeries* ts = req.add_timeseries();
    for (const auto& [n, v] : TargetLabels(*t.series, t.instance)) {
      prometheus::Label* l = ts->add_labels();
      l->set_name(n);
      l->set_value(v);
    }
    ts->add_samples();
    walkers.emplace_back(t.series,
                         InstancePhase(t.instance, t.series->values.size()));
    base_ms.push_back(options.first_round_ms +
                      (t.series->phase_ms + t.instance * 997) % kStepMs);
  }
  std::string raw;
  out->reserve(static_cast<size_t>(options.rounds));
  for (int round = 0; round < options.first_round; ++round) {
    for (ValueWalker& walker : walkers) walker.Next(round);
  }
  const int end_round = options.first_round + options.rounds;
  for (int round = options.first_round; round < end_round; ++round) {
    for (size_t i = 0; i < walkers.size(); ++i) {
      const RecordedSeries& s = *targets[begin + i].series;
      const int phase =
          InstancePhase(targets[begin + i].instance, s.values.size());
      const int64_t t =
          base_ms[i] + round * kStepMs +
          s.jitter_ms[static_cast<size_t>(round + phase) % s.jitter_ms.size()];
      prometheus::Sample* sample =
          req.mutable_timeseries(static_cast<int>(i))->mutable_samples(0);
      sample->set_timestamp(t);
      sample->set_value(walkers[i].Next(round));
      r.min_t = std::min(r.min_t, t);
      r.max_t = std::max(r.max_t, t);
    }
    r.samples += static_cast<int64_t>(walkers.size());
    raw.clear();
    req.SerializeToString(&raw);
    std::string compressed;
    snappy::Compress(raw.data(), raw.size(), &compressed);
    // Compress sizes the string for the worst case (more than the raw
    // size); only the compressed bytes should stay in memory.
    compressed.shrink_to_fit();
    r.raw += static_cast<double>(raw.size());
    r.compressed += static_cast<double>(compressed.size());
    out->push_back(std::move(compressed));
  }
  return r;
}

}  // namespace

int64_t FirstRoundMsEndingBefore(int64_t now_ms, int64_t rounds) {
  return (now_ms - 60000 - rounds * kStepMs) / kStepMs * kStepMs;
}

double GeneratedValue(const RecordedSeries& series, int phase, int round) {
  ValueWalker w(&series, phase);
  double v = 0;
  for (int r = 0; r <= round; ++r) v = w.Next(r);
  return v;
}

bool BuildWorkload(const Dataset& dataset, const WorkloadOptions& options,
                   Workload* out, std::string* error) {
  if (dataset.series.empty() || options.instances <= 0 || options.rounds <= 0 ||
      options.samples_per_request <= 0 || options.first_round < 0) {
    *error = "empty workload (no series, instances, rounds or batch size)";
    return false;
  }
  std::vector<Target> targets;
  targets.reserve(dataset.series.size() *
                  static_cast<size_t>(options.instances));
  std::unordered_set<uint64_t> seen;
  for (int inst = 0; inst < options.instances; ++inst) {
    for (const RecordedSeries& s : dataset.series) {
      std::string key;
      for (const auto& [n, v] : TargetLabels(s, inst)) {
        key.append(n).push_back('\xff');
        key.append(v).push_back('\xff');
      }
      if (!seen.insert(XXH3_64bits(key.data(), key.size())).second) {
        *error = "two generated series share the label set " + key;
        return false;
      }
      targets.push_back({&s, inst});
    }
  }
  std::set<std::string> names;
  for (const RecordedSeries& s : dataset.series) {
    for (const auto& [n, v] : s.labels) {
      if (n == "__name__") names.insert(v);
    }
  }
  out->metric_names.assign(names.begin(), names.end());
  const size_t per = static_cast<size_t>(options.samples_per_request);
  const size_t shards = (targets.size() + per - 1) / per;
  out->requests.assign(shards, {});
  out->series = targets.size();
  out->rounds = options.rounds;
  std::vector<ShardResult> results(shards);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t shard; (shard = next.fetch_add(1)) < shards;) {
      const size_t begin = shard * per;
      results[shard] =
          BuildShard(targets, begin, std::min(targets.size(), begin + per),
                     options, &out->requests[shard]);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, options.threads); ++i)
    threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  out->samples = 0;
  out->min_t = INT64_MAX;
  out->max_t = INT64_MIN;
  out->raw_bytes = out->compressed_bytes = 0;
  for (const ShardResult& r : results) {
    out->samples += r.samples;
    out->min_t = std::min(out->min_t, r.min_t);
    out->max_t = std::max(out->max_t, r.max_t);
    out->raw_bytes += r.raw;
    out->compressed_bytes += r.compressed;
  }
  return true;
}

}  // namespace strata::bench
