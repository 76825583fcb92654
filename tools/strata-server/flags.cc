#include "flags.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "build_info.h"
#include "server/http/http_server.h"
#include "util/duration.h"
#include "util/strings.h"

namespace strata::server {
namespace {

struct ByteUnit {
  std::string_view prefix;  // "" for plain bytes.
  double multiplier;
};

constexpr std::array<ByteUnit, 7> kByteUnits = {{
    {"", 1.0},
    {"K", 1024.0},
    {"M", 1024.0 * 1024},
    {"G", 1024.0 * 1024 * 1024},
    {"T", 1024.0 * 1024 * 1024 * 1024},
    {"P", 1024.0 * 1024 * 1024 * 1024 * 1024},
    {"E", 1024.0 * 1024 * 1024 * 1024 * 1024 * 1024},
}};

// One spelling family at a time, as units.ParseBase2Bytes tries "KiB" style
// then "KB" style: `suffix` is "iB" or "B" for the prefixed units.
bool LookupUnit(std::string_view unit, std::string_view suffix,
                double* multiplier) {
  for (const ByteUnit& u : kByteUnits) {
    const bool match = u.prefix.empty()
                           ? unit == "B"
                           : unit.size() == u.prefix.size() + suffix.size() &&
                                 unit.substr(0, u.prefix.size()) == u.prefix &&
                                 unit.substr(u.prefix.size()) == suffix;
    if (match) {
      *multiplier = u.multiplier;
      return true;
    }
  }
  return false;
}

StatusOr<int64_t> ParseBytesWith(std::string_view text,
                                 std::string_view suffix) {
  auto invalid = [&] {
    return Status::InvalidArgument("invalid size \"" + std::string(text) +
                                   "\"");
  };
  std::string_view s = text;
  if (s == "0") return int64_t{0};
  if (s.empty()) return invalid();
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    double value = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      digits = true;
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        value += (s[i] - '0') * scale;
        scale /= 10;
        digits = true;
        ++i;
      }
    }
    if (!digits) return invalid();
    size_t j = i;
    while (j < s.size() && s[j] != '.' && (s[j] < '0' || s[j] > '9')) ++j;
    double multiplier = 0;
    if (!LookupUnit(s.substr(i, j - i), suffix, &multiplier)) {
      return invalid();
    }
    total += value * multiplier;
    s.remove_prefix(j);
  }
  if (!(total < 0x1p63)) {
    return Status::InvalidArgument("size out of range \"" + std::string(text) +
                                   "\"");
  }
  return static_cast<int64_t>(total);
}

FlagParseResult UsageError(std::string message) {
  FlagParseResult result;
  result.exit = true;
  result.exit_code = 2;
  result.output = "strata-server: error: " + message + "\n";
  return result;
}

// Each option's long name and its value as given, else its default; a
// boolean flag reads "true" or "false".
std::vector<std::pair<std::string, std::string>> FlagValues(
    const CLI::App& app) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_lnames().empty()) continue;
    const std::string& name = opt->get_lnames().front();
    if (name == "help" || name == "version") continue;
    std::string value;
    if (opt->get_expected_min() == 0) {  // A flag.
      bool on = false;
      if (opt->count() > 0) {
        on = opt->as<bool>();
      } else {
        const std::string& d = opt->get_default_str();
        on = d == "true" || d == "1";
      }
      value = on ? "true" : "false";
    } else if (opt->count() > 0) {
      for (const std::string& r : opt->results()) {
        value += (value.empty() ? "" : ",") + r;
      }
    } else {
      value = opt->get_default_str();
    }
    values.emplace_back(name, value);
  }
  return values;
}

// Flags given as text and interpreted after parsing, with their defaults.
struct FlagText {
  std::string retention_time;
  std::string retention_size;
  std::string min_block_duration = "2h";
  std::string dense_after = "1d";
  std::string scrub_interval = "0s";
  std::string scrub_rate = "32MB";
  std::string read_timeout = "5m";
  std::string idle_timeout = "1m";
  std::string log_level = "info";
  std::string query_timeout = "2m";
  std::string lookback_delta = "5m";
  std::string for_outage_tolerance = "1h";
  std::string for_grace_period = "10m";
  std::string resend_delay = "1m";
  std::string ha_failover_timeout = "30s";
  std::string snapshot_retention = "0s";
  std::string ha_standby_buffer_bytes = "32MiB";
  std::string query_max_memory_bytes = "256MiB";
  std::string query_max_total_memory_bytes = "1GiB";
  std::string remote_read_max_memory_bytes = "256MiB";
  std::string remote_write_max_inflight_bytes = "512MiB";
};

