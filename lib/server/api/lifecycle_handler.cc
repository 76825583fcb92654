#include "server/api/lifecycle_handler.h"

#include <chrono>
#include <string>
#include <utility>

#include "util/duration.h"
#include "util/file_system.h"
#include "util/log.h"
#include "util/strings.h"

namespace strata::server {

LifecycleHandler::LifecycleHandler(LifecycleOptions options,
                                   MetricsRegistry* registry)
    : options_(std::move(options)) {
  last_successful_ = registry->AddGauge(
      "strata_config_last_reload_successful",
      "Whether the last configuration reload attempt was successful.");
  last_success_time_ = registry->AddGauge(
      "strata_config_last_reload_success_timestamp_seconds",
      "Timestamp of the last successful configuration reload.");
  last_successful_->Set(1);
  last_success_time_->Set(
      std::chrono::duration<double>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

void LifecycleHandler::RegisterRoutes(Router* router) {
  const auto route = [&](std::string_view path, Handler handler) {
    if (!options_.enabled) {
      handler = [](Request&) {
        return Response::Text(kHttpForbidden, "Lifecycle API is not enabled.");
      };
    }
    handler = options_.cross_origin.Protect(std::move(handler));
    router->Post(path, handler);
    router->Handle("PUT", path, handler);
    router->Get(path, [](Request&) {
      return Response::Text(kHttpMethodNotAllowed,
                            "Only POST or PUT requests allowed");
    });
  };
  route("/-/reload", [this](Request&) { return ReloadEndpoint(); });
  route("/-/quit", [this](Request&) { return QuitEndpoint(); });
}

Response LifecycleHandler::ReloadEndpoint() {
  Status st = Reload();
  if (!st.ok()) {
    return Response::Text(
        kHttpInternalServerError,
        Cat("failed to reload config: ",
            RelativeToDir(st.ToString(), options_.config_dir), "\n"));
  }
  return Response::Text(kHttpOk, "");
}

Response LifecycleHandler::QuitEndpoint() {
  if (quit_requested_.exchange(true)) {
    return Response::Text(kHttpOk, "Termination already in progress.");
  }
  if (options_.quit) options_.quit();
  return Response::Text(kHttpOk, "Requesting termination... Goodbye!");
}

Status LifecycleHandler::Reload() {
  MutexLock lock(&mu_);
  const auto start = std::chrono::steady_clock::now();
  Status st = options_.reload ? options_.reload() : Status::OK();
  const int64_t elapsed_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now() - start)
          .count();
  if (!st.ok()) {
    last_successful_->Set(0);
    STRATA_LOG(kError, "Error reloading config", {{"err", st.ToString()}});
    return st;
  }
  last_successful_->Set(1);
  last_success_time_->Set(
      std::chrono::duration<double>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  STRATA_LOG(kInfo, "Completed loading of configuration file",
             {{"totalDuration", FormatGoDuration(elapsed_ns)}});
  return Status::OK();
}

}  // namespace strata::server
