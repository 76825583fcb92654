// A remote write load generator for the overload test: `connections`
// keep-alive connections, each writing its own series (labels
// {__name__="overload_load", phase, conn, series}) in remote write 1.0
// requests, paced to a request rate or back to back.
//
// It behaves as an impatient sender with a backlog: a request answered 429
// is sent again, unchanged, at the connection's next slot, ignoring
// Retry-After; only an accepted request (2xx) moves the connection on to
// its next batch. So the offered rate stays what was asked however much is
// refused. Like any HTTP/1.1 sender without pipelining, a connection sends
// its next request only once the previous one is answered.
//
// Cheap per offered sample, because it shares the cores with the server it
// measures: each batch is encoded once, as the complete HTTP request, and
// resent as it is while refused (so CPU goes to encoding only at the
// accepted rate); `threads` threads drive all the connections, waiting on
// their sockets together (poll), over plain POSIX sockets.
//
// Sample timestamps are `start_ms` plus a per-connection sequence (each
// batch `samples_per_series` milliseconds later), so every accepted sample
// is in order and its connection's samples can be counted back.
//
// Thread-safety: RunRemoteWriteLoad runs its own threads and returns when
// they are done (every request sent was answered or timed out).
#ifndef STRATA_TESTS_E2E_REMOTE_WRITE_LOAD_H_
#define STRATA_TESTS_E2E_REMOTE_WRITE_LOAD_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace strata::e2e {

struct LoadOptions {
  int port = 0;
  // The value of the `phase` label, so phases write distinct series.
  std::string phase = "load";
  int connections = 1;
  // Threads sharing the connections (connection c goes to c % threads).
  int threads = 2;
  int series_per_request = 500;
  int samples_per_series = 2;
  // Requests per second of each connection; 0 sends back to back.
  double requests_per_second = 0;
  std::chrono::milliseconds duration{1000};
  int64_t start_ms = 0;
};

struct LoadReport {
  double seconds = 0;
  int64_t requests = 0;
  int64_t accepted = 0;   // 2xx.
  int64_t throttled = 0;  // 429.
  // 429s without "Retry-After: <positive seconds>".
  int64_t throttled_without_retry_after = 0;
  int64_t failed = 0;  // Any other status, or no answer.
  std::string first_failure;
  int64_t samples_offered = 0;
  int64_t bytes_offered = 0;  // Request bodies as sent (compressed).
  int64_t samples_accepted = 0;
  // Accepted samples by connection (index = the `conn` label).
  std::vector<int64_t> samples_accepted_by_connection;

  double offered_per_second() const { return samples_offered / seconds; }
  double accepted_per_second() const { return samples_accepted / seconds; }
};

LoadReport RunRemoteWriteLoad(const LoadOptions& options);

}  // namespace strata::e2e

#endif  // STRATA_TESTS_E2E_REMOTE_WRITE_LOAD_H_