// The order in which flags are added is the order of --help and of
// /api/v1/status/flags.
void AddStorageFlags(CLI::App& app, ServerFlags* flags, FlagText* text) {
  app.add_option("--enable-feature", flags->feature_list,
                 "Comma separated feature names to enable. Strata acts on "
                 "native-histograms (store native histograms: remote write, "
                 "remote read, queries); the other names Prometheus 2.42 "
                 "knows are accepted and logged, unknown ones warned about.")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--storage.tsdb.path", flags->data_dir,
                 "Base path for metrics storage.")
      ->capture_default_str();
  app.add_option("--storage.tsdb.retention.time", text->retention_time,
                 "How long to retain samples in storage. If neither this "
                 "flag nor --storage.tsdb.retention.size is set, the "
                 "retention time defaults to 15d. Units supported: y, w, d, "
                 "h, m, s, ms.");
  app.add_option("--storage.tsdb.retention.size", text->retention_size,
                 "Maximum number of bytes that can be stored for blocks. A "
                 "unit is required, supported units: B, KB, MB, GB, TB, PB, "
                 "EB. Ex: \"512MB\". Based on powers-of-2, so 1KB is 1024B.");
  app.add_option("--storage.tsdb.min-block-duration", text->min_block_duration,
                 "Minimum duration of a data block before being persisted.")
      ->capture_default_str();
  app.add_option("--storage.tsdb.scrub-interval", text->scrub_interval,
                 "How often to read every block's index and chunks in the "
                 "background, at low priority, verifying every checksum; a "
                 "damaged block is rebuilt without its damaged data and "
                 "moved to <storage.tsdb.path>/quarantine/. 0 disables.")
      ->capture_default_str();
  app.add_option("--storage.tsdb.scrub-rate", text->scrub_rate,
                 "Most bytes per second the background scrub reads. Units: "
                 "B, KB, MB, GB (powers of 2).")
      ->capture_default_str();
  app.add_flag(
         "--storage.tsdb.wal-compression,!--no-storage.tsdb.wal-"
         "compression",
         flags->wal_compression, "Compress the tsdb WAL.")
      ->capture_default_str();
  app.add_flag(
         "--storage.tsdb.snapshot-on-shutdown,!--no-storage.tsdb.snapshot-"
         "on-shutdown",
         flags->snapshot_on_shutdown,
         "On a clean shutdown, save the in-memory head (series, chunks, "
         "tombstones) to a checksummed snapshot; the next start loads it and "
         "replays only the WAL written after it. A damaged or stale snapshot "
         "is ignored and the whole WAL replayed. On by default, unlike "
         "Prometheus's --enable-feature=memory-snapshot-on-shutdown.")
      ->capture_default_str();
  app.add_flag(
         "--storage.tsdb.dense-chunks,!--no-storage.tsdb.dense-chunks",
         flags->dense_chunks,
         "Store blocks older than --storage.tsdb.dense-after in Strata's "
         "dense chunk encoding (lossless, about half the bytes; Prometheus, "
         "promtool and Thanos cannot read those blocks). With "
         "--no-storage.tsdb.dense-chunks every block is kept in Prometheus's "
         "format and dense blocks are rewritten back at the next "
         "compaction.")
      ->capture_default_str();
  app.add_option("--storage.tsdb.dense-after", text->dense_after,
                 "Age, behind the newest sample, past which compaction "
                 "writes a block with dense chunks.")
      ->capture_default_str();
  app.add_flag(
         "--storage.tsdb.head-chunks-on-disk,!--no-storage.tsdb.head-chunks-"
         "on-disk",
         flags->head_chunks_on_disk,
         "Write every completed head chunk to <storage.tsdb.path>/chunks_head "
         "(Prometheus's head-chunk file format) and drop it from memory; a "
         "start then replays only the WAL samples newer than each series' "
         "last chunk on disk. Prometheus always does this.")
      ->capture_default_str();
  app.add_option("--snapshot.retention", text->snapshot_retention,
                 "Snapshots under <storage.tsdb.path>/snapshots older than "
                 "this are removed, at each new snapshot and periodically. "
                 "0 keeps all.")
      ->capture_default_str();
}

