// Sends a Workload's remote write requests to one server over K keep-alive
// connections, the way Prometheus's remote-write shards do, and measures
// wall time and the server's CPU time.
//
// Connection c owns shards c, c+K, c+2K, ... and sends them round by round,
// so each series' samples arrive in time order. No connection runs more
// than `max_lead_rounds` rounds ahead of the slowest one: samples stay
// within the servers' appendable window (Prometheus rejects samples older
// than half a block range behind the newest), as they do when real scrapes
// pace the senders. 5xx and 429 answers are retried with backoff as
// Prometheus retries them; other non-2xx answers count as failed. The
// connections are made through the server's ClientSetup (TLS, basic auth).
#ifndef STRATA_BENCH_COMPARE_INGEST_DRIVER_H_
#define STRATA_BENCH_COMPARE_INGEST_DRIVER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "server_process.h"
#include "workload.h"

namespace strata::bench {

struct IngestOptions {
  int connections = 4;
  int max_lead_rounds = 20;
  int max_retries = 10;
};

struct IngestResult {
  double wall_s = 0;
  double cpu_s = 0;  // Server CPU (utime + stime) during the run.
  int64_t requests = 0;
  int64_t failed = 0;   // Given up on (not 2xx after retries).
  int64_t retries = 0;  // Extra attempts after a 5xx/429/transport error.
  std::map<int, int64_t> statuses;   // Final status -> count (0 = transport).
  std::vector<double> latencies_ms;  // Per request, sorted.
  std::string first_error;
};

IngestResult RunIngest(const Workload& workload, const ServerProcess& server,
                       const IngestOptions& options);

// The q-quantile (0..1) of sorted values; 0 when empty.
double Quantile(const std::vector<double>& sorted, double q);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_INGEST_DRIVER_H_
