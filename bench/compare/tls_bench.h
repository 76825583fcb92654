// What TLS and basic auth cost strata-server per remote-written sample
// (issue 15): the same workload sent over plain HTTP, over TLS, and over
// TLS with basic_auth_users (`--web.config.file`), each mode `runs` times,
// the modes interleaved and their order rotated from round to round
// (plain, TLS, auth; TLS, auth, plain; auth, plain, TLS; ...) so neither
// drift of the machine nor a run's position in its round favours a mode.
//
// Each run starts strata-server on a fresh data dir (pinned as the other
// scenarios), ingests the whole workload over the same keep-alive
// connections (ingest_driver.h; TLS handshakes happen once per connection,
// before the first request), reads the server's utime + stime from
// /proc/<pid>/stat before and after, and checks
// strata_head_samples_appended_total. Then it measures connection set-up
// separately: `handshakes` fresh connections, each one GET /-/healthy with
// "Connection: close" (a full TLS handshake each, no session resumption),
// spread over the ingest's connection count of threads.
//
// The certificates are the tests' throwaway PKI (tests/server/test_pki.h:
// P-256 ECDSA keys); the bcrypt hash has cost 10, as `htpasswd -B` makes.
#ifndef STRATA_BENCH_COMPARE_TLS_BENCH_H_
#define STRATA_BENCH_COMPARE_TLS_BENCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ingest_driver.h"
#include "server_bench.h"
#include "workload.h"

namespace strata::bench {

enum class TransportMode { kPlain, kTls, kTlsBasicAuth };

struct TlsBenchOptions {
  std::string work_dir;  // Data dirs, logs, certificates: <work_dir>/tls/.
  IngestOptions ingest;
  int runs = 6;           // Per mode; a multiple of 3 rotates evenly.
  int handshakes = 2000;  // Fresh connections per run; 0 = skip.
  bool keep_data = false;
};

struct TransportRun {
  IngestResult ingest;
  double samples_appended = -1;  // The server's counter after the ingest.
  double handshake_wall_s = 0;
  double handshake_cpu_s = 0;  // Server CPU during the handshake phase.
  int64_t handshakes_ok = 0;   // Answered 200.
  std::string error;
};

struct TransportReport {
  TransportMode mode = TransportMode::kPlain;
  std::string name;  // "plain HTTP", "TLS", "TLS + basic auth".
  std::vector<TransportRun> runs;
};

struct TlsReport {
  std::string version;  // strata-server --version.
  int64_t expected_samples = 0;
  int64_t requests = 0;  // Per run.
  int handshakes = 0;    // Per run.
  std::vector<TransportReport> modes;
  std::string error;  // Set when a setup step failed.
};

// Runs every mode `options.runs` times with `strata` (kind kStrata). Never
// throws; failures land in the runs' or the report's `error`.
TlsReport RunTlsBench(const ServerConfig& strata, const Workload& workload,
                      const TlsBenchOptions& options);

// True when every run of every mode took every sample and set up every
// connection.
bool TlsBenchSucceeded(const TlsReport& report);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_TLS_BENCH_H_