void AddWebFlags(CLI::App& app, ServerFlags* flags, FlagText* text) {
  app.add_option("--web.listen-address", flags->listen_address,
                 "Address to listen on for UI, API, and telemetry.")
      ->capture_default_str();
  app.add_option("--web.max-connections", flags->max_connections,
                 "Maximum number of simultaneous connections.")
      ->capture_default_str();
  app.add_option("--web.read-timeout", text->read_timeout,
                 "Maximum duration before timing out read of the request.")
      ->capture_default_str();
  app.add_option("--web.idle-timeout", text->idle_timeout,
                 "Maximum duration a kept-alive connection may wait for its "
                 "next request before it is closed.")
      ->capture_default_str();
  app.add_flag("--web.enable-lifecycle", flags->enable_lifecycle,
               "Enable shutdown and reload via HTTP request.");
  app.add_option("--web.config.file", flags->web_config_file,
                 "[EXPERIMENTAL] Path to configuration file that can enable "
                 "TLS or authentication.");
  app.add_flag("--web.enable-admin-api", flags->enable_admin_api,
               "Enable API endpoints for admin control actions.");
  app.add_flag("--web.enable-otlp-receiver", flags->enable_otlp_receiver,
               "Enable API endpoint accepting OTLP write requests.");
  app.add_option("--web.cors.origin", flags->cors_origin,
                 "Regex for CORS origin. It is fully anchored. Example: "
                 "'https?://(domain1|domain2)\\.com'. Unlike Prometheus "
                 "(default '.*'), no cross-origin access by default.");
  app.add_option(
      "--web.external-url", flags->web_external_url,
      "The URL under which Prometheus is externally reachable (for example, "
      "if Prometheus is served via a reverse proxy). Used for generating "
      "relative and absolute links back to Prometheus itself. If the URL has "
      "a path portion, it will be used to prefix all HTTP endpoints served "
      "by Prometheus. If omitted, relevant URL components will be derived "
      "automatically.");
  app.add_option("--web.route-prefix", flags->web_route_prefix,
                 "Prefix for the internal routes of web endpoints. Defaults "
                 "to path of --web.external-url.");
}

void AddConfigAndLogFlags(CLI::App& app, ServerFlags* flags, FlagText* text) {
  app.add_option("--config.file", flags->config_file,
                 "Optional configuration file (YAML).");
  app.add_option("--log.level", text->log_level,
                 "Only log messages with the given severity or above. One "
                 "of: [debug, info, warn, error]")
      ->capture_default_str();
  app.add_option("--log.format", flags->log_format,
                 "Output format of log messages. One of: [logfmt]")
      ->capture_default_str();
}

void AddQueryFlags(CLI::App& app, ServerFlags* flags, FlagText* text) {
  app.add_option("--query.max-samples", flags->query_max_samples,
                 "Maximum number of samples a single query can load into "
                 "memory. Note that queries will fail if they try to load "
                 "more samples than this into memory, so this also limits "
                 "the number of samples a query can return.")
      ->capture_default_str();
  app.add_option("--query.timeout", text->query_timeout,
                 "Maximum time a query may take before being aborted.")
      ->capture_default_str();
  app.add_option("--query.max-concurrency", flags->query_max_concurrency,
                 "Maximum number of queries executed concurrently.")
      ->capture_default_str();
  app.add_option("--query.lookback-delta", text->lookback_delta,
                 "The maximum lookback duration for retrieving metrics "
                 "during expression evaluations and federation.")
      ->capture_default_str();
  app.add_option("--query.max-memory-bytes", text->query_max_memory_bytes,
                 "Maximum memory a single query may hold: the points and "
                 "label bytes of the series it loads, its intermediate and "
                 "final results (until sent). A query over it fails with an "
                 "execution error (422). 0 means no limit. Base-2 units: B, "
                 "KB, MB, GB (or KiB, MiB, GiB).")
      ->capture_default_str();
  app.add_option("--query.max-total-memory-bytes",
                 text->query_max_total_memory_bytes,
                 "Maximum memory all API queries and remote reads running at "
                 "once may hold together; the query that would pass it fails "
                 "with an execution error (422). 0 means no limit.")
      ->capture_default_str();
}

