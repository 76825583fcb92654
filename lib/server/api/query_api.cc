#include "server/api/query_api.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "promql/parser.h"
#include "server/api/api_params.h"
#include "server/api/query_json.h"
#include "server/api/tsdb_status.h"
#include "server/http/api_envelope.h"
#include "server/http/gzip_body_writer.h"
#include "server/http/stream_buffer.h"
#include "util/file_system.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// Prometheus caps a range query at this many steps per series.
constexpr int64_t kMaxPointsPerSeries = 11000;
// How many entries each /api/v1/status/tsdb list has by default.
constexpr int64_t kTsdbStatusTopN = 10;

constexpr int64_t kNanosPerMilli = 1000000;

ApiErrorType ErrorTypeOf(const Status& status) {
  const std::string_view name = promql::ErrorType(status);
  if (name == "bad_data") return ApiErrorType::kBadData;
  if (name == "execution") return ApiErrorType::kExecution;
  if (name == "timeout") return ApiErrorType::kTimeout;
  if (name == "canceled") return ApiErrorType::kCanceled;
  return ApiErrorType::kInternal;
}

Response BadData(const Status& status) {
  return ApiError(ApiErrorType::kBadData, status.message());
}

// Prometheus's label name syntax: [a-zA-Z_][a-zA-Z0-9_]* (reserved "__"
// names included, unlike an exported metric's labels).
bool IsValidQueryLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// A streamed {"status":"success","data":...} response whose data is
// produced by `write_data`; `warnings` follow the data as in Prometheus.
Response StreamSuccess(std::function<Status(StreamBuffer*)> write_data,
                       std::vector<std::string> warnings = {}) {
  Response response;
  response.headers.Set("Content-Type", std::string(kContentTypeJson));
  response.stream = [write_data = std::move(write_data),
                     warnings = std::move(warnings)](BodyWriter* writer) {
    StreamBuffer out(writer);
    out.text()->append(R"({"status":"success","data":)");
    STRATA_RETURN_IF_ERROR(write_data(&out));
    if (!warnings.empty()) {
      out.text()->append(R"(,"warnings":[)");
      for (size_t i = 0; i < warnings.size(); ++i) {
        if (i > 0) out.text()->push_back(',');
        AppendJsonString(out.text(), warnings[i]);
      }
      out.text()->push_back(']');
    }
    out.text()->push_back('}');
    return out.Finish();
  };
  return response;
}

// A success response whose data is a JSON array of strings.
Response StringListSuccess(std::vector<std::string> values,
                           std::vector<std::string> warnings) {
  auto shared = std::make_shared<std::vector<std::string>>(std::move(values));
  return StreamSuccess(
      [shared](StreamBuffer* out) {
        out->text()->push_back('[');
        for (size_t i = 0; i < shared->size(); ++i) {
          if (i > 0) out->text()->push_back(',');
          AppendJsonString(out->text(), (*shared)[i]);
          STRATA_RETURN_IF_ERROR(out->MaybeFlush());
        }
        out->text()->push_back(']');
        return Status::OK();
      },
      std::move(warnings));
}

// Truncates `values` to `limit` (0: no limit), returning the warning
// Prometheus gives when it truncates.
std::vector<std::string> ApplyLimit(int64_t limit, size_t size, size_t* keep) {
  *keep = size;
  if (limit > 0 && size > static_cast<size_t>(limit)) {
    *keep = static_cast<size_t>(limit);
    return {"results truncated due to limit"};
  }
  return {};
}

// The `timeout` parameter in milliseconds (0 if absent).
StatusOr<int64_t> TimeoutParam(const Request& request) {
  const std::string_view text = request.params.Get("timeout");
  if (text.empty()) return 0;
  StatusOr<int64_t> ns = ParseApiDuration(text);
  if (!ns.ok()) return InvalidParam(ns.status(), "timeout");
  // A positive timeout below a millisecond still expires at once.
  return std::max<int64_t>(*ns / kNanosPerMilli, *ns > 0 ? 1 : 0);
}

}  // namespace

QueryApi::QueryApi(QueryApiOptions options)
    : options_(std::move(options)),
      engine_(options_.engine),
      gate_(options_.max_concurrency) {
  if (options_.registry != nullptr) {
    metrics_ = std::make_unique<QueryMetrics>(options_.registry);
    AddGateMetrics(options_.registry);
  }
}

