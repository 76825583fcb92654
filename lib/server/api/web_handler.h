// WebHandler: Strata's own HTTP endpoints and the server's metrics, the
// counterpart of Prometheus's web.Handler.
//
//   GET /-/healthy                 200 "<app> is Healthy.\n", always.
//   GET /-/ready                   200 "<app> is Ready.\n" once SetReady(true),
//                                  503 "Service Unavailable" before.
//   GET /metrics                   Text format 0.0.4: process_*, strata_http_*,
//                                  strata_build_info, strata_ready and, once a
//                                  DB is attached, strata_* from DB::Stats()
//                                  (server/metrics/db_metrics.h).
//   GET /api/v1/status/buildinfo   Prometheus's JSON shape; 503 until ready,
//                                  like all of Prometheus's /api/v1.
//                                  `version` is kPrometheusCompatibleVersion,
//                                  Strata's own in `strataVersion`.
//   GET /api/v1/status/runtimeinfo Prometheus 2.42's fields: startTime, CWD,
//                                  reloadConfigSuccess, lastConfigTime,
//                                  corruptionCount (from the metrics, as
//                                  Prometheus), goroutineCount (threads),
//                                  GOMAXPROCS (hardware threads), GOGC and
//                                  GODEBUG (""), storageRetention.
//   GET /api/v1/status/walreplay   Prometheus 2.42's {"min","max","current"}
//                                  WAL segment numbers, from
//                                  SetWalReplayProgress; answers while the
//                                  server starts (not gated on ready).
//
// HEAD works wherever GET does (see Router).
//
// Thread-safety: RegisterRoutes is called once before serving; everything
// else is safe to call concurrently. An attached DB must stay open until it
// is detached with SetDB(nullptr) and in-flight requests have finished
// (i.e. after HttpServer::Shutdown).
#ifndef STRATA_SERVER_API_WEB_HANDLER_H_
#define STRATA_SERVER_API_WEB_HANDLER_H_

#include <atomic>
#include <string>

#include "server/api/build_info.h"
#include "server/http/cross_origin.h"
#include "server/http/http.h"
#include "server/http/http_server.h"
#include "server/http/router.h"
#include "server/metrics/metrics.h"
#include "strata/db.h"
#include "strata/options.h"
#include "util/mutex.h"

namespace strata::server {

struct WebOptions {
  // Prefix of the health and readiness texts. Prometheus's, so that probes
  // written for Prometheus match byte for byte.
  std::string app_name = "Prometheus Server";
  bool enable_admin_api = false;
  // Served by /api/v1/status/buildinfo and strata_build_info.
  BuildInfo build;
  // /api/v1/status/runtimeinfo's storageRetention, as Prometheus prints
  // it: "15d", "512MiB", "15d or 512MiB".
  std::string storage_retention;
  // --web.cors.origin: the CORS headers of the status endpoints, as on
  // every other /api/v1 endpoint.
  CrossOriginPolicy cross_origin;
};

class WebHandler {
 public:
  explicit WebHandler(WebOptions options);
  WebHandler(const WebHandler&) = delete;
  WebHandler& operator=(const WebHandler&) = delete;

  void RegisterRoutes(Router* router);

  // Records strata_http_* metrics for every answered request; pass it to
  // the HttpServer.
  RequestObserver request_observer();

  // Attaches the DB whose stats /metrics reports (nullptr detaches). Not
  // owned.
  void SetDB(DB* db);
  // Ready once the DB is open and its WAL replayed.
  void SetReady(bool ready);
  bool ready() const { return ready_.load(std::memory_order_acquire); }

  // What /api/v1/status/walreplay reports (DB::Open's progress).
  void SetWalReplayProgress(const WalReplayProgress& progress);

  // Wraps `handler` to answer 503 "Service Unavailable" until ready.
  Handler RequireReady(Handler handler) const;

  // Wraps `handler` to add the CORS headers (--web.cors.origin) to its
  // answers, as Prometheus's API does.
  Handler WithCors(Handler handler) const;

  MetricsRegistry* registry() { return &registry_; }

 private:
  Response Healthy() const;
  Response Ready() const;
  Response Metrics() const;
  Response BuildInfoJson() const;
  Response RuntimeInfoJson() const;
  Response WalReplayJson() const;

  // Constant after construction.
  const WebOptions options_;
  const int64_t start_time_ms_;
  const std::string cwd_;

  MetricsRegistry registry_;
  std::atomic<DB*> db_{nullptr};
  std::atomic<bool> ready_{false};
  mutable Mutex replay_mu_;
  WalReplayProgress replay_progress_ ABSL_GUARDED_BY(replay_mu_);
  // Owned by registry_.
  Gauge* ready_gauge_;
  CounterFamily* requests_total_;
  HistogramFamily* request_duration_;
  HistogramFamily* response_size_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_API_WEB_HANDLER_H_