void AddRemoteReadFlags(CLI::App& app, ServerFlags* flags, FlagText* text) {
  app.add_option("--storage.remote.read-sample-limit",
                 flags->remote_read_sample_limit,
                 "Maximum overall number of samples to return via the remote "
                 "read interface, in a single query. 0 means no limit. This "
                 "limit is ignored for streamed response types.")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--storage.remote.read-concurrent-limit",
                 flags->remote_read_concurrent_limit,
                 "Maximum number of concurrent remote read calls. 0 means no "
                 "limit.")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--storage.remote.read-max-bytes-in-frame",
                 flags->remote_read_max_bytes_in_frame,
                 "Maximum number of bytes in a single frame for streaming "
                 "remote read response types before marshalling. Note that "
                 "client might have limit on frame size as well. 1MB as "
                 "recommended by protobuf by default.")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--storage.remote.read-max-memory-bytes",
                 text->remote_read_max_memory_bytes,
                 "Maximum memory a single remote read answered with SAMPLES "
                 "may hold (its encoded series, labels included: about 20 "
                 "bytes a sample); over it the read fails with 422. "
                 "Counted in --query.max-total-memory-bytes too. 0 means no "
                 "limit.")
      ->capture_default_str();
}

void AddRemoteWriteFlags(CLI::App& app, ServerFlags* flags, FlagText* text) {
  app.add_option("--remote-write.max-label-names-per-series",
                 flags->remote_write_max_label_names_per_series,
                 "Maximum number of labels (including __name__) of a series "
                 "received by remote write; its samples are rejected past "
                 "it. 0 means no limit.")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--remote-write.max-length-label-name",
                 flags->remote_write_max_length_label_name,
                 "Maximum length in bytes of a label name received by "
                 "remote write. 0 means no limit.")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--remote-write.max-length-label-value",
                 flags->remote_write_max_length_label_value,
                 "Maximum length in bytes of a label value received by "
                 "remote write. 0 means no limit.")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--remote-write.max-series-per-request",
                 flags->remote_write_max_series_per_request,
                 "Maximum number of series in one remote write request; "
                 "larger requests are refused with 400. 0 means no limit.")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--remote-write.max-inflight-requests",
                 flags->remote_write_max_inflight_requests,
                 "Maximum number of remote write requests being decoded and "
                 "stored at once; past it, requests are answered 429 with "
                 "Retry-After (senders need retry_on_http_429). 0 means "
                 "max(64, 8 x cores).")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--remote-write.max-inflight-bytes",
                 text->remote_write_max_inflight_bytes,
                 "Maximum memory of the remote write requests being decoded "
                 "and stored at once (compressed body, decompressed body and "
                 "decoded batch; e.g. 512MiB); past it, requests are answered "
                 "429 with Retry-After. A single request always fits.")
      ->capture_default_str();
}

void AddRuleAndAlertmanagerFlags(CLI::App& app, ServerFlags* flags,
                                 FlagText* text) {
  app.add_option("--rules.alert.for-outage-tolerance",
                 text->for_outage_tolerance,
                 "Max time to tolerate prometheus outage for restoring "
                 "\"for\" state of alert.")
      ->capture_default_str();
  app.add_option("--rules.alert.for-grace-period", text->for_grace_period,
                 "Minimum duration between alert and restored \"for\" state. "
                 "This is maintained only for alerts with configured \"for\" "
                 "time greater than grace period.")
      ->capture_default_str();
  app.add_option("--rules.alert.resend-delay", text->resend_delay,
                 "Minimum amount of time to wait before resending an alert "
                 "to Alertmanager.")
      ->capture_default_str();
  app.add_option("--alertmanager.notification-queue-capacity",
                 flags->notification_queue_capacity,
                 "The capacity of the queue for pending Alertmanager "
                 "notifications.")
      ->capture_default_str();
}

