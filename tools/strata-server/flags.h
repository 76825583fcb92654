// strata-server's command line, with Prometheus's flag names, defaults and
// value syntax (durations like 15d or 2h30m, base-2 sizes like 512MB).
//
// Thread-safety: pure functions over their arguments.
#ifndef STRATA_SERVER_FLAGS_H_
#define STRATA_SERVER_FLAGS_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feature_flags.h"
#include "server/http/cross_origin.h"
#include "strata/options.h"
#include "strata/status.h"
#include "util/log.h"

namespace strata::server {

inline constexpr int64_t kDefaultRetentionMs = 15 * kMillisPerDay;
// Prometheus caps time retention at 100 years.
inline constexpr int64_t kMaxRetentionMs = 100 * 365 * kMillisPerDay;

struct ServerFlags {
  std::string data_dir = "./data";
  // 0 disables time retention. Defaults to 15d unless a size retention
  // was given, as in Prometheus.
  int64_t retention_ms = kDefaultRetentionMs;
  // True when neither retention flag was set and 15d was applied.
  bool retention_defaulted = true;
  // True when a time retention over 100y was capped.
  bool retention_capped = false;
  int64_t retention_bytes = 0;  // 0: no size retention.
  int64_t block_duration_ms = 2 * kMillisPerHour;
  // --storage.tsdb.scrub-interval (0: no background scrub) and
  // --storage.tsdb.scrub-rate (bytes read per second).
  int64_t scrub_interval_ms = 0;
  int64_t scrub_bytes_per_second = 32 << 20;
  bool wal_compression = true;
  // --storage.tsdb.snapshot-on-shutdown (Options::snapshot_on_shutdown).
  bool snapshot_on_shutdown = true;
  // --storage.tsdb.dense-chunks and --storage.tsdb.dense-after (the cold
  // tier, Options::dense_chunks).
  bool dense_chunks = true;
  int64_t dense_after_ms = kMillisPerDay;
  // --storage.tsdb.head-chunks-on-disk (Options::head_chunks_on_disk).
  bool head_chunks_on_disk = true;
  // Snapshots older than this are removed; 0 keeps all.
  int64_t snapshot_retention_ms = 0;
  std::string listen_address = "127.0.0.1:9201";
  int max_connections = 512;
  std::chrono::milliseconds read_timeout = std::chrono::minutes(5);
  // Go's http.Server.IdleTimeout: how long a kept-alive connection may wait
  // for its next request.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(1);
  bool enable_admin_api = false;
  bool enable_lifecycle = false;
  // --web.enable-otlp-receiver: POST /api/v1/otlp/v1/metrics (off by
  // default, as in Prometheus 3).
  bool enable_otlp_receiver = false;
  // --web.cors.origin as given, and compiled; "" allows no cross-origin
  // access.
  std::string cors_origin;
  CrossOriginPolicy cross_origin{};
  std::string config_file;      // "" if not given.
  std::string web_config_file;  // --web.config.file; "" if not given.
  LogLevel log_level = LogLevel::kInfo;
  std::string log_format = "logfmt";
  // PromQL limits, as Prometheus's --query.* flags.
  int64_t query_max_samples = 50000000;
  int64_t query_timeout_ms = 2 * 60 * 1000;
  int query_max_concurrency = 20;
  int64_t query_lookback_delta_ms = 5 * 60 * 1000;
  // Byte budgets (--query.max-memory-bytes, --query.max-total-memory-bytes
  // shared by queries and remote reads); 0 disables one.
  int64_t query_max_memory_bytes = int64_t{256} << 20;
  int64_t query_max_total_memory_bytes = int64_t{1} << 30;
  // Remote read, as Prometheus's --storage.remote.read-* flags, plus its
  // byte budget (--storage.remote.read-max-memory-bytes).
  int64_t remote_read_sample_limit = 50000000;
  int remote_read_concurrent_limit = 10;
  int64_t remote_read_max_bytes_in_frame = 1048576;
  int64_t remote_read_max_memory_bytes = int64_t{256} << 20;
  // Remote write limits (--remote-write.*, named after Mimir's
  // -validation.* flags); 0 disables one.
  int remote_write_max_label_names_per_series = 128;
  int remote_write_max_length_label_name = 1024;
  int remote_write_max_length_label_value = 16384;
  int64_t remote_write_max_series_per_request = 100000;
  // The remote write in-flight budget (Mimir's
  // -distributor.instance-limits.max-inflight-push-requests[-bytes]): past
  // it, 429 with Retry-After. 0 requests: max(64, 8 x cores).
  int remote_write_max_inflight_requests = 0;
  int64_t remote_write_max_inflight_bytes = 512 << 20;
  // Rule evaluation and notification, as Prometheus's --rules.alert.* and
  // --alertmanager.* flags.
  int64_t for_outage_tolerance_ms = kMillisPerHour;
  int64_t for_grace_period_ms = 10 * 60 * 1000;
  int64_t resend_delay_ms = 60 * 1000;
  int notification_queue_capacity = 10000;
  // HA pair deduplication (the Cortex/Mimir HA tracker): off while the
  // replica label is "".
  std::string ha_replica_label;
  std::string ha_cluster_label = "cluster";
  int64_t ha_failover_timeout_ms = 30 * 1000;
  // --ha.standby-buffer-bytes: 0 disables the standby buffer.
  int64_t ha_standby_buffer_bytes = 32 << 20;
  // --web.external-url as given ("" if not).
  std::string web_external_url;
  // The URL under which the server is reachable, as Prometheus computes it
  // (ComputeExternalUrl): for templates' externalURL and alerts'
  // generatorURL. Never ends in '/'.
  std::string external_url;
  // --web.route-prefix as given ("" if not).
  std::string web_route_prefix;
  // Where every endpoint is served, as Prometheus computes it: the route
  // prefix, else the external URL's path; "/" or "/prefix" (no trailing
  // '/').
  std::string route_prefix = "/";
  // --enable-feature (feature_flags.h): every value as given, what it
  // turns on, and the lines to log at startup.
  std::vector<std::string> feature_list;
  bool enable_native_histograms = false;
  std::vector<FeatureMessage> feature_messages;
  // Every flag (without its leading dashes) and its value as given or
  // defaulted, for /api/v1/status/flags.
  std::vector<std::pair<std::string, std::string>> values;

