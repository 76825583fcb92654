// The native-histogram workload: remote write 1.0 requests of native
// histograms (prometheus.Histogram, integer counts), generated before any
// server starts and replayed from memory by the ingest driver, like the
// float workload (workload.h) and into the same Workload shape.
//
// Each instance exposes `routes` x 2 methods request-latency histograms
// the way client_golang's native histograms do: schema 3, zero threshold
// 2^-128, integer counts that only grow (a counter histogram), sparse
// buckets laid out in spans with gaps of up to two empty buckets inside a
// span. Every 15 s round each series observes a few dozen latencies drawn
// from a log-normal distribution whose median depends on the route, so
// bucket layouts grow over time as real services' do.
//
// Requests hold about `samples_per_request` TimeSeries of one histogram
// each; series are cut into fixed shards so a shard's requests in round
// order never send a sample out of order.
#ifndef STRATA_BENCH_COMPARE_HISTOGRAM_WORKLOAD_H_
#define STRATA_BENCH_COMPARE_HISTOGRAM_WORKLOAD_H_

#include <cstdint>
#include <string>

#include "workload.h"

namespace strata::bench {

struct HistogramWorkloadOptions {
  int instances = 10;
  int routes = 50;  // Series per instance: routes x 2 methods.
  int rounds = 240;
  int samples_per_request = 500;
  int64_t first_round_ms = 0;
  uint64_t seed = 20261207;
};

// The metric every series has.
inline constexpr const char* kHistogramMetric = "http_request_duration_seconds";

// Builds the workload (deterministic for a seed). Fails on bad options.
bool BuildHistogramWorkload(const HistogramWorkloadOptions& options,
                            Workload* out, std::string* error);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_HISTOGRAM_WORKLOAD_H_