void AddHaFlags(CLI::App& app, ServerFlags* flags, FlagText* text) {
  app.add_option(
      "--ha.replica-label", flags->ha_replica_label,
      "Deduplicate HA pairs of Prometheus servers (as Cortex/Mimir's HA "
      "tracker): the external label naming each replica, e.g. __replica__. "
      "Of the remote write requests carrying both this label and the "
      "cluster label, only the elected replica's are stored, without this "
      "label; the other replicas' are acknowledged (202) and dropped. Empty "
      "turns HA tracking off.");
  app.add_option("--ha.cluster-label", flags->ha_cluster_label,
                 "The external label naming an HA pair (kept in storage); "
                 "one replica is elected per value.")
      ->capture_default_str();
  app.add_option("--ha.failover-timeout", text->ha_failover_timeout,
                 "How long the elected replica of an HA pair may send "
                 "nothing before the next replica to write is elected.")
      ->capture_default_str();
  app.add_option(
         "--ha.standby-buffer-bytes", text->ha_standby_buffer_bytes,
         "Memory for the dropped requests of non-elected HA replicas (all "
         "clusters together; e.g. 32MiB). When a failover elects a replica, "
         "its requests of the last failover timeout (+10s) are stored first, "
         "so that the failover leaves no gap. The oldest are dropped first; "
         "0 disables the buffer.")
      ->capture_default_str();
}

// The errors below are usage errors: their message is what the user sees.

enum class SizeMayBeZero { kYes, kNo };

// The bytes of base-2 size flag `name` (e.g. 512MB).
StatusOr<int64_t> ByteSizeFlag(std::string_view name, const std::string& text,
                               SizeMayBeZero zero = SizeMayBeZero::kYes) {
  StatusOr<int64_t> bytes = ParseBase2Bytes(text);
  if (!bytes.ok()) {
    return Status::InvalidArgument(Cat(name, ": ", bytes.status().message()));
  }
  if (zero == SizeMayBeZero::kNo && *bytes <= 0) {
    return Status::InvalidArgument(Cat(name, ": must be positive"));
  }
  return bytes;
}

Status ApplyRetention(const FlagText& text, ServerFlags* flags) {
  if (!text.retention_time.empty()) {
    StatusOr<int64_t> ms = ParseDuration(text.retention_time);
    if (!ms.ok()) {
      return Status::InvalidArgument("--storage.tsdb.retention.time: " +
                                     std::string(ms.status().message()));
    }
    flags->retention_ms = *ms;
    flags->retention_defaulted = false;
    if (flags->retention_ms > kMaxRetentionMs) {
      flags->retention_ms = kMaxRetentionMs;
      flags->retention_capped = true;
    }
  }
  if (!text.retention_size.empty()) {
    STRATA_ASSIGN_OR_RETURN(
        const int64_t bytes,
        ByteSizeFlag("--storage.tsdb.retention.size", text.retention_size));
    flags->retention_bytes = bytes;
    // Only a size limit given: Prometheus then keeps no time limit.
    if (text.retention_time.empty() && bytes > 0) {
      flags->retention_ms = 0;
      flags->retention_defaulted = false;
    }
  }
  return Status::OK();
}

// The milliseconds of duration flag `name`; `positive` refuses 0.
StatusOr<int64_t> DurationFlag(std::string_view name, const std::string& text,
                               bool positive) {
  StatusOr<int64_t> ms = ParseDuration(text);
  if (!ms.ok() || (positive && *ms <= 0)) {
    return Status::InvalidArgument(std::string(name) + ": invalid duration \"" +
                                   text + "\"");
  }
  return ms;
}

