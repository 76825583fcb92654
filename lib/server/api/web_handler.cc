#include "server/api/web_handler.h"

#include <limits.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/metrics/db_metrics.h"
#include "server/metrics/process_metrics.h"
#include "util/file_system.h"
#include "util/strings.h"
#include "util/time_format.h"

namespace strata::server {
namespace {

// Route label for requests that matched no route (404, 405, 413, ...), so
// arbitrary paths cannot blow up the label cardinality.
constexpr std::string_view kUnmatchedRoute = "unmatched";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string CurrentDir() {
  char buf[PATH_MAX];
  return getcwd(buf, sizeof(buf)) != nullptr ? std::string(buf) : "";
}

// The process's threads (what Prometheus reports as goroutines).
int64_t ThreadCount() {
  StatusOr<std::vector<std::string>> tasks =
      FileSystem::Default()->ListDir("/proc/self/task");
  return tasks.ok() ? static_cast<int64_t>(tasks->size()) : 0;
}

// The value of the first point of family `name` in `families`, or 0.
double GatheredValue(const std::vector<MetricFamily>& families,
                     std::string_view name) {
  for (const MetricFamily& family : families) {
    if (family.name == name && !family.points.empty()) {
      return family.points.front().value;
    }
  }
  return 0;
}

}  // namespace

WebHandler::WebHandler(WebOptions options)
    : options_(std::move(options)),
      start_time_ms_(NowMs()),
      cwd_(CurrentDir()) {
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
  AddDBCollector(&registry_,
                 [this] { return db_.load(std::memory_order_acquire); });
}

void WebHandler::RegisterRoutes(Router* router) {
  router->Get("/-/healthy", [this](Request&) { return Healthy(); });
  router->Get("/-/ready", [this](Request&) { return Ready(); });
  router->Get("/metrics", [this](Request&) { return Metrics(); });
  // Prometheus answers "not ready" before its API adds CORS headers.
  router->Get(
      "/api/v1/status/buildinfo",
      RequireReady(WithCors([this](Request&) { return BuildInfoJson(); })));
  router->Get(
      "/api/v1/status/runtimeinfo",
      RequireReady(WithCors([this](Request&) { return RuntimeInfoJson(); })));
  router->Get("/api/v1/status/walreplay",
              WithCors([this](Request&) { return WalReplayJson(); }));
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

void WebHandler::SetWalReplayProgress(const WalReplayProgress& progress) {
  MutexLock lock(&replay_mu_);
  replay_progress_ = progress;
}

Handler WebHandler::RequireReady(Handler handler) const {
  return [this, handler = std::move(handler)](Request& request) {
    if (!ready()) {
      return Response::Text(kHttpServiceUnavailable, "Service Unavailable");
    }
    return handler(request);
  };
}

Handler WebHandler::WithCors(Handler handler) const {
  return [this, handler = std::move(handler)](Request& request) {
    Response response = handler(request);
    options_.cross_origin.SetCorsHeaders(request, &response);
    return response;
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
  AppendJsonString(&body, kPrometheusCompatibleVersion);
  body += R"(,"strataVersion":)";
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

Response WebHandler::RuntimeInfoJson() const {
  // As Prometheus, the reload and corruption figures come from the metrics.
  const std::vector<MetricFamily> families = registry_.Gather();
  const bool reload_ok =
      GatheredValue(families, "strata_config_last_reload_successful") != 0;
  const auto last_config_s = static_cast<int64_t>(GatheredValue(
      families, "strata_config_last_reload_success_timestamp_seconds"));
  const auto corruptions = static_cast<int64_t>(
      GatheredValue(families, "strata_wal_corruptions_total"));
  std::string body = R"({"status":"success","data":{"startTime":)";
  AppendJsonString(&body, FormatRfc3339Nano(start_time_ms_));
  body += R"(,"CWD":)";
  AppendJsonString(&body, cwd_);
  body += R"(,"reloadConfigSuccess":)";
  body += reload_ok ? "true" : "false";
  body += R"(,"lastConfigTime":)";
  AppendJsonString(&body, FormatRfc3339Nano(last_config_s * 1000));
  body += Cat(R"(,"corruptionCount":)", corruptions, R"(,"goroutineCount":)",
              ThreadCount(), R"(,"GOMAXPROCS":)",
              std::thread::hardware_concurrency(),
              R"(,"GOGC":"","GODEBUG":"","storageRetention":)");
  AppendJsonString(&body, options_.storage_retention);
  body += "}}";
  return Response::Json(kHttpOk, std::move(body));
}

Response WebHandler::WalReplayJson() const {
  WalReplayProgress progress;
  {
    MutexLock lock(&replay_mu_);
    progress = replay_progress_;
  }
  return Response::Json(kHttpOk, Cat(R"({"status":"success","data":{"min":)",
                                     progress.min, R"(,"max":)", progress.max,
                                     R"(,"current":)", progress.current, "}}"));
}

}  // namespace strata::server
