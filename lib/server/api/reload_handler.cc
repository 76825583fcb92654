#include "server/api/reload_handler.h"

#include <chrono>
#include <string>
#include <utility>

#include "util/duration.h"
#include "util/log.h"
#include "util/strings.h"

namespace strata::server {

ReloadHandler::ReloadHandler(std::function<Status()> reload,
                             MetricsRegistry* registry)
    : reload_(std::move(reload)) {
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

void ReloadHandler::RegisterRoutes(Router* router) {
  const Handler reload = [this](Request&) {
    Status st = Reload();
    if (!st.ok()) {
      return Response::Text(
          kHttpInternalServerError,
          Cat("failed to reload config: ", st.ToString(), "\n"));
    }
    return Response::Text(kHttpOk, "");
  };
  router->Post("/-/reload", reload);
  router->Handle("PUT", "/-/reload", reload);
  router->Get("/-/reload", [](Request&) {
    return Response::Text(kHttpMethodNotAllowed,
                          "Only POST or PUT requests allowed");
  });
}

Status ReloadHandler::Reload() {
  MutexLock lock(&mu_);
  const auto start = std::chrono::steady_clock::now();
  Status st = reload_ ? reload_() : Status::OK();
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