Status ApplyScrubFlags(const FlagText& text, ServerFlags* flags) {
  STRATA_ASSIGN_OR_RETURN(
      flags->scrub_interval_ms,
      DurationFlag("--storage.tsdb.scrub-interval", text.scrub_interval,
                   /*positive=*/false));
  STRATA_ASSIGN_OR_RETURN(flags->scrub_bytes_per_second,
                          ByteSizeFlag("--storage.tsdb.scrub-rate",
                                       text.scrub_rate, SizeMayBeZero::kNo));
  return Status::OK();
}

Status ApplyLogFlags(const FlagText& text, ServerFlags* flags) {
  if (!ParseLogLevel(text.log_level, &flags->log_level)) {
    return Status::InvalidArgument("--log.level: unrecognized log level \"" +
                                   text.log_level + "\"");
  }
  if (flags->log_format != "logfmt") {
    return Status::InvalidArgument("--log.format: unsupported log format \"" +
                                   flags->log_format + "\" (only logfmt)");
  }
  return Status::OK();
}

Status CheckListenFlags(const ServerFlags& flags) {
  std::string host;
  int port = 0;
  Status address = SplitHostPort(flags.listen_address, &host, &port);
  if (!address.ok()) {
    return Status::InvalidArgument("--web.listen-address: " +
                                   std::string(address.message()));
  }
  if (flags.max_connections < 0) {
    return Status::InvalidArgument("--web.max-connections must be >= 0");
  }
  return Status::OK();
}

// As Prometheus: `could not compile CORS regex string "(": <err>`.
Status ApplyCorsFlag(ServerFlags* flags) {
  StatusOr<CrossOriginPolicy> policy =
      CrossOriginPolicy::Create(flags->cors_origin);
  if (!policy.ok()) {
    return Status::InvalidArgument(Cat("could not compile CORS regex string ",
                                       GoQuoted(flags->cors_origin), ": ",
                                       policy.status().message()));
  }
  flags->cross_origin = *std::move(policy);
  return Status::OK();
}

Status ApplyRuleFlags(const FlagText& text, ServerFlags* flags) {
  STRATA_ASSIGN_OR_RETURN(
      flags->for_outage_tolerance_ms,
      DurationFlag("--rules.alert.for-outage-tolerance",
                   text.for_outage_tolerance, /*positive=*/false));
  STRATA_ASSIGN_OR_RETURN(
      flags->for_grace_period_ms,
      DurationFlag("--rules.alert.for-grace-period", text.for_grace_period,
                   /*positive=*/false));
  STRATA_ASSIGN_OR_RETURN(
      flags->resend_delay_ms,
      DurationFlag("--rules.alert.resend-delay", text.resend_delay,
                   /*positive=*/false));
  if (flags->notification_queue_capacity < 0) {
    return Status::InvalidArgument(
        "--alertmanager.notification-queue-capacity must be >= 0");
  }
  StatusOr<std::string> url = ComputeExternalUrl(
      flags->web_external_url, flags->listen_address, Hostname());
  if (!url.ok()) {
    return Status::InvalidArgument(Cat("parse external URL ",
                                       GoQuoted(flags->web_external_url), ": ",
                                       url.status().message()));
  }
  flags->external_url = *std::move(url);
  // Prometheus's main.go: the external URL's path unless given, then
  // "/" + the prefix trimmed of '/'.
  std::string_view prefix = flags->web_route_prefix.empty()
                                ? UrlPath(flags->external_url)
                                : std::string_view(flags->web_route_prefix);
  while (prefix.starts_with('/')) prefix.remove_prefix(1);
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  flags->route_prefix = Cat("/", prefix);
  return Status::OK();
}

Status ApplyHaFlags(const FlagText& text, ServerFlags* flags) {
  STRATA_ASSIGN_OR_RETURN(
      flags->ha_failover_timeout_ms,
      DurationFlag("--ha.failover-timeout", text.ha_failover_timeout,
                   /*positive=*/true));
  STRATA_ASSIGN_OR_RETURN(
      flags->ha_standby_buffer_bytes,
      ByteSizeFlag("--ha.standby-buffer-bytes", text.ha_standby_buffer_bytes));
  if (flags->ha_replica_label.empty()) return Status::OK();
  const auto check_name = [](std::string_view flag, const std::string& name) {
    return IsValidLabelName(name)
               ? Status::OK()
               : Status::InvalidArgument(
                     Cat(flag, ": invalid label name ", GoQuoted(name)));
  };
  STRATA_RETURN_IF_ERROR(
      check_name("--ha.replica-label", flags->ha_replica_label));
  STRATA_RETURN_IF_ERROR(
      check_name("--ha.cluster-label", flags->ha_cluster_label));
  if (flags->ha_replica_label == flags->ha_cluster_label) {
    return Status::InvalidArgument(
        "--ha.replica-label and --ha.cluster-label must differ");
  }
  return Status::OK();
}

