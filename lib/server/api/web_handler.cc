#include "server/api/web_handler.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "server/metrics/process_metrics.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// Route label for requests that matched no route (404, 405, 413, ...), so
// arbitrary paths cannot blow up the label cardinality.
constexpr std::string_view kUnmatchedRoute = "unmatched";

}  // namespace

WebHandler::WebHandler(WebOptions options) : options_(std::move(options)) {
  AddProcessCollector(&registry_);
  const BuildInfo& build = options_.build;
  registry_
      .AddGaugeFamily("strata_build_info",
                      "A metric with a constant '1' value labeled by version, "
                      "revision, branch, and compiler from which Strata was "
                      "built.",
                      {"version", "revision", "branch", "compiler"})
      ->WithLabelValues(
          {build.version, build.revision, build.branch, build.compiler})
      ->Set(1);
  ready_gauge_ = registry_.AddGauge(
      "strata_ready",
      "Whether startup was fully completed and the server is ready for "
      "normal operation.");
  requests_total_ = registry_.AddCounterFamily("strata_http_requests_total",
                                               "Counter of HTTP requests.",
                                               {"handler", "code"});
  request_duration_ = registry_.AddHistogramFamily(
      "strata_http_request_duration_seconds",
      "Histogram of latencies for HTTP requests.", {"handler", "code"});
  response_size_ = registry_.AddHistogramFamily(
      "strata_http_response_size_bytes",
      "Histogram of response size for HTTP requests.", {"handler"},
      ExponentialBuckets(100, 10, 8));
  AddDBCollector();
}

void WebHandler::RegisterRoutes(Router* router) {
  router->Get("/-/healthy", [this](Request&) { return Healthy(); });
  router->Get("/-/ready", [this](Request&) { return Ready(); });
  router->Get("/metrics", [this](Request&) { return Metrics(); });
  router->Get("/api/v1/status/buildinfo",
              RequireReady([this](Request&) { return BuildInfoJson(); }));
}

RequestObserver WebHandler::request_observer() {
  return [this](const RequestRecord& record) {
    const std::string handler = record.route.empty()
                                    ? std::string(kUnmatchedRoute)
                                    : std::string(record.route);
    const std::string code = std::to_string(record.status);
    requests_total_->WithLabelValues({handler, code})->Inc();
    request_duration_->WithLabelValues({handler, code})
        ->Observe(record.seconds);
    response_size_->WithLabelValues({handler})->Observe(
        static_cast<double>(record.response_body_bytes));
  };
}

void WebHandler::SetDB(DB* db) { db_.store(db, std::memory_order_release); }

void WebHandler::SetReady(bool ready) {
  ready_.store(ready, std::memory_order_release);
  ready_gauge_->Set(ready ? 1 : 0);
}

Handler WebHandler::RequireReady(Handler handler) const {
  return [this, handler = std::move(handler)](Request& request) {
    if (!ready()) {
      return Response::Text(kHttpServiceUnavailable, "Service Unavailable");
    }
    return handler(request);
  };
}

Response WebHandler::Healthy() const {
  return Response::Text(kHttpOk, options_.app_name + " is Healthy.\n");
}

Response WebHandler::Ready() const {
  if (!ready()) {
    return Response::Text(kHttpServiceUnavailable, "Service Unavailable");
  }
  return Response::Text(kHttpOk, options_.app_name + " is Ready.\n");
}

Response WebHandler::Metrics() const {
  Response response;
  response.headers.Set("Content-Type", std::string(kTextFormatContentType));
  response.body = registry_.RenderText();
  return response;
}

Response WebHandler::BuildInfoJson() const {
  const BuildInfo& build = options_.build;
  std::string body = R"({"status":"success","data":{"version":)";
  AppendJsonString(&body, build.version);
  body += R"(,"revision":)";
  AppendJsonString(&body, build.revision);
  body += R"(,"branch":)";
  AppendJsonString(&body, build.branch);
  body += R"(,"buildUser":)";
  AppendJsonString(&body, build.build_user);
  body += R"(,"buildDate":)";
  AppendJsonString(&body, build.build_date);
  body += R"(,"goVersion":)";
  AppendJsonString(&body, build.compiler);
  body += "}}";
  return Response::Json(kHttpOk, std::move(body));
}

