// The workload: remote write 1.0 requests generated from a Dataset before
// any server starts, then replayed from memory by the ingest driver.
//
// Every recorded series is replicated over `instances` values of the
// `instance` label ("host-<i>:<original port>"). Each copy evolves like a
// real target: counters add the recorded increments (starting at an
// instance-specific point of the recording, so copies differ), gauges walk
// back and forth through the recorded values from an instance-specific
// start. Samples are 15 s apart with the recorded scrape jitter and each
// target's own phase within the interval, as Prometheus scrapes.
//
// Requests are batched the way Prometheus's remote-write shards send them:
// about `samples_per_request` TimeSeries of one sample each. Series are cut
// into fixed shards of that many series; requests[shard][round] holds the
// shard's samples of one 15 s round, snappy-compressed, so sending a shard's
// requests in round order never sends a sample out of order.
#ifndef STRATA_BENCH_COMPARE_WORKLOAD_H_
#define STRATA_BENCH_COMPARE_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "dataset.h"

namespace strata::bench {

inline constexpr int64_t kStepMs = 15000;

struct WorkloadOptions {
  int instances = 1;
  int rounds = 20;
  int samples_per_request = 2000;
  // Start of the 15 s grid (ms); the first round's samples lie within
  // [first_round_ms - 7.5 s, first_round_ms + 15 s).
  int64_t first_round_ms = 0;
  // Rounds before this one are walked (values advance as if sent) but not
  // sent: a workload of `rounds` from `first_round` continues, sample for
  // sample, one of `first_round` rounds with the same first_round_ms.
  int first_round = 0;
  int threads = 1;  // Generation threads.
};

struct Workload {
  std::vector<std::vector<std::string>> requests;  // [shard][round]
  size_t series = 0;
  std::vector<std::string> metric_names;  // Distinct __name__ values, sorted.
  int rounds = 0;
  int64_t samples = 0;
  int64_t min_t = 0;  // Oldest and newest sample timestamps, ms.
  int64_t max_t = 0;
  double raw_bytes = 0;  // Sum over all requests, before / after snappy.
  double compressed_bytes = 0;
  size_t request_count() const {
    return requests.empty() ? 0 : requests.size() * requests[0].size();
  }
};

// The first_round_ms that puts the newest of `rounds` rounds about a
// minute before `now_ms` (inside every server's accepted window), on the
// 15 s grid.
int64_t FirstRoundMsEndingBefore(int64_t now_ms, int64_t rounds);

// Builds the workload. Fails (false, `error`) on an empty dataset or when
// two generated label sets collide.
bool BuildWorkload(const Dataset& dataset, const WorkloadOptions& options,
                   Workload* out, std::string* error);

// The value a copy of `series` with instance phase `phase` has at `round`
// (exposed for tests).
double GeneratedValue(const RecordedSeries& series, int phase, int round);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_WORKLOAD_H_