// Interprets the flags given as text, in a fixed order: the first problem
// is the one reported.
Status ApplyFlagText(const FlagText& text, ServerFlags* flags) {
  STRATA_RETURN_IF_ERROR(ApplyRetention(text, flags));
  STRATA_ASSIGN_OR_RETURN(
      flags->block_duration_ms,
      DurationFlag("--storage.tsdb.min-block-duration", text.min_block_duration,
                   /*positive=*/true));
  STRATA_ASSIGN_OR_RETURN(
      flags->dense_after_ms,
      DurationFlag("--storage.tsdb.dense-after", text.dense_after, false));
  STRATA_RETURN_IF_ERROR(ApplyScrubFlags(text, flags));
  STRATA_ASSIGN_OR_RETURN(
      const int64_t read_ms,
      DurationFlag("--web.read-timeout", text.read_timeout, true));
  flags->read_timeout = std::chrono::milliseconds(read_ms);
  STRATA_ASSIGN_OR_RETURN(
      const int64_t idle_ms,
      DurationFlag("--web.idle-timeout", text.idle_timeout, true));
  flags->idle_timeout = std::chrono::milliseconds(idle_ms);
  STRATA_ASSIGN_OR_RETURN(
      flags->snapshot_retention_ms,
      DurationFlag("--snapshot.retention", text.snapshot_retention, false));
  STRATA_RETURN_IF_ERROR(ApplyLogFlags(text, flags));
  STRATA_RETURN_IF_ERROR(CheckListenFlags(*flags));
  STRATA_RETURN_IF_ERROR(ApplyCorsFlag(flags));
  STRATA_ASSIGN_OR_RETURN(
      flags->query_timeout_ms,
      DurationFlag("--query.timeout", text.query_timeout, /*positive=*/false));
  STRATA_ASSIGN_OR_RETURN(
      flags->query_lookback_delta_ms,
      DurationFlag("--query.lookback-delta", text.lookback_delta, true));
  STRATA_ASSIGN_OR_RETURN(
      flags->query_max_memory_bytes,
      ByteSizeFlag("--query.max-memory-bytes", text.query_max_memory_bytes));
  STRATA_ASSIGN_OR_RETURN(flags->query_max_total_memory_bytes,
                          ByteSizeFlag("--query.max-total-memory-bytes",
                                       text.query_max_total_memory_bytes));
  STRATA_ASSIGN_OR_RETURN(flags->remote_read_max_memory_bytes,
                          ByteSizeFlag("--storage.remote.read-max-memory-bytes",
                                       text.remote_read_max_memory_bytes));
  STRATA_RETURN_IF_ERROR(ApplyRuleFlags(text, flags));
  STRATA_ASSIGN_OR_RETURN(
      flags->remote_write_max_inflight_bytes,
      ByteSizeFlag("--remote-write.max-inflight-bytes",
                   text.remote_write_max_inflight_bytes, SizeMayBeZero::kNo));
  return ApplyHaFlags(text, flags);
}

}  // namespace

StatusOr<int64_t> ParseBase2Bytes(std::string_view text) {
  StatusOr<int64_t> bytes = ParseBytesWith(text, "iB");
  if (!bytes.ok()) bytes = ParseBytesWith(text, "B");
  return bytes;
}

std::string Hostname() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

std::string_view UrlPath(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t path =
      url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  return path == std::string_view::npos ? std::string_view() : url.substr(path);
}

