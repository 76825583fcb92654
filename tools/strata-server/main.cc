// strata-server: serves a Strata DB over HTTP with Prometheus's flags.
//
// Lifecycle, as Prometheus: start listening at once (/-/healthy answers,
// /-/ready says 503), open the DB and replay its WAL, then report ready.
// SIGINT or SIGTERM: stop accepting, let in-flight requests finish (bounded),
// close the DB, exit 0. SIGHUP (or POST /-/reload) re-reads --config.file.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "server/api/admin_handler.h"
#include "build_info.h"
#include "config_file.h"
#include "flags.h"
#include "server/http/http_server.h"
#include "server/remote/metadata_api.h"
#include "server/remote/metadata_store.h"
#include "server/api/query_api.h"
#include "server/api/reload_handler.h"
#include "server/remote/remote_read_handler.h"
#include "server/remote/remote_write_handler.h"
#include "server/http/router.h"
#include "server/metrics/storage_metrics.h"
#include "server/api/web_handler.h"
#include "strata/db.h"
#include "util/duration.h"
#include "util/file_system.h"
#include "util/log.h"

namespace strata::server {
namespace {

// How long in-flight requests may take to finish at shutdown.
constexpr auto kShutdownGrace = std::chrono::seconds(10);

// Exit codes, as Prometheus: 1 for runtime failures, 2 for bad usage or
// configuration.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Loads --config.file (if any) and logs what it holds. Nothing in it is
// acted on yet; a file that does not parse is an error.
Status LoadConfig(const std::string& path) {
  if (path.empty()) return Status::OK();
  STRATA_LOG(kInfo, "Loading configuration file", {{"filename", path}});
  StatusOr<ConfigFile> config = LoadConfigFile(path);
  if (!config.ok()) return config.status();
  std::string sections;
  for (const std::string& s : config->sections) {
    sections += (sections.empty() ? "" : ",") + s;
  }
  STRATA_LOG(kInfo, "Loaded configuration file",
             {{"filename", path}, {"ignored_sections", sections}});
  return Status::OK();
}

std::string SignalName(int sig) {
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return std::to_string(sig);
  }
}

// glibc gives every thread that allocates its own malloc arena (up to 8 per
// core) and keeps what a query freed in that thread's arena, so after a few
// large queries on different handler threads the resident size is several
// times what any query needed. One arena per core bounds that (measured:
// 125 MiB against 47 MiB after 32 queries over every series of the recorded
// dataset). MALLOC_ARENA_MAX, if set, still wins.
void LimitMallocArenas() {
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  const unsigned cores = std::thread::hardware_concurrency();
  mallopt(M_ARENA_MAX, static_cast<int>(cores == 0 ? 2 : cores));
}

int Run(int argc, char** argv) {
  LimitMallocArenas();
  // Block the shutdown and reload signals before any thread starts, so
  // every thread inherits the mask and only sigwait below receives them.
  sigset_t handled_signals;
  sigemptyset(&handled_signals);
  sigaddset(&handled_signals, SIGINT);
  sigaddset(&handled_signals, SIGTERM);
  sigaddset(&handled_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &handled_signals, nullptr);
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

  if (Status loaded = LoadConfig(flags.config_file); !loaded.ok()) {
    STRATA_LOG(kError, "Error loading config",
               {{"file", flags.config_file}, {"err", loaded.ToString()}});
    return kExitUsage;
  }

  WebOptions web_options;
  web_options.enable_admin_api = flags.enable_admin_api;
  web_options.build = build;
  WebHandler web(web_options);
  Router router;
  web.RegisterRoutes(&router);
  AddStorageCollector(web.registry(), flags.data_dir);

  // Metric metadata from remote write, persisted in the data directory.
  MetadataStore metadata(nullptr,
                         JoinPath(flags.data_dir, MetadataStore::kFileName));
  if (Status st = metadata.Load(); !st.ok()) {
    STRATA_LOG(kWarn, "Ignoring unreadable metric metadata file",
               {{"err", st.ToString()}});
  }
  RemoteWriteHandler remote_write(RemoteWriteOptions{}, web.registry(),
                                  &metadata);
  remote_write.RegisterRoutes(&router);
  RemoteReadHandler remote_read(RemoteReadOptions{}, web.registry());
  remote_read.RegisterRoutes(&router);
  RegisterMetadataApi(&router, &metadata, [&web] { return web.ready(); });
  QueryApiOptions query_options;
  query_options.engine.max_samples = flags.query_max_samples;
  query_options.engine.timeout_ms = flags.query_timeout_ms;
  query_options.engine.lookback_delta_ms = flags.query_lookback_delta_ms;
  query_options.max_concurrency = flags.query_max_concurrency;
  query_options.flags = flags.values;
  query_options.ready = [&web] { return web.ready(); };
  QueryApi query_api(std::move(query_options));
  query_api.RegisterRoutes(&router);
  AdminHandler admin(AdminOptions{flags.enable_admin_api, flags.data_dir});
  admin.RegisterRoutes(&router);
  ReloadHandler reload([&flags] { return LoadConfig(flags.config_file); },
                       web.registry());
  reload.RegisterRoutes(&router);

  HttpServerOptions http_options;
  // Room for every remote write the in-flight budget admits plus other
  // requests, so that writes past the budget get a prompt 429.
  http_options.handler_threads =
      remote_write.max_inflight_requests() + flags.query_max_concurrency + 4;
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
  remote_write.SetDB(db.get());
  remote_read.SetDB(db.get());
  admin.SetDB(db.get());
  query_api.SetDB(db.get());
  web.SetReady(true);
  STRATA_LOG(kInfo, "Server is ready to receive web requests.");

  int sig = 0;
  for (;;) {
    sigwait(&handled_signals, &sig);
    if (sig != SIGHUP) break;
    (void)reload.Reload();  // Logs its outcome.
  }
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
  remote_write.SetDB(nullptr);
  remote_read.SetDB(nullptr);
  admin.SetDB(nullptr);
  query_api.SetDB(nullptr);
  if (Status st = metadata.Flush(); !st.ok()) {
    STRATA_LOG(kError, "Error persisting metric metadata",
               {{"err", st.ToString()}});
  }
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
