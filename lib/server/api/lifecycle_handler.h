// LifecycleHandler: Prometheus's lifecycle API, /-/reload and /-/quit,
// served only with --web.enable-lifecycle (LifecycleOptions::enabled), as
// in Prometheus 2.42's web.go:
//
//   POST|PUT /-/reload  re-reads the configuration: 200 with an empty body,
//                       or 500 "failed to reload config: <err>" (paths
//                       relative to LifecycleOptions::config_dir).
//   POST|PUT /-/quit    asks for a clean shutdown, as SIGTERM does: 200
//                       "Requesting termination... Goodbye!", then
//                       "Termination already in progress." once asked.
//   GET of either       405 "Only POST or PUT requests allowed".
//   disabled            POST|PUT answer 403 "Lifecycle API is not enabled."
//
// A cross-site request (a web page's form POST, see CrossOriginPolicy) is
// refused with 403 unless LifecycleOptions::cross_origin allows its Origin.
// SIGHUP reloads whatever the flag says: the owner calls Reload().
// Reloads are serialized. Metrics: strata_config_last_reload_successful
// and strata_config_last_reload_success_timestamp_seconds.
//
// Thread-safety: RegisterRoutes once before serving; Reload is safe to
// call concurrently.
#ifndef STRATA_SERVER_API_LIFECYCLE_HANDLER_H_
#define STRATA_SERVER_API_LIFECYCLE_HANDLER_H_

#include <atomic>
#include <functional>
#include <string>

#include "server/http/cross_origin.h"
#include "server/http/http.h"
#include "server/http/router.h"
#include "server/metrics/metrics.h"
#include "strata/status.h"
#include "util/mutex.h"

namespace strata::server {

struct LifecycleOptions {
  // --web.enable-lifecycle.
  bool enabled = false;
  // Does the reload (e.g. parse --config.file and apply it); never called
  // concurrently. Unset: a reload that always succeeds.
  std::function<Status()> reload;
  // Starts a clean shutdown (e.g. as on SIGTERM) and returns at once, so
  // that the response still goes out; called at most once. Unset: none.
  std::function<void()> quit;
  // Origins whose pages may call these endpoints (--web.cors.origin).
  CrossOriginPolicy cross_origin{};
  // Paths under this directory (e.g. the configuration file's) appear
  // relative to it in a failed reload's answer; the log has them in full.
  std::string config_dir;
};

class LifecycleHandler {
 public:
  // `registry` (not owned) receives the reload metrics.
  LifecycleHandler(LifecycleOptions options, MetricsRegistry* registry);
  LifecycleHandler(const LifecycleHandler&) = delete;
  LifecycleHandler& operator=(const LifecycleHandler&) = delete;

  void RegisterRoutes(Router* router);

  // Runs the reload, logs its outcome and updates the metrics.
  Status Reload();

 private:
  Response ReloadEndpoint();
  Response QuitEndpoint();

  // Constant after construction.
  const LifecycleOptions options_;

  std::atomic<bool> quit_requested_{false};
  Mutex mu_;  // Serializes reloads.
  Gauge* last_successful_;
  Gauge* last_success_time_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_API_LIFECYCLE_HANDLER_H_