StatusOr<std::string> ComputeExternalUrl(std::string_view given,
                                         std::string_view listen_address,
                                         std::string_view hostname) {
  std::string url(given);
  if (url.empty()) {
    std::string host;
    int port = 0;
    STRATA_RETURN_IF_ERROR(SplitHostPort(listen_address, &host, &port));
    url = Cat("http://", hostname, ":", port, "/");
  }
  const auto quote = [](char c) { return c == '"' || c == '\''; };
  if (quote(url.front()) || quote(url.back())) {
    return Status::InvalidArgument("URL must not begin or end with quotes");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(
          "net/url: invalid control character in URL");
    }
  }
  // url.Parse's split: [scheme://authority]path[?query][#fragment]; only
  // the path changes.
  const size_t path_end = std::min({url.find('?'), url.find('#'), url.size()});
  size_t path_begin = 0;
  if (const size_t scheme_end = url.find("://");
      scheme_end != std::string::npos && scheme_end < path_end) {
    path_begin = std::min(url.find('/', scheme_end + 3), path_end);
  }
  const std::string_view whole(url);
  std::string_view path = whole.substr(path_begin, path_end - path_begin);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::string prefix(path);
  if (!prefix.empty() && prefix.front() != '/') prefix.insert(0, "/");
  return Cat(whole.substr(0, path_begin), prefix, whole.substr(path_end));
}

Options ServerFlags::ToDBOptions() const {
  Options options;
  options.wal_compression = wal_compression;
  options.snapshot_on_shutdown = snapshot_on_shutdown;
  options.dense_chunks = dense_chunks;
  options.dense_after_ms = dense_after_ms;
  options.head_chunks_on_disk = head_chunks_on_disk;
  options.enable_native_histograms = enable_native_histograms;
  options.block_duration_ms = block_duration_ms;
  options.retention_ms = retention_ms;
  options.retention_bytes = retention_bytes;
  options.scrub_interval_ms = scrub_interval_ms;
  options.scrub_bytes_per_second = scrub_bytes_per_second;
  return options;
}

FlagParseResult ParseServerFlags(int argc, const char* const* argv,
                                 ServerFlags* flags) {
  const BuildInfo& build = GetBuildInfo();
  CLI::App app{
      "Strata, a time-series storage server compatible with Prometheus 2.42.",
      "strata-server"};
  app.set_version_flag("--version", "strata-server, version " + build.version +
                                        " (revision: " + build.revision + ")");
  FlagText text;
  AddStorageFlags(app, flags, &text);
  AddWebFlags(app, flags, &text);
  AddConfigAndLogFlags(app, flags, &text);
  AddQueryFlags(app, flags, &text);
  AddRemoteReadFlags(app, flags, &text);
  AddRemoteWriteFlags(app, flags, &text);
  AddRuleAndAlertmanagerFlags(app, flags, &text);
  AddHaFlags(app, flags, &text);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    FlagParseResult result;
    result.exit = true;
    result.exit_code = app.exit(e, out, err) == 0 ? 0 : 2;
    result.output = out.str() + err.str();
    return result;
  }
  if (Status st = ApplyFlagText(text, flags); !st.ok()) {
    return UsageError(std::string(st.message()));
  }
  FeatureSettings features = ApplyFeatureList(flags->feature_list);
  flags->enable_native_histograms = features.native_histograms;
  flags->feature_messages = std::move(features.messages);
  flags->values = FlagValues(app);
  // CLI11 keeps no default text for boolean flags: report their outcome.
  for (auto& [name, value] : flags->values) {
    if (name == "storage.tsdb.wal-compression") {
      value = flags->wal_compression ? "true" : "false";
    } else if (name == "storage.tsdb.snapshot-on-shutdown") {
      value = flags->snapshot_on_shutdown ? "true" : "false";
    } else if (name == "storage.tsdb.dense-chunks") {
      value = flags->dense_chunks ? "true" : "false";
    } else if (name == "storage.tsdb.head-chunks-on-disk") {
      value = flags->head_chunks_on_disk ? "true" : "false";
    } else if (name == "web.enable-admin-api") {
      value = flags->enable_admin_api ? "true" : "false";
    } else if (name == "web.enable-otlp-receiver") {
      value = flags->enable_otlp_receiver ? "true" : "false";
    }
  }
  return FlagParseResult{};
}

}  // namespace strata::server
