#include "query_driver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "http_client/http_client.h"
#include "nlohmann/json.hpp"
#include "url_encode.h"

namespace strata::bench {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kMinStepMs = 15000;
constexpr int kPointsPerPanel = 240;

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", static_cast<double>(ms) / 1000);
  return buf;
}

// Number of series in a successful answer, or -1 with `error` set.
int64_t ResultSeries(int status, const std::string& body, std::string* error) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (status != 200 || doc.is_discarded() ||
      doc.value("status", "") != "success") {
    *error = "HTTP " + std::to_string(status) + ": " + body.substr(0, 200);
    return -1;
  }
  const auto& result = doc["data"]["result"];
  return result.is_array() ? static_cast<int64_t>(result.size()) : 1;
}

}  // namespace

const std::vector<DashboardQuery>& DashboardQueries() {
  static const auto* const kQueries = new std::vector<DashboardQuery>{
      {"cpu rate by instance",
       R"(sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m])))"},
      {"http rate by job",
       R"(sum by (job, code) (rate(prometheus_http_requests_total[5m])))"},
      {"app p99 latency",
       R"(histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket[5m]))))"},
      {"prom handler p90",
       R"(histogram_quantile(0.9, sum by (le, handler) (rate(prometheus_http_request_duration_seconds_bucket[5m]))))"},
      {"top10 net rx",
       R"(topk(10, rate(node_network_receive_bytes_total[5m])))"},
      {"top5 goroutines", R"(topk(5, max_over_time(go_goroutines[5m])))"},
      {"series per job (all series)", R"(count by (job) ({__name__=~".+"}))"},
  };
  return *kQueries;
}

std::vector<QueryWindow> WindowsFor(int64_t span_ms) {
  // A window counts when the data covers nearly all of it: the first and
  // last rounds' scrape phases make a "6 h" run span a little under 6 h.
  const auto fits = [span_ms](int64_t w) { return span_ms >= w - w / 20; };
  std::vector<QueryWindow> out = {{"1h", std::min(kHourMs, span_ms)}};
  if (fits(6 * kHourMs)) out.push_back({"6h", 6 * kHourMs});
  if (fits(24 * kHourMs)) out.push_back({"24h", 24 * kHourMs});
  return out;
}

std::vector<QueryLatency> RunDashboard(const ServerProcess& server,
                                       const std::vector<QueryWindow>& windows,
                                       int64_t end_ms, int repetitions) {
  const int port = server.port();
  std::vector<QueryLatency> out;
  http_client::Connection conn("127.0.0.1", port);
  for (const DashboardQuery& q : DashboardQueries()) {
    for (const QueryWindow& w : windows) {
      QueryLatency r;
      r.query = q.name;
      r.window = w.label;
      const int64_t step = std::max(
          kMinStepMs, w.ms / kPointsPerPanel / kMinStepMs * kMinStepMs);
      http_client::Request request;
      request.target =
          "/api/v1/query_range?query=" + testing::UrlEncode(q.expr) +
          "&start=" + Seconds(end_ms - w.ms) + "&end=" + Seconds(end_ms) +
          "&step=" + Seconds(step);
      const bool track_peak = server.ResetPeakRss();
      const int64_t rss_before = server.RssBytes();
      for (int i = 0; i <= repetitions; ++i) {  // Run 0 warms up.
        const auto t0 = std::chrono::steady_clock::now();
        StatusOr<http_client::Response> response = conn.Send(request);
        const int status = response.ok() ? response->status : 0;
        const std::string body = response.ok() ? std::move(response->body)
                                               : response.status().ToString();
        const double ms = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - t0)
                              .count();
        if (status == 404) {
          r.supported = false;
          break;
        }
        std::string error;
        const int64_t series = ResultSeries(status, body, &error);
        if (series < 0) {
          if (r.error.empty()) r.error = error;
          continue;
        }
        r.result_series = series;
        if (i > 0) r.latencies_ms.push_back(ms);
      }
      if (track_peak && r.supported) {
        r.peak_rss_above =
            std::max<int64_t>(0, server.PeakRssBytes() - rss_before);
      }
      std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
      out.push_back(std::move(r));
    }
  }
  return out;
}

double InstantScalar(int port, const std::string& expr, int64_t time_ms,
                     int* http_status) {
  StatusOr<http_client::Response> response =
      http_client::Get(port, "/api/v1/query?query=" + testing::UrlEncode(expr) +
                                 "&time=" + Seconds(time_ms));
  const int status = response.ok() ? response->status : 0;
  const std::string body = response.ok() ? std::move(response->body) : "";
  if (http_status != nullptr) *http_status = status;
  if (status != 200) return -1;
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || doc.value("status", "") != "success") return -1;
  const auto& data = doc["data"];
  const auto& result = data["result"];
  // A vector of one sample, or a scalar: [time, "value"].
  const nlohmann::json* pair = nullptr;
  if (data.value("resultType", "") == "scalar") {
    pair = &result;
  } else if (result.is_array() && result.size() == 1) {
    pair = &result[0]["value"];
  } else if (result.is_array() && result.empty()) {
    return 0;
  }
  if (pair == nullptr || !pair->is_array() || pair->size() != 2) return -1;
  return std::stod((*pair)[1].get<std::string>());
}

double CountSamples(int port, const std::vector<std::string>& names,
                    int64_t span_ms, int64_t end_ms, int* http_status) {
  double total = 0;
  for (const std::string& name : names) {
    const double n =
        InstantScalar(port,
                      "sum(count_over_time({__name__=\"" + name + "\"}[" +
                          std::to_string(span_ms / 1000 + 1) + "s]))",
                      end_ms, http_status);
    if (n < 0) return -1;
    total += n;
  }
  return total;
}

}  // namespace strata::bench
