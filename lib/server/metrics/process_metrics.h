// The process_* metrics every Prometheus client exports, read from /proc
// at scrape time with the names, help texts and units client_golang uses.
//
// Thread-safety: the functions are safe to call concurrently.
#ifndef STRATA_SERVER_METRICS_PROCESS_METRICS_H_
#define STRATA_SERVER_METRICS_PROCESS_METRICS_H_

#include "server/metrics/metrics.h"
#include "strata/status.h"

namespace strata::server {

struct ProcessStats {
  double cpu_seconds = 0;  // User plus system CPU time.
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double virtual_memory_max_bytes = 0;  // RLIMIT_AS; 2^64-1 if unlimited.
  double open_fds = 0;
  double max_fds = 0;             // RLIMIT_NOFILE soft limit.
  double start_time_seconds = 0;  // Unix time the process started.
};

// Reads this process's figures from /proc/self and /proc/stat.
StatusOr<ProcessStats> ReadProcessStats();

// Registers a collector for process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_virtual_memory_max_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds. If /proc cannot be read, they are omitted.
void AddProcessCollector(MetricsRegistry* registry);

}  // namespace strata::server

#endif  // STRATA_SERVER_METRICS_PROCESS_METRICS_H_
