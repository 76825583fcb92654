// Query latency over Prometheus's HTTP API (/api/v1/query_range and
// /api/v1/query), so the same driver measures both servers.
//
// The dashboard set is fixed: rate, sum by, histogram_quantile and topk
// panels over the recorded jobs' metrics, each as a range query over the
// last 1 h, 6 h and 24 h of data where the data spans that long, with a
// step giving about 240 points (at least 15 s), as a Grafana panel asks.
#ifndef STRATA_BENCH_COMPARE_QUERY_DRIVER_H_
#define STRATA_BENCH_COMPARE_QUERY_DRIVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "server_process.h"

namespace strata::bench {

struct DashboardQuery {
  std::string name;  // Short name for tables.
  std::string expr;
};

// The fixed set, in table order.
const std::vector<DashboardQuery>& DashboardQueries();

struct QueryWindow {
  std::string label;  // "1h"
  int64_t ms;
};

// 1 h, 6 h and 24 h windows that a data span of `span_ms` covers (to
// within 5 %); the 1 h window always, clipped to the data when shorter.
std::vector<QueryWindow> WindowsFor(int64_t span_ms);

struct QueryLatency {
  std::string query;   // DashboardQuery::name
  std::string window;  // QueryWindow::label
  // False when the server has no such endpoint (404): reported as n/a.
  bool supported = true;
  std::string error;                 // First failed answer, if any.
  std::vector<double> latencies_ms;  // Successful runs, sorted.
  int64_t result_series = -1;        // Series in the answer.
  // Peak RSS of the server while the query ran, above its RSS just before
  // (bytes; -1 when the peak can't be reset). A garbage-collected server
  // may reuse free heap without growing RSS: a lower bound there.
  int64_t peak_rss_above = -1;
};

// Runs every dashboard query over every window ending at `end_ms`, one
// unmeasured warm-up then `repetitions` timed runs each, over one
// keep-alive connection to `server`, recording its peak RSS per query.
std::vector<QueryLatency> RunDashboard(const ServerProcess& server,
                                       const std::vector<QueryWindow>& windows,
                                       int64_t end_ms, int repetitions);

// An instant query whose answer is at most one sample (e.g. sum(...)): its
// value (0 for an empty answer), or -1 when the query fails or the endpoint
// is missing (then `http_status` tells which).
double InstantScalar(int port, const std::string& expr, int64_t time_ms,
                     int* http_status = nullptr);

// Every sample the server holds for the metric `names` between
// `end_ms - span_ms` and `end_ms`, counted by its own query engine: one
// sum(count_over_time(name[span])) per name (one query over every name
// would collide once count_over_time drops the names). -1 on any failure,
// with the failing HTTP status in `http_status`.
double CountSamples(int port, const std::vector<std::string>& names,
                    int64_t span_ms, int64_t end_ms, int* http_status);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_QUERY_DRIVER_H_
