#include "ingest_driver.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "http_client/http_client.h"

namespace strata::bench {
namespace {

using Clock = std::chrono::steady_clock;

const http_client::Headers& RemoteWriteHeaders() {
  static const http_client::Headers headers = {
      {"Content-Type", "application/x-protobuf"},
      {"Content-Encoding", "snappy"},
      {"User-Agent", "strata-bench-compare"},
      {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
  return headers;
}

// Tracks each connection's completed rounds so none runs too far ahead.
class Pacer {
 public:
  Pacer(int connections, int max_lead)
      : done_(connections, 0), max_lead_(max_lead) {}

  void WaitToStart(int round) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] {
      return *std::min_element(done_.begin(), done_.end()) >= round - max_lead_;
    });
  }
  void Finished(int connection, int rounds_done) {
    {
      std::lock_guard lock(mu_);
      done_[connection] = rounds_done;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> done_;  // Guarded by mu_.
  const int max_lead_;
};

struct ConnectionStats {
  std::vector<double> latencies_ms;
  std::map<int, int64_t> statuses;
  int64_t failed = 0;
  int64_t retries = 0;
  std::string first_error;
};

void RunConnection(int c, const Workload& workload, const ServerProcess& server,
                   const IngestOptions& options, Pacer* pacer,
                   ConnectionStats* stats) {
  http_client::Connection conn("127.0.0.1", server.port(),
                               server.client().options);
  http_client::Request request;
  request.method = "POST";
  request.target = "/api/v1/write";
  request.headers = RemoteWriteHeaders();
  for (const auto& header : server.client().headers) {
    request.headers.push_back(header);
  }
  const size_t k = static_cast<size_t>(options.connections);
  for (int round = 0; round < workload.rounds; ++round) {
    pacer->WaitToStart(round);
    for (size_t shard = static_cast<size_t>(c);
         shard < workload.requests.size(); shard += k) {
      request.body = workload.requests[shard][static_cast<size_t>(round)];
      const auto start = Clock::now();
      int status = 0;
      std::string answer;
      for (int attempt = 0;; ++attempt) {
        StatusOr<http_client::Response> r = conn.Send(request);
        status = r.ok() ? r->status : 0;
        answer = r.ok() ? std::move(r->body) : r.status().ToString();
        const bool retry = status == 0 || status == 429 || status >= 500;
        if (!retry || attempt >= options.max_retries) break;
        ++stats->retries;
        std::this_thread::sleep_for(
            std::chrono::milliseconds(30 << std::min(attempt, 5)));
      }
      stats->latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - start)
              .count());
      ++stats->statuses[status];
      if (status < 200 || status >= 300) {
        ++stats->failed;
        if (stats->first_error.empty()) {
          stats->first_error =
              "HTTP " + std::to_string(status) + ": " + answer.substr(0, 300);
        }
      }
    }
    pacer->Finished(c, round + 1);
  }
  pacer->Finished(c, workload.rounds);
}

}  // namespace

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t i =
      std::min(sorted.size() - 1,
               static_cast<size_t>(q * static_cast<double>(sorted.size())));
  return sorted[i];
}

IngestResult RunIngest(const Workload& workload, const ServerProcess& server,
                       const IngestOptions& options) {
  const int k = std::max(1, options.connections);
  IngestOptions opts = options;
  opts.connections = k;
  Pacer pacer(k, std::max(1, options.max_lead_rounds));
  std::vector<ConnectionStats> stats(static_cast<size_t>(k));
  IngestResult r;
  const double cpu0 = server.CpuSeconds();
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < k; ++c) {
    threads.emplace_back(RunConnection, c, std::cref(workload),
                         std::cref(server), std::cref(opts), &pacer,
                         &stats[static_cast<size_t>(c)]);
  }
  for (std::thread& t : threads) t.join();
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cpu_s = server.CpuSeconds() - cpu0;
  for (const ConnectionStats& s : stats) {
    r.latencies_ms.insert(r.latencies_ms.end(), s.latencies_ms.begin(),
                          s.latencies_ms.end());
    for (const auto& [status, n] : s.statuses) r.statuses[status] += n;
    r.failed += s.failed;
    r.retries += s.retries;
    if (r.first_error.empty()) r.first_error = s.first_error;
  }
  r.requests = static_cast<int64_t>(r.latencies_ms.size());
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  return r;
}

}  // namespace strata::bench
