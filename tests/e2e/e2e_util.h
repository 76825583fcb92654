// Processes and protocol helpers for the end-to-end tests: strata-server,
// the real Prometheus 2.42 and node_exporter from the Debian packages,
// started on free loopback ports in temporary directories.
#ifndef STRATA_TESTS_E2E_E2E_UTIL_H_
#define STRATA_TESTS_E2E_E2E_UTIL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http_client/http_client.h"
#include "strata/status.h"

namespace strata::e2e {

// A free TCP port on 127.0.0.1 (bound once, then released).
int FreePort();

std::string ReadFileOrEmpty(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);

int64_t NowMillis();

// A child process with stdout and stderr in `log_path`. Killed (SIGKILL)
// on destruction if still running.
class Process {
 public:
  Process(std::vector<std::string> argv, std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void Signal(int sig);
  // Waits for exit; the exit code, 128+signal if killed, -1 on timeout.
  int Wait(int timeout_ms);
  bool running();
  int pid() const { return pid_; }
  std::string log() const { return ReadFileOrEmpty(log_path_); }

 private:
  int pid_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

// $STRATA_BINARY_DIR/tools/strata-server/strata-server, or found from this
// test's own path in the build tree.
std::string StrataServerPath();

// Starts strata-server listening on 127.0.0.1:`port` with its data in
// `data_dir` and its output in `log_path`, `extra` flags after those.
std::unique_ptr<Process> StartStrataServer(
    const std::string& data_dir, int port, const std::string& log_path,
    const std::vector<std::string>& extra = {});

// The shared recorded hour (one block written by Prometheus 2.42): its
// archive under the ../shared directory (test_env.h's SharedDir()).
inline constexpr char kRecordedDatasetArchive[] =
    "datasets/recorded-15s/prometheus-blocks.tar.zst";
// Unpacks `archive` (a .tar.zst) into `dir` (created). NotFound if the
// archive is missing.
Status UnpackArchive(const std::string& archive, const std::string& dir);

// One request to 127.0.0.1:`port` on a fresh connection; status 0 (and the
// error in the body) if it failed.
http_client::Response Http(int port, const std::string& method,
                           const std::string& target,
                           const std::string& body = "",
                           const http_client::Headers& headers = {});

// POSTs `raw_request` (an encoded prometheus.WriteRequest) to
// /api/v1/write as a remote write 1.0 sender does (snappy, its headers).
http_client::Response RemoteWriteV1(int port, const std::string& raw_request);

// Polls GET `path` until it answers 200 or `timeout_ms` passes.
bool WaitForOk(int port, const std::string& path, int timeout_ms);

// kill -9 under load: a second thread remote-writes request(0),
// request(1), ... (encoded prometheus.WriteRequests) to `server` on
// `port` until one is not acknowledged; once `acked_before_kill` are
// acknowledged (or after about 10 s), `server` gets SIGKILL. Returns how
// many requests were acknowledged (204), all before the kill, or -1 if
// the server did not die of the signal.
int WriteUntilKilled(Process* server, int port,
                     const std::function<std::string(int)>& request,
                     int acked_before_kill);

// Samples by series (Prometheus's text form of the labels), values as bit
// patterns so that NaNs, stale markers included, compare exactly.
using SeriesSamples =
    std::map<std::string, std::vector<std::pair<int64_t, uint64_t>>>;

// Remote read (SAMPLES) of every series with samples in [mint, maxt]; with
// `job_regex`, only of the series whose job label matches it.
StatusOr<SeriesSamples> RemoteReadAll(int port, int64_t mint, int64_t maxt,
                                      const std::string& job_regex = "");
// The same with STREAMED_XOR_CHUNKS, decoding the chunks (samples outside
// [mint, maxt] dropped, as a client does).
StatusOr<SeriesSamples> RemoteReadStreamedAll(int port, int64_t mint,
                                              int64_t maxt);

// A readable account of how two sample sets differ ("" if equal).
std::string DescribeDifference(const SeriesSamples& want,
                               const SeriesSamples& got);

// Waits until the server on `got_port` holds exactly what the one on
// `want_port` holds in [mint, maxt] (remote read of both; `job_regex` as
// for RemoteReadAll), e.g. Strata against the Prometheus writing to it;
// polls every 250 ms. "" and *samples set to what both hold, or the last
// difference if they did not agree within `timeout_ms`.
std::string WaitForSameSamples(int want_port, int got_port, int64_t mint,
                               int64_t maxt, int timeout_ms,
                               SeriesSamples* samples,
                               const std::string& job_regex = "");

// The value of the first sample line of `port`'s /metrics starting with
// `prefix`; -1 if none.
double MetricValue(int port, const std::string& prefix);

int64_t CountSamples(const SeriesSamples& s);
int64_t CountStaleMarkers(const SeriesSamples& s);

}  // namespace strata::e2e

#endif  // STRATA_TESTS_E2E_E2E_UTIL_H_
