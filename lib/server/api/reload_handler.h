// ReloadHandler: re-reads the configuration on POST or PUT /-/reload and on
// SIGHUP (the owner calls Reload()), as Prometheus does; GET /-/reload
// answers 405 "Only POST or PUT requests allowed". A successful reload
// answers 200 with an empty body, a failed one 500 "failed to reload
// config: <err>". Reloads are serialized. Metrics:
// strata_config_last_reload_successful and
// strata_config_last_reload_success_timestamp_seconds.
//
// Prometheus serves /-/reload only with --web.enable-lifecycle; Strata has
// no such flag yet, so the endpoint is always on.
//
// Thread-safety: RegisterRoutes once before serving; Reload is safe to
// call concurrently.
#ifndef STRATA_SERVER_API_RELOAD_HANDLER_H_
#define STRATA_SERVER_API_RELOAD_HANDLER_H_

#include <functional>

#include "server/http/http.h"
#include "server/http/router.h"
#include "server/metrics/metrics.h"
#include "strata/status.h"
#include "util/mutex.h"

namespace strata::server {

class ReloadHandler {
 public:
  // `reload` does the work (e.g. parse --config.file and apply it); it is
  // never called concurrently. `registry` is not owned.
  ReloadHandler(std::function<Status()> reload, MetricsRegistry* registry);
  ReloadHandler(const ReloadHandler&) = delete;
  ReloadHandler& operator=(const ReloadHandler&) = delete;

  void RegisterRoutes(Router* router);

  // Runs the reload, logs its outcome and updates the metrics.
  Status Reload();

 private:
  // Constant after construction.
  const std::function<Status()> reload_;

  Mutex mu_;  // Serializes reloads.
  Gauge* last_successful_;
  Gauge* last_success_time_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_API_RELOAD_HANDLER_H_