void QueryApi::AddGateMetrics(MetricsRegistry* registry) {
  registry->AddGaugeFunc(
      "strata_query_inflight", "Number of queries being evaluated.",
      [this] { return static_cast<double>(gate_.active()); });
  registry->AddGaugeFunc(
      "strata_query_queued",
      "Number of queries waiting for a slot of the concurrency limit.",
      [this] { return static_cast<double>(gate_.queued()); });
  registry->AddGaugeFunc(
      "strata_query_concurrency_limit",
      "Most queries evaluated at once (--query.max-concurrency; 0: no "
      "limit).",
      [this] { return static_cast<double>(std::max(gate_.limit(), 0)); });
}

int64_t QueryApi::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Handler QueryApi::Wrap(Response (QueryApi::*method)(const Request&),
                       std::string_view endpoint) {
  return [this, method, endpoint](Request& request) {
    if (options_.ready && !options_.ready()) {
      return Response::Text(kHttpServiceUnavailable, "Service Unavailable");
    }
    if (db() == nullptr) {
      return ApiError(ApiErrorType::kUnavailable, "TSDB not ready");
    }
    const auto start = std::chrono::steady_clock::now();
    Response response = (this->*method)(request);
    // Large results go out gzipped to clients that accept it, as
    // Prometheus's API does.
    if (response.stream &&
        AcceptsGzip(request.headers.Get("Accept-Encoding"))) {
      response.headers.Set("Content-Encoding", "gzip");
      response.stream = [plain = std::move(response.stream)](BodyWriter* w) {
        GzipBodyWriter gzip(w);
        STRATA_RETURN_IF_ERROR(plain(&gzip));
        return gzip.Finish();
      };
    }
    ObserveWhenSent(endpoint, start, &response);
    options_.cross_origin.SetCorsHeaders(request, &response);
    return response;
  };
}

Response QueryApi::StorageError(ApiErrorType type, const Status& st) const {
  const DB* current = db();
  return ApiError(type, current == nullptr
                            ? std::string(st.message())
                            : RelativeToDir(st.message(), current->dir()));
}

