// strata-server: serves a Strata DB over HTTP with Prometheus's flags.
//
// Lifecycle, as Prometheus: start listening at once (/-/healthy answers,
// /-/ready says 503), open the DB and replay its WAL, then report ready.
// SIGINT or SIGTERM: stop accepting, let in-flight requests finish (bounded),
// close the DB, exit 0; POST /-/quit (with --web.enable-lifecycle) does the
// same. SIGHUP (or, with --web.enable-lifecycle, POST /-/reload) re-reads
// --config.file.
// Rules (the configuration's rule_files) start evaluating once the DB is
// open and stop before it closes; their alerts go to the configured
// Alertmanagers (alerting.h).
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "alerting.h"
#include "build_info.h"
#include "config_file.h"
#include "flags.h"
#include "server/api/admin_handler.h"
#include "server/api/lifecycle_handler.h"
#include "server/api/query_api.h"
#include "server/api/rules_api.h"
#include "server/api/rules_metrics.h"
#include "server/api/ui_handler.h"
#include "server/api/web_handler.h"
#include "server/http/http_server.h"
#include "server/http/router.h"
#include "server/http/web_config_file.h"
#include "server/metrics/storage_metrics.h"
#include "server/remote/metadata_api.h"
#include "server/remote/metadata_store.h"
#include "server/remote/otlp_handler.h"
#include "server/remote/remote_read_handler.h"
#include "server/remote/remote_write_handler.h"
#include "strata/db.h"
#include "ui_assets.h"
#include "util/duration.h"
#include "util/file_system.h"
#include "util/log.h"
#include "util/mutex.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// Connections past --web.max-connections that may still serve the health
// and readiness probes (every other request on them gets 503).
constexpr int kReservedProbeConnections = 16;

// How long in-flight requests may take to finish at shutdown.
constexpr auto kShutdownGrace = std::chrono::seconds(10);

