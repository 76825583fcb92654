// QueryApi: Prometheus 2.42's query endpoints of the HTTP API, served from
// a strata::DB through the PromQL engine and the public Querier:
//   /api/v1/query, /api/v1/query_range          (GET and POST form)
//   /api/v1/series, /api/v1/labels              (GET and POST form)
//   /api/v1/label/<name>/values
//   /api/v1/query_exemplars                     (the DB's exemplar ring)
//   /api/v1/format_query
//   /api/v1/status/tsdb, /api/v1/status/flags
//   /api/v1/status/blocks   (Strata: the persisted blocks, tsdb_status.h)
//
// /api/v1/status/tsdb takes `limit` (entries per list, default 10, as
// later Prometheus versions) and, a Strata extension, match[] with
// optional start and end: then a "selection" object holds the same lists
// (and numSeries, numLabelPairs, numMetricNames, labelValueBytes) over the
// series matching match[] in [start, end], blocks included.
//   /api/v1/targets, /api/v1/targets/metadata   (empty: no scraping)
// Parameters, JSON shapes, error types and status codes follow Prometheus;
// see api_params.h and query_json.h. Query results are streamed to the
// client as they are encoded.
//
// `stats=<anything>` on /query and /query_range adds Prometheus's "stats"
// object (timings and samples); `stats=all` adds the samples per step.
//
// Limits: at most `max_concurrency` queries evaluate at once (the rest
// wait, bounded by their timeout); `engine.timeout_ms` and the request's
// `timeout` bound each query, and `engine.max_samples` bounds its memory.
// A query whose client disconnects is cancelled.
//
// Thread-safety: handlers run concurrently. SetDB may be called at any
// time; requests see either the old or the new DB. The owner detaches the
// DB (SetDB(nullptr)) only after in-flight requests finished.
#ifndef STRATA_SERVER_API_QUERY_API_H_
#define STRATA_SERVER_API_QUERY_API_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "promql/engine.h"
#include "server/api/query_gate.h"
#include "server/api/tsdb_status.h"
#include "server/http/api_envelope.h"
#include "server/http/cross_origin.h"
#include "server/http/http.h"
#include "server/http/router.h"
#include "server/metrics/metrics.h"
#include "server/metrics/query_metrics.h"
#include "strata/db.h"
#include "strata/querier.h"

namespace strata::server {

struct QueryApiOptions {
  promql::EngineOptions engine;
  // --query.max-concurrency; <= 0 means no limit.
  int max_concurrency = 20;
  // The server's flags as /api/v1/status/flags reports them.
  std::vector<std::pair<std::string, std::string>> flags;
  // The current time in milliseconds; the default reads the clock.
  std::function<int64_t()> now_ms;
  // False while the server is starting: endpoints answer 503.
  std::function<bool()> ready;
  // Receives strata_query_inflight, strata_query_queued,
  // strata_query_concurrency_limit and QueryMetrics' families; not owned.
  // Null: no metrics.
  MetricsRegistry* registry = nullptr;
  // --web.cors.origin: the CORS headers of every endpoint's response.
  CrossOriginPolicy cross_origin{};
};

class QueryApi {
 public:
  explicit QueryApi(QueryApiOptions options);

  void SetDB(DB* db) { db_.store(db, std::memory_order_release); }
  void RegisterRoutes(Router* router);
  // Null without QueryApiOptions::registry. Other query endpoints (remote
  // read) report through it too.
  QueryMetrics* metrics() { return metrics_.get(); }

  // The endpoints, public for tests.
  Response Query(const Request& request);
  Response QueryRange(const Request& request);
  Response Series(const Request& request);
  Response LabelNames(const Request& request);
  Response LabelValues(const Request& request);
  Response QueryExemplars(const Request& request);
  Response FormatQuery(const Request& request);
  Response TsdbStatus(const Request& request);
  Response TsdbBlocks(const Request& request);
  Response Flags(const Request& request);

 private:
  // Evaluates under the concurrency gate with the request's cancellation
  // and timeout, then streams the result.
  Response RunQuery(const Request& request, const promql::Expr& expr,
                    int64_t start_ms, int64_t end_ms, int64_t step_ms,
                    bool range, int64_t timeout_ms);
  // The shared part of /labels and /label/<name>/values: start, end,
  // match[] and limit, one lookup per matcher set, the sorted union.
  using LabelLookupFunc = std::function<StatusOr<std::vector<std::string>>(
      Querier&, const std::vector<Matcher>&)>;
  Response LabelLookup(const Request& request, const LabelLookupFunc& lookup);
  // Counts the series matching any of `sets` in [mint, maxt], once each.
  Status CountSeries(int64_t mint, int64_t maxt,
                     const std::vector<std::vector<Matcher>>& sets,
                     CardinalityCounts* counts);
  // The "selection" member of /api/v1/status/tsdb (with a leading comma).
  StatusOr<std::string> SelectionStatus(const Request& request, int64_t top_n);
  DB* db() const { return db_.load(std::memory_order_acquire); }
  // The API error for `st`, with paths relative to the data directory.
  Response StorageError(ApiErrorType type, const Status& st) const;
  int64_t Now() const;
  // `endpoint`: the label of strata_query_duration_seconds, or "" for
  // endpoints that are not queries.
  Handler Wrap(Response (QueryApi::*method)(const Request&),
               std::string_view endpoint = {});
  void AddGateMetrics(MetricsRegistry* registry);
  // Observes the duration of `endpoint` (if any) once `response` is sent.
  void ObserveWhenSent(std::string_view endpoint,
                       std::chrono::steady_clock::time_point start,
                       Response* response);

  const QueryApiOptions options_;
  const promql::Engine engine_;
  QueryGate gate_;
  std::unique_ptr<QueryMetrics> metrics_;
  std::atomic<DB*> db_{nullptr};
};

}  // namespace strata::server

#endif  // STRATA_SERVER_API_QUERY_API_H_