void QueryApi::ObserveWhenSent(std::string_view endpoint,
                               std::chrono::steady_clock::time_point start,
                               Response* response) {
  if (metrics_ == nullptr || endpoint.empty()) return;
  QueryMetrics* metrics = metrics_.get();
  const auto observe = [metrics, endpoint, start] {
    metrics->ObserveDuration(
        endpoint,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  };
  if (!response->stream) {
    observe();
    return;
  }
  response->stream = [plain = std::move(response->stream),
                      observe](BodyWriter* w) {
    Status st = plain(w);
    observe();
    return st;
  };
}

void QueryApi::RegisterRoutes(Router* router) {
  const auto get_and_post = [&](std::string_view path, Handler handler) {
    router->Get(path, handler);
    router->Post(path, std::move(handler));
  };
  // CORS preflight for every API path, as Prometheus's API answers it.
  router->Handle("OPTIONS", "/api/v1/*path", [this](Request& request) {
    Response response = Response::Json(kHttpOk, R"({"status":"success"})");
    options_.cross_origin.SetCorsHeaders(request, &response);
    return response;
  });
  get_and_post("/api/v1/query", Wrap(&QueryApi::Query, kQueryEndpointQuery));
  get_and_post("/api/v1/query_range",
               Wrap(&QueryApi::QueryRange, kQueryEndpointQueryRange));
  get_and_post("/api/v1/series", Wrap(&QueryApi::Series, kQueryEndpointSeries));
  get_and_post("/api/v1/labels",
               Wrap(&QueryApi::LabelNames, kQueryEndpointLabels));
  router->Get("/api/v1/label/:name/values",
              Wrap(&QueryApi::LabelValues, kQueryEndpointLabelValues));
  get_and_post("/api/v1/query_exemplars", Wrap(&QueryApi::QueryExemplars));
  get_and_post("/api/v1/format_query", Wrap(&QueryApi::FormatQuery));
  router->Get("/api/v1/status/tsdb", Wrap(&QueryApi::TsdbStatus));
  router->Get("/api/v1/status/blocks", Wrap(&QueryApi::TsdbBlocks));
  router->Get("/api/v1/status/flags", Wrap(&QueryApi::Flags));

  // Strata scrapes no targets: these answer as a Prometheus without
  // scrape_configs does. /api/v1/rules, /alerts and /alertmanagers are
  // RulesApi's.
  const auto fixed = [&](std::string_view path, std::string data) {
    router->Get(path, [this, data = std::move(data)](Request&) {
      if (options_.ready && !options_.ready()) {
        return Response::Text(kHttpServiceUnavailable, "Service Unavailable");
      }
      return ApiSuccess(data);
    });
  };
  fixed("/api/v1/targets", R"({"activeTargets":[],"droppedTargets":[]})");
  fixed("/api/v1/targets/metadata", "[]");
}

Response QueryApi::Query(const Request& request) {
  StatusOr<int64_t> t = TimeParam(request, "time", Now());
  if (!t.ok()) return BadData(t.status());
  StatusOr<int64_t> timeout = TimeoutParam(request);
  if (!timeout.ok()) return BadData(timeout.status());
  StatusOr<promql::ExprPtr> expr =
      promql::ParseExpr(request.params.Get("query"));
  if (!expr.ok()) return BadData(InvalidParam(expr.status(), "query"));
  return RunQuery(request, **expr, *t, *t, 0, /*range=*/false, *timeout);
}

Response QueryApi::QueryRange(const Request& request) {
  StatusOr<int64_t> start = ParseApiTime(request.params.Get("start"));
  if (!start.ok()) return BadData(InvalidParam(start.status(), "start"));
  StatusOr<int64_t> end = ParseApiTime(request.params.Get("end"));
  if (!end.ok()) return BadData(InvalidParam(end.status(), "end"));
  if (*end < *start) {
    return BadData(InvalidParam(
        Status::InvalidArgument("end timestamp must not be before start time"),
        "end"));
  }
  StatusOr<int64_t> step_ns = ParseApiDuration(request.params.Get("step"));
  if (!step_ns.ok()) return BadData(InvalidParam(step_ns.status(), "step"));
  if (*step_ns <= 0) {
    return BadData(InvalidParam(
        Status::InvalidArgument("zero or negative query resolution step "
                                "widths are not accepted. Try a positive "
                                "integer"),
        "step"));
  }
  // Go: end.Sub(start)/step > 11000, in nanoseconds (saturating).
  const __int128 span_ns =
      static_cast<__int128>(*end - *start) * kNanosPerMilli;
  if (span_ns / *step_ns > kMaxPointsPerSeries) {
    return ApiError(ApiErrorType::kBadData,
                    "exceeded maximum resolution of 11,000 points per "
                    "timeseries. Try decreasing the query resolution "
                    "(?step=XX)");
  }
  StatusOr<int64_t> timeout = TimeoutParam(request);
  if (!timeout.ok()) return BadData(timeout.status());
  // Unlike /query, Prometheus 2.42 does not name the parameter here.
  StatusOr<promql::ExprPtr> expr =
      promql::ParseExpr(request.params.Get("query"));
  if (!expr.ok()) return BadData(expr.status());
  const int64_t step_ms = *step_ns / kNanosPerMilli;
  if (step_ms <= 0) {
    // Below a millisecond: the engine's resolution is milliseconds.
    return BadData(InvalidParam(
        Status::InvalidArgument("zero or negative query resolution step "
                                "widths are not accepted. Try a positive "
                                "integer"),
        "step"));
  }
  return RunQuery(request, **expr, *start, *end, step_ms, /*range=*/true,
                  *timeout);
}

Response QueryApi::RunQuery(const Request& request, const promql::Expr& expr,
                            int64_t start_ms, int64_t end_ms, int64_t step_ms,
                            bool range, int64_t timeout_ms) {
  // As Prometheus: any `stats` value reports them, "all" per step too.
  const std::string_view stats_param = request.params.Get("stats");
  const auto exec_start = std::chrono::steady_clock::now();
  // One budget for waiting in line and evaluating, as in Prometheus.
  promql::QueryOptions query_options;
  query_options.cancel = request.client_gone.get();
  query_options.deadline = engine_.Deadline(timeout_ms);
  query_options.per_step_stats = stats_param == "all";
  const auto fail = [&](const Status& st) {
    if (metrics_ != nullptr && st.code() == StatusCode::kDeadlineExceeded) {
      metrics_->CountTimeout(range ? kQueryEndpointQueryRange
                                   : kQueryEndpointQuery);
    }
    return StorageError(ErrorTypeOf(st), st);
  };
  if (Status st = gate_.Acquire(query_options.deadline, query_options.cancel);
      !st.ok()) {
    return fail(st);
  }
  const auto queue_end = std::chrono::steady_clock::now();
  StatusOr<promql::Result> result = [&] {
    QueryGateSlot slot(&gate_);
    return range ? engine_.RangeExpr(*db(), expr, start_ms, end_ms, step_ms,
                                     query_options)
                 : engine_.InstantExpr(*db(), expr, start_ms, query_options);
  }();
  if (!result.ok()) return fail(result.status());
  auto shared = std::make_shared<promql::Result>(std::move(*result));
  auto stats_json = std::make_shared<std::string>();
  if (!stats_param.empty()) {
    ExecTimings exec;
    exec.queue_seconds =
        std::chrono::duration<double>(queue_end - exec_start).count();
    exec.total_seconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - exec_start)
                             .count();
    AppendQueryStatsJson(stats_json.get(), shared->stats, exec);
  }
  std::vector<std::string> warnings = shared->warnings;
  return StreamSuccess(
      [shared, stats_json](StreamBuffer* out) {
        return WriteQueryData(*shared, out, *stats_json);
      },
      std::move(warnings));
}