// Exit codes, as Prometheus: 1 for runtime failures, 2 for bad usage or
// configuration.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Reads --config.file; no file is an empty configuration (Prometheus's
// defaults). Warns about what Strata does not act on.
StatusOr<ConfigFile> ReadConfig(const std::string& path) {
  if (path.empty()) return ParseConfig("");
  STRATA_LOG(kInfo, "Loading configuration file", {{"filename", path}});
  StatusOr<ConfigFile> config = LoadConfigFile(path);
  if (!config.ok()) return config.status();
  if (!config->not_implemented.empty()) {
    std::string names;
    for (const std::string& name : config->not_implemented) {
      names = Cat(names, names.empty() ? "" : ",", name);
    }
    STRATA_LOG(kWarn,
               "Configuration sections not implemented by Strata are ignored",
               {{"filename", path}, {"sections", names}});
  }
  return config;
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

// Blocks the shutdown and reload signals; call before any thread starts, so
// that every thread inherits the mask and only sigwait receives them.
sigset_t BlockHandledSignals() {
  sigset_t handled_signals;
  sigemptyset(&handled_signals);
  sigaddset(&handled_signals, SIGINT);
  sigaddset(&handled_signals, SIGTERM);
  sigaddset(&handled_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &handled_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return handled_signals;
}

void LogStartup(const ServerFlags& flags) {
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
  for (const FeatureMessage& m : flags.feature_messages) {
    const LogLevel level = m.warn ? LogLevel::kWarn : LogLevel::kInfo;
    if (level < GetLogLevel()) continue;
    if (m.option.empty()) {
      Log(level, __FILE__, __LINE__, m.msg);
    } else {
      Log(level, __FILE__, __LINE__, m.msg, {{"option", m.option}});
    }
  }
  STRATA_LOG(kInfo, "Starting Strata",
             {{"version", build.version},
              {"revision", build.revision},
              {"listen_address", flags.listen_address},
              {"data_dir", flags.data_dir}});
}

// Bytes as Go's units.Base2Bytes prints them: "512MiB", "1GiB512MiB", "0B".
std::string FormatBase2Bytes(int64_t bytes) {
  static constexpr const char* kPrefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  std::string out;
  for (int i = 0; i < 7 && (bytes != 0 || i == 0); ++i, bytes /= 1024) {
    if (bytes % 1024 != 0 || (i == 0 && bytes == 0)) {
      out = Cat(bytes % 1024, kPrefixes[i], i == 0 ? "B" : "iB", out);
    }
  }
  return out;
}

// The retention as Prometheus's runtimeinfo reports it: "15d",
// "512MiB", "15d or 512MiB".
std::string StorageRetentionText(const ServerFlags& flags) {
  std::string text;
  if (flags.retention_ms != 0) text = FormatDuration(flags.retention_ms);
  if (flags.retention_bytes != 0) {
    text = Cat(text, text.empty() ? "" : " or ",
               FormatBase2Bytes(flags.retention_bytes));
  }
  return text;
}

WebOptions WebOptionsFor(const ServerFlags& flags) {
  WebOptions options;
  options.enable_admin_api = flags.enable_admin_api;
  options.build = GetBuildInfo();
  options.storage_retention = StorageRetentionText(flags);
  options.cross_origin = flags.cross_origin;
  return options;
}

promql::EngineOptions EngineOptionsFor(const ServerFlags& flags) {
  promql::EngineOptions options;
  options.max_samples = flags.query_max_samples;
  options.max_memory_bytes = flags.query_max_memory_bytes;
  options.timeout_ms = flags.query_timeout_ms;
  options.lookback_delta_ms = flags.query_lookback_delta_ms;
  return options;
}

AlertingSettings AlertingSettingsFor(const ServerFlags& flags) {
  AlertingSettings settings;
  settings.external_url = flags.external_url;
  settings.outage_tolerance_ms = flags.for_outage_tolerance_ms;
  settings.for_grace_period_ms = flags.for_grace_period_ms;
  settings.resend_delay_ms = flags.resend_delay_ms;
  settings.queue_capacity =
      static_cast<size_t>(flags.notification_queue_capacity);
  settings.engine = EngineOptionsFor(flags);
  return settings;
}

// `memory_pool`: shared by the API's queries and remote reads; rule
// evaluations have only the per-query limit, so that a busy API cannot make
// alerts fail.
QueryApiOptions QueryOptions(const ServerFlags& flags,
                             std::function<bool()> ready,
                             MetricsRegistry* registry,
                             MemoryPool* memory_pool) {
  QueryApiOptions options;
  options.registry = registry;
  options.engine = EngineOptionsFor(flags);
  options.engine.memory_pool = memory_pool;
  options.max_concurrency = flags.query_max_concurrency;
  options.flags = flags.values;
  options.ready = std::move(ready);
  options.cross_origin = flags.cross_origin;
  return options;
}

RemoteWriteOptions RemoteWriteOptionsFor(const ServerFlags& flags) {
  RemoteWriteOptions options;
  LabelLimits& limits = options.ingest.label_limits;
  limits.max_label_names_per_series =
      flags.remote_write_max_label_names_per_series;
  limits.max_label_name_length = flags.remote_write_max_length_label_name;
  limits.max_label_value_length = flags.remote_write_max_length_label_value;
  options.max_series_per_request =
      static_cast<size_t>(flags.remote_write_max_series_per_request);
  options.max_inflight_requests = flags.remote_write_max_inflight_requests;
  options.max_inflight_bytes = flags.remote_write_max_inflight_bytes;
  options.ha.replica_label = flags.ha_replica_label;
  options.ha.cluster_label = flags.ha_cluster_label;
  options.ha.failover_timeout =
      std::chrono::milliseconds(flags.ha_failover_timeout_ms);
  options.ha.standby_buffer_bytes =
      static_cast<size_t>(flags.ha_standby_buffer_bytes);
  return options;
}

// The OTLP receiver takes remote write's label limits.
OtlpOptions OtlpOptionsFor(const ServerFlags& flags) {
  OtlpOptions options;
  options.enabled = flags.enable_otlp_receiver;
  options.ingest = RemoteWriteOptionsFor(flags).ingest;
  options.max_inflight_requests = flags.remote_write_max_inflight_requests;
  options.translate.lookback_delta_ms = flags.query_lookback_delta_ms;
  options.translate.native_histograms = flags.enable_native_histograms;
  return options;
}

RemoteReadOptions RemoteReadOptionsFor(const ServerFlags& flags,
                                       MemoryPool* memory_pool) {
  RemoteReadOptions options;
  options.sample_limit = flags.remote_read_sample_limit;
  options.concurrent_limit = flags.remote_read_concurrent_limit;
  options.max_bytes_in_frame =
      static_cast<size_t>(flags.remote_read_max_bytes_in_frame);
  options.max_memory_bytes = flags.remote_read_max_memory_bytes;
  options.memory_pool = memory_pool;
  return options;
}

HttpServerOptions HttpOptions(const ServerFlags& flags,
                              int remote_write_inflight,
                              std::shared_ptr<WebConfigFile> web_config) {
  HttpServerOptions options;
  options.web_config = std::move(web_config);
  // Room for every remote write the in-flight budget admits plus other
  // requests, so that writes past the budget get a prompt 429.
  options.handler_threads =
      remote_write_inflight + flags.query_max_concurrency + 4;
  options.listen_address = flags.listen_address;
  options.max_connections = flags.max_connections;
  options.reserved_connections = kReservedProbeConnections;
  options.reserved_paths = {"/-/healthy", "/-/ready"};
  options.idle_timeout = flags.idle_timeout;
  // Go's ReadTimeout bounds the headers and the body together; the header
  // timeout stays short so half-sent requests cannot hold connections.
  options.header_timeout = std::min(options.header_timeout, flags.read_timeout);
  options.body_timeout = flags.read_timeout;
  return options;
}

// Every HTTP handler, routed, and the listener serving them. Until Serve
// hands it the DB, /-/healthy answers and /-/ready says 503.
class Server {
 public:
  // `alerting` (not owned) has the configuration `config_text` describes
  // applied. `web_config` is the --web.config.file, or null.
  Server(const ServerFlags& flags, Alerting* alerting, std::string config_text,
         std::shared_ptr<WebConfigFile> web_config)
      : flags_(flags),
        alerting_(alerting),
        config_text_(std::move(config_text)),
        web_(WebOptionsFor(flags)),
        // Metric metadata from remote write, persisted in the data
        // directory.
        metadata_(nullptr, JoinPath(flags.data_dir, MetadataStore::kFileName)),
        remote_write_(RemoteWriteOptionsFor(flags), web_.registry(),
                      &metadata_),
        otlp_(OtlpOptionsFor(flags), web_.registry(), &metadata_),
        query_memory_(flags.query_max_total_memory_bytes),
        remote_read_(RemoteReadOptionsFor(flags, &query_memory_),
                     web_.registry()),
        query_api_(QueryOptions(
            flags, [this] { return web_.ready(); }, web_.registry(),
            &query_memory_)),
        admin_(AdminOptionsFor(flags)),
        rules_api_(RulesApiFor(alerting)),
        lifecycle_(LifecycleOptionsFor(flags), web_.registry()),
        ui_(UiOptions{web::EmbeddedUiAssets(),
                      std::string(UrlPath(flags.external_url))}),
        http_(HttpOptions(flags, remote_write_.max_inflight_requests(),
                          std::move(web_config)),
              &router_, ObserveRequests()) {
    router_.SetRoutePrefix(flags.route_prefix);
    web_.RegisterRoutes(&router_);
    AddStorageCollector(web_.registry(), flags.data_dir);
    if (Status st = metadata_.Load(); !st.ok()) {
      STRATA_LOG(kWarn, "Ignoring unreadable metric metadata file",
                 {{"err", st.ToString()}});
    }
    remote_write_.RegisterRoutes(&router_);
    otlp_.RegisterRoutes(&router_);
    remote_read_.RegisterRoutes(&router_);
    web_.registry()->AddGaugeFunc(
        "strata_query_memory_bytes",
        "Bytes held by the queries and remote reads running now (bounded "
        "by --query.max-total-memory-bytes).",
        [this] { return static_cast<double>(query_memory_.used()); });
    RegisterMetadataApi(&router_, &metadata_, [this] { return web_.ready(); });
    query_api_.RegisterRoutes(&router_);
    admin_.RegisterRoutes(&router_);
    lifecycle_.RegisterRoutes(&router_);
    rules_api_.RegisterRoutes(&router_);
    ui_.RegisterRoutes(&router_);
    AddRuleMetrics(
        web_.registry(), [alerting] { return alerting->Groups(); },
        [alerting] { return alerting->Durations(); });
    AddNotifierMetrics(web_.registry(),
                       [alerting] { return alerting->NotifierStats(); });
  }

  // Starts listening. Logs the outcome.
  Status Start() {
    Status started = http_.Start();
    if (!started.ok()) {
      STRATA_LOG(
          kError, "Unable to start web listener",
          {{"address", flags_.listen_address}, {"err", started.ToString()}});
      return started;
    }
    STRATA_LOG(kInfo, "Start listening for connections",
               {{"address", flags_.listen_address},
                {"port", std::to_string(http_.port())}});
    return Status::OK();
  }

  // Serves `db` (not owned; must stay open until Stop) and reports ready.
  void Serve(DB* db) {
    SetDB(db);
    alerting_->Start(db);
    web_.SetReady(true);
    STRATA_LOG(kInfo, "Server is ready to receive web requests.");
  }

  // Reports not ready, stops accepting, lets in-flight requests finish
  // (for at most `grace`), lets go of the DB and persists the metadata.
  void Stop(std::chrono::milliseconds grace) {
    web_.SetReady(false);
    if (!http_.Shutdown(grace)) {
      STRATA_LOG(kWarn, "Some HTTP requests did not finish before shutdown");
    }
    STRATA_LOG(kInfo, "Web server stopped");
    alerting_->Stop();
    STRATA_LOG(kInfo, "Rule manager and notifier stopped");
    SetDB(nullptr);
    if (Status st = metadata_.Flush(); !st.ok()) {
      STRATA_LOG(kError, "Error persisting metric metadata",
                 {{"err", st.ToString()}});
    }
  }

  // Feeds /api/v1/status/walreplay while DB::Open replays the WAL; logs
  // each segment as Prometheus does.
  std::function<void(const WalReplayProgress&)> WalReplayObserver() {
    return [this](const WalReplayProgress& progress) {
      web_.SetWalReplayProgress(progress);
      STRATA_LOG(kInfo, "WAL segment loaded",
                 {{"segment", std::to_string(progress.current)},
                  {"maxSegment", std::to_string(progress.max)}});
    };
  }

  // Stops the listener before a DB was served.
  void Abort() { http_.Shutdown(std::chrono::seconds(1)); }

  // Re-reads --config.file; logs its outcome.
  void Reload() { (void)lifecycle_.Reload(); }

  // Whether the shutdown was asked for by POST /-/quit.
  bool quit_requested() const {
    return quit_requested_.load(std::memory_order_acquire);
  }

 private:
  // strata_http_* for every request; a remote read is a query too.
  RequestObserver ObserveRequests() {
    return [this, web = web_.request_observer()](const RequestRecord& r) {
      web(r);
      if (r.route == kRemoteReadPath && query_api_.metrics() != nullptr) {
        query_api_.metrics()->ObserveDuration(kQueryEndpointRemoteRead,
                                              r.seconds);
      }
    };
  }

  // /-/quit raises SIGTERM, which WaitForShutdownSignal receives.
  LifecycleOptions LifecycleOptionsFor(const ServerFlags& flags) {
    LifecycleOptions options;
    options.enabled = flags.enable_lifecycle;
    options.reload = [this] { return ReloadConfig(); };
    options.quit = [this] {
      quit_requested_.store(true, std::memory_order_release);
      kill(getpid(), SIGTERM);
    };
    options.cross_origin = flags.cross_origin;
    if (!flags.config_file.empty()) {
      options.config_dir = ParentDir(flags.config_file);
    }
    return options;
  }

  AdminOptions AdminOptionsFor(const ServerFlags& flags) {
    AdminOptions options;
    options.enabled = flags.enable_admin_api;
    options.cross_origin = flags.cross_origin;
    options.data_dir = flags.data_dir;
    options.snapshot_retention_ms = flags.snapshot_retention_ms;
    // Backups carry the metric metadata: flushed, then copied.
    options.backup_extras =
        [this](const std::string& dir) -> StatusOr<int64_t> {
      STRATA_RETURN_IF_ERROR(metadata_.Flush());
      FileSystem* fs = FileSystem::Default();
      const std::string path =
          JoinPath(flags_.data_dir, MetadataStore::kFileName);
      if (!fs->Exists(path)) return int64_t{0};
      STRATA_ASSIGN_OR_RETURN(std::string content, fs->ReadFile(path));
      const std::string to = JoinPath(dir, MetadataStore::kFileName);
      if (StatusOr<std::string> have = fs->ReadFile(to);
          have.ok() && *have == content) {
        return int64_t{0};
      }
      STRATA_RETURN_IF_ERROR(WriteFileAtomically(fs, to, content));
      return static_cast<int64_t>(content.size());
    };
    return options;
  }

  RulesApiOptions RulesApiFor(Alerting* alerting) {
    RulesApiOptions options;
    options.groups = [alerting] { return alerting->Groups(); };
    options.alertmanagers = [alerting] { return alerting->Alertmanagers(); };
    options.config_yaml = [this] {
      MutexLock lock(&config_mu_);
      return config_text_;
    };
    options.ready = [this] { return web_.ready(); };
    options.cross_origin = flags_.cross_origin;
    return options;
  }

  // The reload: the whole configuration, rule files included, or nothing.
  Status ReloadConfig() {
    StatusOr<ConfigFile> config = ReadConfig(flags_.config_file);
    if (!config.ok()) return config.status();
    if (Status st = alerting_->Apply(*config); !st.ok()) return st;
    // Prometheus's ApplyConfig: the exemplar ring keeps what fits.
    if (DB* db = db_.load(std::memory_order_acquire)) {
      db->SetMaxExemplars(config->max_exemplars);
      Status window =
          db->SetOutOfOrderTimeWindow(config->out_of_order_time_window_ms);
      if (!window.ok()) return window;
    }
    MutexLock lock(&config_mu_);
    config_text_ = StatusConfigText(*config);
    return Status::OK();
  }

  void SetDB(DB* db) {
    db_.store(db, std::memory_order_release);
    web_.SetDB(db);
    remote_write_.SetDB(db);
    otlp_.SetDB(db);
    remote_read_.SetDB(db);
    admin_.SetDB(db);
    query_api_.SetDB(db);
  }

  const ServerFlags& flags_;
  Alerting* const alerting_;
  std::atomic<bool> quit_requested_{false};
  // The DB being served (for reloads), null before Serve and after Stop.
  std::atomic<DB*> db_{nullptr};
  Mutex config_mu_;
  std::string config_text_ ABSL_GUARDED_BY(config_mu_);
  WebHandler web_;
  Router router_;
  MetadataStore metadata_;
  RemoteWriteHandler remote_write_;
  OtlpHandler otlp_;
  // Bytes held by queries and remote reads together.
  MemoryPool query_memory_;
  RemoteReadHandler remote_read_;
  QueryApi query_api_;
  AdminHandler admin_;
  RulesApi rules_api_;
  LifecycleHandler lifecycle_;
  UiHandler ui_;
  HttpServer http_;
};

// Opens the data directory, replaying its WAL (reporting its progress to
// `on_replay_progress`); logs the outcome. `config` gives the storage
// section: storage.exemplars and storage.tsdb.
StatusOr<std::unique_ptr<DB>> OpenDB(
    const ServerFlags& flags, const ConfigFile& config,
    std::function<void(const WalReplayProgress&)> on_replay_progress) {
  STRATA_LOG(kInfo, "Opening TSDB", {{"dir", flags.data_dir}});
  Options options = flags.ToDBOptions();
  options.max_exemplars = std::max<int64_t>(config.max_exemplars, 0);
  options.out_of_order_time_window_ms =
      std::max<int64_t>(config.out_of_order_time_window_ms, 0);
  options.on_wal_replay_progress = std::move(on_replay_progress);
  StatusOr<std::unique_ptr<DB>> opened = DB::Open(options, flags.data_dir);
  if (!opened.ok()) {
    STRATA_LOG(kError, "Opening storage failed",
               {{"dir", flags.data_dir}, {"err", opened.status().ToString()}});
    return opened;
  }
  const ReplayReport& replay = (*opened)->replay_report();
  STRATA_LOG(kInfo, "TSDB started",
             {{"segments", std::to_string(replay.segments)},
              {"records", std::to_string(replay.records)},
              {"series", std::to_string(replay.series)},
              {"samples", std::to_string(replay.samples)},
              {"duration", std::to_string(replay.seconds) + "s"}});
  if (!replay.corruption.ok()) {
    // Intact records after a damaged range were still replayed.
    STRATA_LOG(kWarn, "WAL replay skipped damaged data",
               {{"err", replay.corruption.ToString()},
                {"records_skipped", std::to_string(replay.records_skipped)},
                {"bytes_skipped", std::to_string(replay.bytes_skipped)},
                {"quarantine_dir", replay.quarantine_dir}});
  }
  return opened;
}

// Waits for SIGINT or SIGTERM, reloading the configuration on each SIGHUP
// meanwhile. Returns the signal.
int WaitForShutdownSignal(const sigset_t& handled_signals, Server& server) {
  int sig = 0;
  for (;;) {
    sigwait(&handled_signals, &sig);
    if (sig != SIGHUP) return sig;
    server.Reload();
  }
}

int Run(int argc, char** argv) {
  LimitMallocArenas();
  const sigset_t handled_signals = BlockHandledSignals();

  ServerFlags flags;
  const FlagParseResult parsed = ParseServerFlags(argc, argv, &flags);
  if (parsed.exit) {
    std::fputs(parsed.output.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  SetLogLevel(flags.log_level);
  LogStartup(flags);
  StatusOr<ConfigFile> config = ReadConfig(flags.config_file);
  if (!config.ok()) {
    STRATA_LOG(
        kError, "Error loading config",
        {{"file", flags.config_file}, {"err", config.status().ToString()}});
    return kExitUsage;
  }
  StatusOr<std::unique_ptr<Alerting>> alerting =
      Alerting::Create(AlertingSettingsFor(flags));
  if (!alerting.ok()) {
    STRATA_LOG(kError, "Error starting the notifier",
               {{"err", alerting.status().ToString()}});
    return kExitFailure;
  }
  if (Status applied = (*alerting)->Apply(*config); !applied.ok()) {
    STRATA_LOG(kError, "Error loading config",
               {{"file", flags.config_file}, {"err", applied.ToString()}});
    return kExitFailure;
  }

  // toolkit_web.Validate: the file, its hashes, certificate, key and CAs.
  std::shared_ptr<WebConfigFile> web_config;
  if (!flags.web_config_file.empty()) {
    StatusOr<std::unique_ptr<WebConfigFile>> opened =
        WebConfigFile::Open(flags.web_config_file);
    if (!opened.ok()) {
      STRATA_LOG(kError, "Unable to validate web configuration file",
                 {{"err", std::string(opened.status().message())}});
      return kExitFailure;
    }
    web_config = std::move(*opened);
  }
  Server server(flags, alerting->get(), StatusConfigText(*config),
                std::move(web_config));
  if (!server.Start().ok()) return kExitFailure;
  StatusOr<std::unique_ptr<DB>> db =
      OpenDB(flags, *config, server.WalReplayObserver());
  if (!db.ok()) {
    server.Abort();
    return kExitFailure;
  }
  server.Serve(db->get());

  const int sig = WaitForShutdownSignal(handled_signals, server);
  if (server.quit_requested()) {
    STRATA_LOG(kWarn,
               "Received termination request via web service, exiting "
               "gracefully...");
  } else {
    STRATA_LOG(kWarn, "Received signal, exiting gracefully...",
               {{"signal", SignalName(sig)}});
  }
  server.Stop(
      std::chrono::duration_cast<std::chrono::milliseconds>(kShutdownGrace));
  if (Status closed = (*db)->Close(); !closed.ok()) {
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
