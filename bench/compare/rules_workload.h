// The rule-evaluation scenario's data and rules: a fleet of HTTP API
// servers as a typical service exposes them, and a file of recording rules
// over it, the same for both servers.
//
// Series (every instance x route; labels job="api", namespace="prod",
// instance="host-<i>:8080", method, route):
//   http_requests_total{status}           counter, 5 status codes
//   http_request_duration_seconds_bucket  histogram, 12 buckets (le), plus
//   http_request_duration_seconds_sum / _count
// and up{job,instance} per instance: 19 x instances x routes + instances
// series (26 instances x 20 routes = 9,906).
//
// Values evolve round by round (15 s apart) as a server under steady load
// would count them: each instance and route gets a request count per round
// around its own rate, split over status codes with fixed shares and over
// latency buckets by a log-normal distribution around the route's median.
// Everything is a deterministic function of (instance, route, round), so
// both servers receive the same values.
//
// Rules: one group per route ("api <METHOD> <route>"), 10 recording rules
// per rate window (1m, 5m, 15m, 30m, 1h): request rate by status, error
// ratio, p50/p90/p99 (histogram_quantile), mean latency, rate by instance,
// bucket rate, apdex, p99 by instance. 20 routes x 5 windows x 10 = 1,000
// rules, the shape SLO generators (Sloth, Pyrra) produce: every rule has
// the label slo="<METHOD> <route>" (so no two rules are duplicates for
// promtool's lint).
//
// Thread-safety: ApiFleet is not thread-safe; the free functions are pure.
#ifndef STRATA_BENCH_COMPARE_RULES_WORKLOAD_H_
#define STRATA_BENCH_COMPARE_RULES_WORKLOAD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "workload.h"

namespace strata::bench {

struct FleetShape {
  int instances = 26;
  int routes = 20;
};

// Rate windows of every rule template, in rule order.
const std::vector<std::string>& RuleWindows();
// Recording rules per route and window.
inline constexpr int kRuleTemplates = 10;

class ApiFleet {
 public:
  ApiFleet(FleetShape shape, int samples_per_request);
  ~ApiFleet();
  ApiFleet(const ApiFleet&) = delete;
  ApiFleet& operator=(const ApiFleet&) = delete;

  size_t series() const;
  // Distinct metric names, sorted.
  std::vector<std::string> MetricNames() const;
  // Rounds produced so far (the next round's number).
  int round() const;

  // Advances every series by one round and encodes it: one remote write
  // 1.0 request (snappy) per shard of `samples_per_request` series, each
  // sample at `round_start_ms` plus its instance's scrape phase (< 15 s).
  std::vector<std::string> NextRound(int64_t round_start_ms);

  // Rounds [0, rounds) from `first_round_ms`, 15 s apart, laid out as the
  // ingest driver sends them (requests[shard][round]).
  Workload History(int rounds, int64_t first_round_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The rule file (YAML), 10 x RuleWindows().size() rules per route.
std::string RecordingRulesYaml(const FleetShape& shape);
int RuleCount(const FleetShape& shape);
// Series the rules write per evaluation round (every record name contains
// a colon; none of the input names does).
int64_t ExpectedRuleOutputSeries(const FleetShape& shape);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_RULES_WORKLOAD_H_