Response QueryApi::Series(const Request& request) {
  if (!request.params.Has("match[]")) {
    return ApiError(ApiErrorType::kBadData, "no match[] parameter provided");
  }
  StatusOr<int64_t> start = TimeParam(request, "start", kApiMinTimeMs);
  if (!start.ok()) return BadData(start.status());
  StatusOr<int64_t> end = TimeParam(request, "end", kApiMaxTimeMs);
  if (!end.ok()) return BadData(end.status());
  StatusOr<std::vector<std::vector<Matcher>>> sets = MatchersParam(request);
  if (!sets.ok()) return BadData(InvalidParam(sets.status(), "match[]"));
  StatusOr<int64_t> limit = LimitParam(request);
  if (!limit.ok()) return BadData(limit.status());

  StatusOr<std::unique_ptr<Querier>> querier = db()->NewQuerier(*start, *end);
  if (!querier.ok()) {
    return StorageError(ApiErrorType::kExecution, querier.status());
  }
  auto series = std::make_shared<std::vector<Labels>>();
  SelectHints hints;
  hints.sorted = sets->size() > 1;
  for (const std::vector<Matcher>& matchers : *sets) {
    std::unique_ptr<SeriesSet> set = (*querier)->Select(matchers, hints);
    while (set->Next()) series->push_back(set->At().labels());
    if (!set->status().ok()) {
      return StorageError(ApiErrorType::kExecution, set->status());
    }
  }
  std::sort(series->begin(), series->end());
  series->erase(std::unique(series->begin(), series->end()), series->end());
  size_t keep = 0;
  std::vector<std::string> warnings = (*querier)->Warnings();
  for (std::string& w : ApplyLimit(*limit, series->size(), &keep)) {
    warnings.push_back(std::move(w));
  }
  series->resize(keep);
  return StreamSuccess(
      [series](StreamBuffer* out) {
        out->text()->push_back('[');
        for (size_t i = 0; i < series->size(); ++i) {
          if (i > 0) out->text()->push_back(',');
          AppendJsonLabels(out->text(), (*series)[i]);
          STRATA_RETURN_IF_ERROR(out->MaybeFlush());
        }
        out->text()->push_back(']');
        return Status::OK();
      },
      std::move(warnings));
}

Response QueryApi::LabelNames(const Request& request) {
  return LabelLookup(request, [](Querier& q, const std::vector<Matcher>& m) {
    return q.LabelNames(m);
  });
}