  Options ToDBOptions() const;
};

// What ParseServerFlags decided.
struct FlagParseResult {
  // False: proceed with the parsed flags. True: exit now with `exit_code`
  // after printing `output` (to stdout if exit_code is 0, else stderr);
  // for --help, --version and usage errors.
  bool exit = false;
  int exit_code = 0;
  std::string output;
};

FlagParseResult ParseServerFlags(int argc, const char* const* argv,
                                 ServerFlags* flags);

// Parses Prometheus's base-2 byte sizes (github.com/alecthomas/units
// ParseBase2Bytes): a number, optionally fractional, followed by B, KB, MB,
// GB, TB, PB or EB (or KiB .. EiB), all powers of 1024; components may be
// chained ("1GB512MB"). "0" alone is zero. Negative sizes are rejected.
StatusOr<int64_t> ParseBase2Bytes(std::string_view text);

// Prometheus's computeExternalURL: `given` (--web.external-url), or
// "http://<hostname>:<port of listen_address>/" when empty, with its path's
// trailing slashes removed and a leading one added ("http://h:9090/" gives
// "http://h:9090", "http://h/prom/" gives "http://h/prom"). InvalidArgument
// if it begins or ends with a quote, or if listen_address has no port.
StatusOr<std::string> ComputeExternalUrl(std::string_view given,
                                         std::string_view listen_address,
                                         std::string_view hostname);
// The path of an absolute URL: "http://h/prom" gives "/prom", "http://h"
// gives "".
std::string_view UrlPath(std::string_view url);
// The host name as Go's os.Hostname reports it.
std::string Hostname();

}  // namespace strata::server

#endif  // STRATA_SERVER_FLAGS_H_
