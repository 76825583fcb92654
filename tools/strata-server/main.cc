// strata-server: serves a Strata DB over HTTP with Prometheus's flags.
//
// Lifecycle, as Prometheus: start listening at once (/-/healthy answers,
// /-/ready says 503), open the DB and replay its WAL, then report ready.
// SIGINT or SIGTERM: stop accepting, let in-flight requests finish (bounded),
// close the DB, exit 0.
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "server/build_info.h"
#include "server/config_file.h"
#include "server/flags.h"
#include "server/http_server.h"
#include "server/router.h"
#include "server/web_handler.h"
#include "strata/db.h"
#include "util/duration.h"
#include "util/log.h"

namespace strata::server {
namespace {

// How long in-flight requests may take to finish at shutdown.
constexpr auto kShutdownGrace = std::chrono::seconds(10);

// Exit codes, as Prometheus: 1 for runtime failures, 2 for bad usage or
// configuration.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

std::string SignalName(int sig) {
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return std::to_string(sig);
  }
}

int Run(int argc, char** argv) {
  // Block the shutdown signals before any thread starts, so every thread
  // inherits the mask and only sigwait below receives them.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGINT);
  sigaddset(&shutdown_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ServerFlags flags;
  const FlagParseResult parsed = ParseServerFlags(argc, argv, &flags);
  if (parsed.exit) {
    std::fputs(parsed.output.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  SetLogLevel(flags.log_level);

  const BuildInfo& build = GetBuildInfo();
  if (flags.retention_defaulted) {
    STRATA_LOG(kInfo,
               "No time or size retention was set so using the default time "
               "retention",
               {{"duration", FormatDuration(flags.retention_ms)}});
  }
  if (flags.retention_capped) {
    STRATA_LOG(kWarn, "Time retention value is too high. Limiting to: 100y");
  }
  STRATA_LOG(kInfo, "Starting Strata",
             {{"version", build.version},
              {"revision", build.revision},
              {"listen_address", flags.listen_address},
              {"data_dir", flags.data_dir}});

  if (!flags.config_file.empty()) {
    StatusOr<ConfigFile> config = LoadConfigFile(flags.config_file);
    if (!config.ok()) {
      STRATA_LOG(
          kError, "Error loading config",
          {{"file", flags.config_file}, {"err", config.status().ToString()}});
      return kExitUsage;
    }
    std::string sections;
    for (const std::string& s : config->sections) {
      sections += (sections.empty() ? "" : ",") + s;
    }
    STRATA_LOG(
        kInfo, "Loaded configuration file",
        {{"filename", flags.config_file}, {"ignored_sections", sections}});
  }

  WebOptions web_options;
  web_options.enable_admin_api = flags.enable_admin_api;
  WebHandler web(web_options);
  Router router;
  web.RegisterRoutes(&router);
  HttpServerOptions http_options;
  http_options.listen_address = flags.listen_address;
  http_options.max_connections = flags.max_connections;
  http_options.idle_timeout = flags.read_timeout;
  http_options.body_timeout = flags.read_timeout;
  HttpServer http(http_options, &router, web.request_observer());
  Status started = http.Start();
  if (!started.ok()) {
    STRATA_LOG(
        kError, "Unable to start web listener",
        {{"address", flags.listen_address}, {"err", started.ToString()}});
    return kExitFailure;
  }
  STRATA_LOG(kInfo, "Start listening for connections",
             {{"address", flags.listen_address},
              {"port", std::to_string(http.port())}});

  STRATA_LOG(kInfo, "Opening TSDB", {{"dir", flags.data_dir}});
  StatusOr<std::unique_ptr<DB>> opened =
      DB::Open(flags.ToDBOptions(), flags.data_dir);
  if (!opened.ok()) {
    STRATA_LOG(kError, "Opening storage failed",
               {{"dir", flags.data_dir}, {"err", opened.status().ToString()}});
    http.Shutdown(std::chrono::seconds(1));
    return kExitFailure;
  }
  std::unique_ptr<DB> db = std::move(*opened);
  const ReplayReport& replay = db->replay_report();
  STRATA_LOG(kInfo, "TSDB started",
             {{"segments", std::to_string(replay.segments)},
              {"records", std::to_string(replay.records)},
              {"series", std::to_string(replay.series)},
              {"samples", std::to_string(replay.samples)},
              {"duration", std::to_string(replay.seconds) + "s"}});
  if (!replay.corruption.ok()) {
    STRATA_LOG(kWarn, "WAL replay stopped at corruption",
               {{"err", replay.corruption.ToString()},
                {"quarantine_dir", replay.quarantine_dir}});
  }
  web.SetDB(db.get());
  web.SetReady(true);
  STRATA_LOG(kInfo, "Server is ready to receive web requests.");

  int sig = 0;
  sigwait(&shutdown_signals, &sig);
  STRATA_LOG(kWarn, "Received signal, exiting gracefully...",
             {{"signal", SignalName(sig)}});
  web.SetReady(false);
  const bool drained = http.Shutdown(
      std::chrono::duration_cast<std::chrono::milliseconds>(kShutdownGrace));
  if (!drained) {
    STRATA_LOG(kWarn, "Some HTTP requests did not finish before shutdown");
  }
  STRATA_LOG(kInfo, "Web server stopped");
  web.SetDB(nullptr);
  Status closed = db->Close();
  if (!closed.ok()) {
    STRATA_LOG(kError, "Error stopping storage", {{"err", closed.ToString()}});
    return kExitFailure;
  }
  STRATA_LOG(kInfo, "TSDB closed", {{"dir", flags.data_dir}});
  STRATA_LOG(kInfo, "See you next time!");
  return 0;
}

}  // namespace
}  // namespace strata::server

int main(int argc, char** argv) { return strata::server::Run(argc, argv); }