Response QueryApi::LabelValues(const Request& request) {
  const std::string name(request.path_params.Get("name"));
  if (!IsValidQueryLabelName(name)) {
    std::string message = "invalid label name: ";
    AppendJsonString(&message, name);
    return ApiError(ApiErrorType::kBadData, message);
  }
  return LabelLookup(request,
                     [&name](Querier& q, const std::vector<Matcher>& m) {
                       return q.LabelValues(name, m);
                     });
}

Response QueryApi::LabelLookup(const Request& request,
                               const LabelLookupFunc& lookup) {
  StatusOr<int64_t> start = TimeParam(request, "start", kApiMinTimeMs);
  if (!start.ok()) return BadData(start.status());
  StatusOr<int64_t> end = TimeParam(request, "end", kApiMaxTimeMs);
  if (!end.ok()) return BadData(end.status());
  StatusOr<std::vector<std::vector<Matcher>>> sets = MatchersParam(request);
  if (!sets.ok()) return BadData(sets.status());
  StatusOr<int64_t> limit = LimitParam(request);
  if (!limit.ok()) return BadData(limit.status());

  StatusOr<std::unique_ptr<Querier>> querier = db()->NewQuerier(*start, *end);
  if (!querier.ok()) {
    return StorageError(ApiErrorType::kExecution, querier.status());
  }
  // No match[]: every series; several: the union.
  if (sets->empty()) sets->emplace_back();
  std::vector<std::string> out;
  for (const std::vector<Matcher>& matchers : *sets) {
    StatusOr<std::vector<std::string>> part = lookup(**querier, matchers);
    if (!part.ok()) {
      return StorageError(ApiErrorType::kExecution, part.status());
    }
    out.insert(out.end(), part->begin(), part->end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  size_t keep = 0;
  std::vector<std::string> warnings = (*querier)->Warnings();
  for (std::string& w : ApplyLimit(*limit, out.size(), &keep)) {
    warnings.push_back(std::move(w));
  }
  out.resize(keep);
  return StringListSuccess(std::move(out), std::move(warnings));
}

Response QueryApi::QueryExemplars(const Request& request) {
  StatusOr<int64_t> start = TimeParam(request, "start", kApiMinTimeMs);
  if (!start.ok()) return BadData(start.status());
  StatusOr<int64_t> end = TimeParam(request, "end", kApiMaxTimeMs);
  if (!end.ok()) return BadData(end.status());
  if (*end < *start) {
    return ApiError(ApiErrorType::kBadData,
                    "end timestamp must not be before start timestamp");
  }
  StatusOr<promql::ExprPtr> expr =
      promql::ParseExpr(request.params.Get("query"));
  if (!expr.ok()) return BadData(expr.status());
  // Prometheus's parser.ExtractSelectors: every vector selector's
  // matchers (its metric name included), one set each.
  std::vector<std::vector<Matcher>> selectors;
  promql::Inspect(
      **expr, [&](promql::Expr& e, const std::vector<promql::Expr*>&) {
        if (e.kind() == promql::NodeKind::kVectorSelector) {
          selectors.push_back(static_cast<promql::VectorSelector&>(e).matchers);
        }
      });
  // A query without selectors has no data at all (Prometheus: 204).
  if (selectors.empty()) {
    Response response;
    response.status = kHttpNoContent;
    return response;
  }
  StatusOr<std::unique_ptr<ExemplarQuerier>> querier =
      db()->NewExemplarQuerier();
  if (!querier.ok()) {
    return StorageError(ApiErrorType::kExecution, querier.status());
  }
  StatusOr<std::vector<ExemplarSeries>> result =
      (*querier)->Select(*start, *end, selectors);
  if (!result.ok()) {
    return StorageError(ApiErrorType::kExecution, result.status());
  }
  std::string json;
  AppendExemplarsJson(&json, *result);
  return ApiSuccess(json);
}

Response QueryApi::FormatQuery(const Request& request) {
  StatusOr<promql::ExprPtr> expr =
      promql::ParseExpr(request.params.Get("query"));
  if (!expr.ok()) return BadData(InvalidParam(expr.status(), "query"));
  return ApiSuccess(JsonString((*expr)->String()));
}

Response QueryApi::TsdbStatus(const Request& request) {
  int64_t top_n = kTsdbStatusTopN;
  if (request.params.Has("limit")) {
    StatusOr<int64_t> limit = LimitParam(request);
    if (!limit.ok() || *limit <= 0) {
      return ApiError(ApiErrorType::kBadData,
                      "limit must be a positive number");
    }
    top_n = *limit;
  }
  const DBStats stats = db()->Stats();
  CardinalityCounts head;
  if (stats.head_series > 0) {
    Status counted =
        CountSeries(stats.head_min_time, stats.head_max_time,
                    {{Matcher::NotEqual(kMetricNameLabel, "")}}, &head);
    if (!counted.ok()) return StorageError(ApiErrorType::kInternal, counted);
  }
  std::string data = R"({"headStats":{"numSeries":)";
  data += std::to_string(stats.head_series);
  data += R"(,"numLabelPairs":)";
  data += std::to_string(head.num_label_pairs());
  data += R"(,"chunkCount":)";
  data += std::to_string(stats.head_chunks);
  data += R"(,"minTime":)";
  data += std::to_string(stats.head_min_time);
  data += R"(,"maxTime":)";
  data += std::to_string(stats.head_max_time);
  data += "},";
  head.AppendTopLists(top_n, &data);
  if (request.params.Has("match[]")) {
    StatusOr<std::string> selection = SelectionStatus(request, top_n);
    if (!selection.ok()) return BadData(selection.status());
    data += *selection;
  }
  data += '}';
  return ApiSuccess(data);
}

// Strata's extension of /api/v1/status/tsdb: the same figures over the
// series matching match[] between start and end, blocks included.
StatusOr<std::string> QueryApi::SelectionStatus(const Request& request,
                                                int64_t top_n) {
  StatusOr<int64_t> start = TimeParam(request, "start", kApiMinTimeMs);
  if (!start.ok()) return start.status();
  StatusOr<int64_t> end = TimeParam(request, "end", kApiMaxTimeMs);
  if (!end.ok()) return end.status();
  StatusOr<std::vector<std::vector<Matcher>>> sets = MatchersParam(request);
  if (!sets.ok()) return InvalidParam(sets.status(), "match[]");
  CardinalityCounts counts;
  STRATA_RETURN_IF_ERROR(CountSeries(*start, *end, *sets, &counts));
  std::string out = R"(,"selection":{"numSeries":)";
  out += std::to_string(counts.num_series());
  out += R"(,"numLabelPairs":)";
  out += std::to_string(counts.num_label_pairs());
  out += R"(,"numMetricNames":)";
  out += std::to_string(counts.num_metric_names());
  out += R"(,"labelValueBytes":)";
  out += std::to_string(counts.label_value_bytes());
  out += ',';
  counts.AppendTopLists(top_n, &out);
  out += '}';
  return out;
}

Status QueryApi::CountSeries(int64_t mint, int64_t maxt,
                             const std::vector<std::vector<Matcher>>& sets,
                             CardinalityCounts* counts) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Querier> querier,
                          db()->NewQuerier(mint, maxt));
  // A series matching several selectors counts once.
  SelectHints hints;
  hints.sorted = sets.size() > 1;
  std::vector<Labels> all;
  for (const std::vector<Matcher>& matchers : sets) {
    std::unique_ptr<SeriesSet> set = querier->Select(matchers, hints);
    while (set->Next()) {
      if (sets.size() == 1) {
        counts->Add(set->At().labels());
      } else {
        all.push_back(set->At().labels());
      }
    }
    STRATA_RETURN_IF_ERROR(set->status());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  for (const Labels& labels : all) counts->Add(labels);
  return Status::OK();
}

Response QueryApi::TsdbBlocks(const Request&) {
  return ApiSuccess(BlocksJson(db()->Blocks()));
}

Response QueryApi::Flags(const Request&) {
  std::map<std::string, std::string> sorted(options_.flags.begin(),
                                            options_.flags.end());
  std::string data = "{";
  bool first = true;
  for (const auto& [name, value] : sorted) {
    if (!first) data += ',';
    first = false;
    AppendJsonString(&data, name);
    data += ':';
    AppendJsonString(&data, value);
  }
  data += '}';
  return ApiSuccess(data);
}

}  // namespace strata::server