void WebHandler::AddDBCollector() {
  registry_.AddCollector(
      {"strata_head_series", "strata_head_chunks", "strata_head_min_time",
       "strata_head_max_time", "strata_head_samples_appended_total",
       "strata_head_series_created_total", "strata_head_samples_rejected_total",
       "strata_wal_written_bytes_total", "strata_wal_segments_created_total",
       "strata_wal_fsyncs_total", "strata_wal_fsync_duration_seconds",
       "strata_wal_writes_failed_total", "strata_wal_replay_duration_seconds",
       "strata_wal_corruptions_total",
       "strata_wal_replay_records_skipped_total"},
      [this](std::vector<MetricFamily>* out) {
        DB* db = db_.load(std::memory_order_acquire);
        if (db == nullptr) return;
        const DBStats s = db->Stats();
        const ReplayReport& replay = db->replay_report();
        const auto d = [](int64_t v) { return static_cast<double>(v); };
        out->push_back(SingleValueFamily(
            "strata_head_series", "Total number of series in the head block.",
            MetricType::kGauge, d(s.head_series)));
        out->push_back(SingleValueFamily(
            "strata_head_chunks", "Total number of chunks in the head block.",
            MetricType::kGauge, d(s.head_chunks)));
        out->push_back(SingleValueFamily(
            "strata_head_min_time",
            "Minimum time bound of the head block, in milliseconds.",
            MetricType::kGauge, d(s.head_min_time)));
        out->push_back(SingleValueFamily(
            "strata_head_max_time",
            "Maximum timestamp of the head block, in milliseconds.",
            MetricType::kGauge, d(s.head_max_time)));
        out->push_back(SingleValueFamily("strata_head_samples_appended_total",
                                         "Total number of appended samples.",
                                         MetricType::kCounter,
                                         d(s.samples_appended)));
        out->push_back(
            SingleValueFamily("strata_head_series_created_total",
                              "Total number of series created in the head.",
                              MetricType::kCounter, d(s.series_created)));
        MetricFamily rejected;
        rejected.name = "strata_head_samples_rejected_total";
        rejected.help =
            "Total number of samples refused by the head, by reason.";
        rejected.type = MetricType::kCounter;
        for (const auto& [reason, value] :
             {std::pair<const char*, int64_t>{"duplicate", s.samples_duplicate},
              {"out_of_bounds", s.samples_out_of_bounds},
              {"out_of_order", s.samples_out_of_order}}) {
          MetricPoint point;
          point.labels.emplace_back("reason", reason);
          point.value = d(value);
          rejected.points.push_back(std::move(point));
        }
        out->push_back(std::move(rejected));
        out->push_back(SingleValueFamily(
            "strata_wal_written_bytes_total",
            "Total bytes written to the write-ahead log, framing included.",
            MetricType::kCounter, d(s.wal_bytes)));
        out->push_back(
            SingleValueFamily("strata_wal_segments_created_total",
                              "Total number of write-ahead log segments "
                              "created.",
                              MetricType::kCounter, d(s.wal_segments)));
        out->push_back(
            SingleValueFamily("strata_wal_fsyncs_total",
                              "Total number of write-ahead log fsyncs.",
                              MetricType::kCounter, d(s.wal_fsyncs)));
        // Only the total time is tracked: a summary without quantiles.
        MetricFamily fsync;
        fsync.name = "strata_wal_fsync_duration_seconds";
        fsync.help = "Duration of write-ahead log fsyncs.";
        fsync.type = MetricType::kSummary;
        fsync.points.emplace_back();
        fsync.points.back().sum = s.wal_fsync_seconds_total;
        fsync.points.back().count = static_cast<uint64_t>(s.wal_fsyncs);
        out->push_back(std::move(fsync));
        out->push_back(
            SingleValueFamily("strata_wal_writes_failed_total",
                              "Total number of failed write-ahead log writes.",
                              MetricType::kCounter, d(s.wal_write_errors)));
        out->push_back(SingleValueFamily(
            "strata_wal_replay_duration_seconds",
            "Time the write-ahead log replay took when the DB was opened.",
            MetricType::kGauge, replay.seconds));
        // Each damaged range replay skipped; a gap in the segment numbers
        // counts once.
        const size_t corruptions =
            std::max<size_t>(replay.skipped.size(), !replay.corruption.ok());
        out->push_back(SingleValueFamily(
            "strata_wal_corruptions_total",
            "Total number of write-ahead log corruptions found at open.",
            MetricType::kCounter, static_cast<double>(corruptions)));
        out->push_back(SingleValueFamily(
            "strata_wal_replay_records_skipped_total",
            "Write-ahead log records lost to corruption at open (at least "
            "one per corruption; intact records after it are kept).",
            MetricType::kCounter, d(replay.records_skipped)));
      });
}

}  // namespace strata::server
