#include <string>
#include <tuple>
#include <vector>

#include "flags.h"
#include "gtest/gtest.h"

namespace strata::server {
namespace {

constexpr int64_t kHour = 3600 * 1000;

FlagParseResult Parse(std::vector<std::string> args, ServerFlags* flags) {
  args.insert(args.begin(), "strata-server");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  return ParseServerFlags(static_cast<int>(argv.size()), argv.data(), flags);
}

TEST(FlagsTest, DefaultsMatchPrometheus) {
  ServerFlags flags;
  FlagParseResult result = Parse({}, &flags);
  ASSERT_FALSE(result.exit) << result.output;
  EXPECT_EQ(flags.data_dir, "./data");
  EXPECT_EQ(flags.retention_ms, 15 * 24 * kHour);
  EXPECT_TRUE(flags.retention_defaulted);
  EXPECT_EQ(flags.retention_bytes, 0);
  EXPECT_EQ(flags.block_duration_ms, 2 * kHour);
  EXPECT_TRUE(flags.wal_compression);
  EXPECT_EQ(flags.listen_address, "127.0.0.1:9201");
  EXPECT_EQ(flags.max_connections, 512);
  EXPECT_FALSE(flags.enable_admin_api);
  EXPECT_FALSE(flags.enable_lifecycle);
  // Unlike Prometheus (".*"): no cross-origin access by default.
  EXPECT_EQ(flags.cors_origin, "");
  EXPECT_FALSE(flags.cross_origin.AllowsOrigin("http://any.example"));
  EXPECT_EQ(flags.idle_timeout, std::chrono::minutes(1));
  EXPECT_EQ(flags.config_file, "");
  EXPECT_EQ(flags.log_level, LogLevel::kInfo);
  EXPECT_EQ(flags.log_format, "logfmt");
  const Options options = flags.ToDBOptions();
  EXPECT_EQ(options.retention_ms, 15 * 24 * kHour);
  EXPECT_EQ(options.block_duration_ms, 2 * kHour);
  EXPECT_TRUE(options.wal_compression);
}

TEST(FlagsTest, ParsesEveryFlag) {
  ServerFlags flags;
  FlagParseResult result =
      Parse({"--storage.tsdb.path=/var/strata", "--storage.tsdb.retention.time",
             "2h30m", "--storage.tsdb.retention.size=512MB",
             "--storage.tsdb.min-block-duration=1h",
             "--no-storage.tsdb.wal-compression", "--web.listen-address=:9090",
             "--web.enable-admin-api", "--config.file=/etc/strata.yml",
             "--log.level=debug", "--log.format=logfmt",
             "--web.max-connections=1000", "--web.read-timeout=30s",
             "--web.idle-timeout=2m30s", "--web.enable-lifecycle",
             R"(--web.cors.origin=https?://(a|b)\.example)"},
            &flags);
  ASSERT_FALSE(result.exit) << result.output;
  EXPECT_EQ(flags.data_dir, "/var/strata");
  EXPECT_EQ(flags.retention_ms, 2 * kHour + 30 * 60 * 1000);
  EXPECT_FALSE(flags.retention_defaulted);
  EXPECT_EQ(flags.retention_bytes, int64_t{512} << 20);
  EXPECT_EQ(flags.block_duration_ms, kHour);
  EXPECT_FALSE(flags.wal_compression);
  EXPECT_EQ(flags.listen_address, ":9090");
  EXPECT_TRUE(flags.enable_admin_api);
  EXPECT_EQ(flags.config_file, "/etc/strata.yml");
  EXPECT_EQ(flags.log_level, LogLevel::kDebug);
  EXPECT_EQ(flags.max_connections, 1000);
  EXPECT_EQ(flags.read_timeout, std::chrono::seconds(30));
  EXPECT_EQ(flags.idle_timeout, std::chrono::seconds(150));
  EXPECT_TRUE(flags.enable_lifecycle);
  EXPECT_TRUE(flags.cross_origin.AllowsOrigin("https://b.example"));
  EXPECT_FALSE(flags.cross_origin.AllowsOrigin("https://c.example"));
  const Options options = flags.ToDBOptions();
  EXPECT_EQ(options.retention_bytes, int64_t{512} << 20);
  EXPECT_FALSE(options.wal_compression);
}

// Issue 19: the dense cold tier is on by default (blocks a day behind the
// newest sample); both flag forms turn it off; the age is a duration.
TEST(FlagsTest, DenseColdTier) {
  ServerFlags defaults;
  ASSERT_FALSE(Parse({}, &defaults).exit);
  EXPECT_TRUE(defaults.ToDBOptions().dense_chunks);
  EXPECT_EQ(defaults.ToDBOptions().dense_after_ms, 24 * kHour);
  for (const char* off : {"--no-storage.tsdb.dense-chunks",
                          "--storage.tsdb.dense-chunks=false"}) {
    ServerFlags flags;
    FlagParseResult result =
        Parse({off, "--storage.tsdb.dense-after=3d12h"}, &flags);
    ASSERT_FALSE(result.exit) << off << ": " << result.output;
    const Options options = flags.ToDBOptions();
    EXPECT_FALSE(options.dense_chunks) << off;
    EXPECT_EQ(options.dense_after_ms, 84 * kHour);
  }
  ServerFlags bad;
  FlagParseResult result = Parse({"--storage.tsdb.dense-after=soon"}, &bad);
  EXPECT_TRUE(result.exit);
  EXPECT_NE(result.output.find("--storage.tsdb.dense-after"), std::string::npos)
      << result.output;
}

// Issue 15: byte budgets for queries and remote read, and Prometheus's
// remote read limits.
TEST(FlagsTest, MemoryAndRemoteReadLimits) {
  ServerFlags defaults;
  ASSERT_FALSE(Parse({}, &defaults).exit);
  EXPECT_EQ(defaults.query_max_memory_bytes, 256 << 20);
  EXPECT_EQ(defaults.query_max_total_memory_bytes, 1 << 30);
  EXPECT_EQ(defaults.remote_read_max_memory_bytes, 256 << 20);
  EXPECT_EQ(defaults.remote_read_sample_limit, 50000000);
  EXPECT_EQ(defaults.remote_read_concurrent_limit, 10);
  EXPECT_EQ(defaults.remote_read_max_bytes_in_frame, 1048576);
  ServerFlags flags;
  FlagParseResult result = Parse(
      {"--query.max-memory-bytes=64MB", "--query.max-total-memory-bytes=0",
       "--storage.remote.read-max-memory-bytes=1GiB",
       "--storage.remote.read-sample-limit=1000",
       "--storage.remote.read-concurrent-limit=2",
       "--storage.remote.read-max-bytes-in-frame=4096"},
      &flags);
  ASSERT_FALSE(result.exit) << result.output;
  EXPECT_EQ(flags.query_max_memory_bytes, 64 << 20);
  EXPECT_EQ(flags.query_max_total_memory_bytes, 0);
  EXPECT_EQ(flags.remote_read_max_memory_bytes, 1 << 30);
  EXPECT_EQ(flags.remote_read_sample_limit, 1000);
  EXPECT_EQ(flags.remote_read_concurrent_limit, 2);
  EXPECT_EQ(flags.remote_read_max_bytes_in_frame, 4096);
  ServerFlags bad;
  FlagParseResult refused = Parse({"--query.max-memory-bytes=lots"}, &bad);
  EXPECT_TRUE(refused.exit);
  EXPECT_NE(refused.output.find("--query.max-memory-bytes"), std::string::npos)
      << refused.output;
}

TEST(FlagsTest, BooleanFlagAcceptsExplicitValue) {
  ServerFlags flags;
  ASSERT_FALSE(Parse({"--storage.tsdb.wal-compression=false"}, &flags).exit);
  EXPECT_FALSE(flags.wal_compression);
  ServerFlags again;
  ASSERT_FALSE(Parse({"--storage.tsdb.wal-compression"}, &again).exit);
  EXPECT_TRUE(again.wal_compression);
}

TEST(FlagsTest, SnapshotOnShutdownIsOnByDefaultAndCanBeTurnedOff) {
  ServerFlags flags;
  ASSERT_FALSE(Parse({}, &flags).exit);
  EXPECT_TRUE(flags.snapshot_on_shutdown);
  EXPECT_TRUE(flags.ToDBOptions().snapshot_on_shutdown);
  ServerFlags off;
  ASSERT_FALSE(Parse({"--no-storage.tsdb.snapshot-on-shutdown"}, &off).exit);
  EXPECT_FALSE(off.snapshot_on_shutdown);
  EXPECT_FALSE(off.ToDBOptions().snapshot_on_shutdown);
  ServerFlags explicit_off;
  ASSERT_FALSE(
      Parse({"--storage.tsdb.snapshot-on-shutdown=false"}, &explicit_off).exit);
  EXPECT_FALSE(explicit_off.snapshot_on_shutdown);
}

TEST(FlagsTest, HeadChunksOnDiskFlag) {
  ServerFlags flags;
  ASSERT_FALSE(Parse({}, &flags).exit);
  EXPECT_EQ(flags.ToDBOptions().head_chunks_on_disk,
            Options().head_chunks_on_disk);
  ServerFlags on;
  ASSERT_FALSE(Parse({"--storage.tsdb.head-chunks-on-disk"}, &on).exit);
  EXPECT_TRUE(on.ToDBOptions().head_chunks_on_disk);
  ServerFlags off;
  ASSERT_FALSE(Parse({"--no-storage.tsdb.head-chunks-on-disk"}, &off).exit);
  EXPECT_FALSE(off.ToDBOptions().head_chunks_on_disk);
}

TEST(FlagsTest, SizeRetentionAloneDisablesTimeRetention) {
  ServerFlags flags;
  ASSERT_FALSE(Parse({"--storage.tsdb.retention.size=1GB"}, &flags).exit);
  EXPECT_EQ(flags.retention_bytes, int64_t{1} << 30);
  EXPECT_EQ(flags.retention_ms, 0);
  EXPECT_FALSE(flags.retention_defaulted);
}

TEST(FlagsTest, TimeRetentionIsCappedAt100Years) {
  ServerFlags flags;
  ASSERT_FALSE(Parse({"--storage.tsdb.retention.time=200y"}, &flags).exit);
  EXPECT_EQ(flags.retention_ms, kMaxRetentionMs);
  EXPECT_TRUE(flags.retention_capped);
}

TEST(FlagsTest, RejectsBadValues) {
  const std::vector<std::vector<std::string>> bad = {
      {"--storage.tsdb.retention.time=15"},
      {"--storage.tsdb.retention.time=1.5d"},
      {"--storage.tsdb.retention.size=512"},
      {"--storage.tsdb.retention.size=12XB"},
      {"--storage.tsdb.min-block-duration=0"},
      {"--log.level=verbose"},
      {"--log.format=json"},
      {"--web.listen-address=9201"},
      {"--web.max-connections=many"},
      {"--no-such-flag"},
      {"positional"},
  };
  for (const auto& args : bad) {
    ServerFlags flags;
    FlagParseResult result = Parse(args, &flags);
    EXPECT_TRUE(result.exit) << args[0];
    EXPECT_EQ(result.exit_code, 2) << args[0];
    EXPECT_FALSE(result.output.empty()) << args[0];
  }
  ServerFlags flags;
  FlagParseResult result =
      Parse({"--storage.tsdb.retention.time=forever"}, &flags);
  EXPECT_NE(result.output.find("--storage.tsdb.retention.time"),
            std::string::npos)
      << result.output;
}

TEST(FlagsTest, HelpAndVersionExitZero) {
  ServerFlags flags;
  FlagParseResult help = Parse({"--help"}, &flags);
  EXPECT_TRUE(help.exit);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--storage.tsdb.retention.time"),
            std::string::npos);
  EXPECT_NE(help.output.find("--web.listen-address"), std::string::npos);
  FlagParseResult version = Parse({"--version"}, &flags);
  EXPECT_TRUE(version.exit);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find("strata-server, version"), std::string::npos);
}

TEST(FlagsTest, RuleAndAlertmanagerFlags) {
  ServerFlags defaults;
  ASSERT_FALSE(Parse({"--web.listen-address=127.0.0.1:9999"}, &defaults).exit);
  EXPECT_EQ(defaults.for_outage_tolerance_ms, kHour);
  EXPECT_EQ(defaults.for_grace_period_ms, 10 * 60 * 1000);
  EXPECT_EQ(defaults.resend_delay_ms, 60 * 1000);
  EXPECT_EQ(defaults.notification_queue_capacity, 10000);
  EXPECT_EQ(defaults.web_external_url, "");
  EXPECT_EQ(defaults.external_url, "http://" + Hostname() + ":9999");

  ServerFlags flags;
  FlagParseResult result = Parse(
      {"--rules.alert.for-outage-tolerance=2h",
       "--rules.alert.for-grace-period=5m", "--rules.alert.resend-delay=30s",
       "--alertmanager.notification-queue-capacity=50",
       "--web.external-url=https://strata.example.com/prefix/"},
      &flags);
  ASSERT_FALSE(result.exit) << result.output;
  EXPECT_EQ(flags.for_outage_tolerance_ms, 2 * kHour);
  EXPECT_EQ(flags.for_grace_period_ms, 5 * 60 * 1000);
  EXPECT_EQ(flags.resend_delay_ms, 30 * 1000);
  EXPECT_EQ(flags.notification_queue_capacity, 50);
  EXPECT_EQ(flags.external_url, "https://strata.example.com/prefix");
  // Prometheus: the routes' prefix defaults to the external URL's path.
  EXPECT_EQ(defaults.route_prefix, "/");
  EXPECT_EQ(flags.route_prefix, "/prefix");
  ServerFlags routed;
  ASSERT_FALSE(
      Parse({"--web.external-url=http://x/a", "--web.route-prefix=b/"}, &routed)
          .exit);
  EXPECT_EQ(routed.route_prefix, "/b");
  bool listed = false;
  for (const auto& [name, value] : flags.values) {
    if (name == "rules.alert.resend-delay") {
      EXPECT_EQ(value, "30s");
      listed = true;
    }
  }
  EXPECT_TRUE(listed);

  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{
           {"--rules.alert.for-grace-period=10"},
           {"--rules.alert.resend-delay=x"},
           {"--alertmanager.notification-queue-capacity=many"},
           {"--web.external-url='http://x/'"}}) {
    ServerFlags f;
    FlagParseResult r = Parse(bad, &f);
    EXPECT_TRUE(r.exit) << bad[0];
    EXPECT_EQ(r.exit_code, 2) << bad[0];
  }
  ServerFlags quoted;
  EXPECT_NE(Parse({"--web.external-url=\"http://x\""}, &quoted)
                .output.find("parse external URL \"\\\"http://x\\\"\": URL "
                             "must not begin or end with quotes"),
            std::string::npos);
}

TEST(ComputeExternalUrlTest, AsPrometheus) {
  const std::tuple<const char*, const char*, const char*> cases[] = {
      {"", "0.0.0.0:9090", "http://host:9090"},
      {"", ":9201", "http://host:9201"},
      {"http://a:1/", "", "http://a:1"},
      {"http://a:1//p//", "", "http://a:1//p"},
      {"http://a/p?x=1#f", "", "http://a/p?x=1#f"},
      {"http://a", "", "http://a"},
      {"prefix/", "", "/prefix"},
  };
  for (const auto& [given, listen, want] : cases) {
    StatusOr<std::string> url = ComputeExternalUrl(given, listen, "host");
    ASSERT_TRUE(url.ok()) << given << ": " << url.status().ToString();
    EXPECT_EQ(*url, want) << given;
  }
  EXPECT_FALSE(ComputeExternalUrl("", "nohostport", "host").ok());
  EXPECT_FALSE(ComputeExternalUrl("'http://a'", "", "host").ok());
}

TEST(ParseBase2BytesTest, PowersOf1024) {
  const std::pair<const char*, int64_t> good[] = {
      {"0", 0},
      {"0B", 0},
      {"100B", 100},
      {"1KB", 1024},
      {"1KiB", 1024},
      {"1.5KB", 1536},
      {"512MB", int64_t{512} << 20},
      {"1GB", int64_t{1} << 30},
      {"2TB", int64_t{2} << 40},
      {"1PB", int64_t{1} << 50},
      {"1EB", int64_t{1} << 60},
      {"1GB512MB", (int64_t{1} << 30) + (int64_t{512} << 20)},
      {".5GiB", int64_t{1} << 29},
  };
  for (const auto& [text, bytes] : good) {
    StatusOr<int64_t> parsed = ParseBase2Bytes(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, bytes) << text;
  }
  for (const char* bad : {"", "1", "MB", "1kB", "1 MB", "-1MB", "1XB",
                          "1GiB512MB", "8EB", "1KBiB", "1.MB.", "."}) {
    EXPECT_FALSE(ParseBase2Bytes(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace strata::server

namespace strata::server {
namespace {

TEST(ServerFlagsTest, RemoteWriteLimits) {
  ServerFlags defaults;
  ASSERT_FALSE(Parse({}, &defaults).exit);
  EXPECT_EQ(defaults.remote_write_max_label_names_per_series, 128);
  EXPECT_EQ(defaults.remote_write_max_length_label_name, 1024);
  EXPECT_EQ(defaults.remote_write_max_length_label_value, 16384);
  EXPECT_EQ(defaults.remote_write_max_series_per_request, 100000);

  ServerFlags flags;
  FlagParseResult result =
      Parse({"--remote-write.max-label-names-per-series=30",
             "--remote-write.max-length-label-name=0",
             "--remote-write.max-length-label-value=2048",
             "--remote-write.max-series-per-request=500"},
            &flags);
  ASSERT_FALSE(result.exit) << result.output;
  EXPECT_EQ(flags.remote_write_max_label_names_per_series, 30);
  EXPECT_EQ(flags.remote_write_max_length_label_name, 0);
  EXPECT_EQ(flags.remote_write_max_length_label_value, 2048);
  EXPECT_EQ(flags.remote_write_max_series_per_request, 500);

  ServerFlags negative;
  FlagParseResult bad =
      Parse({"--remote-write.max-series-per-request=-1"}, &negative);
  EXPECT_TRUE(bad.exit);
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(ServerFlagsTest, ScrubIsOffByDefaultAndReachesTheDB) {
  ServerFlags defaults;
  ASSERT_FALSE(Parse({}, &defaults).exit);
  EXPECT_EQ(defaults.ToDBOptions().scrub_interval_ms, 0);
  EXPECT_EQ(defaults.ToDBOptions().scrub_bytes_per_second, 32 << 20);

  ServerFlags flags;
  FlagParseResult result = Parse(
      {"--storage.tsdb.scrub-interval=12h", "--storage.tsdb.scrub-rate=4MB"},
      &flags);
  ASSERT_FALSE(result.exit) << result.output;
  EXPECT_EQ(flags.ToDBOptions().scrub_interval_ms, 12 * kHour);
  EXPECT_EQ(flags.ToDBOptions().scrub_bytes_per_second, 4 << 20);

  for (const char* bad : {"--storage.tsdb.scrub-interval=often",
                          "--storage.tsdb.scrub-rate=0MB"}) {
    ServerFlags f;
    FlagParseResult r = Parse({bad}, &f);
    EXPECT_TRUE(r.exit) << bad;
    EXPECT_EQ(r.exit_code, 2) << bad;
  }
}

TEST(ServerFlagsTest, RemoteWriteInflightBudget) {
  ServerFlags defaults;
  ASSERT_FALSE(Parse({}, &defaults).exit);
  EXPECT_EQ(defaults.remote_write_max_inflight_requests, 0);  // Per core.
  EXPECT_EQ(defaults.remote_write_max_inflight_bytes, int64_t{512} << 20);

  ServerFlags flags;
  FlagParseResult result = Parse({"--remote-write.max-inflight-requests=32",
                                  "--remote-write.max-inflight-bytes=64MiB"},
                                 &flags);
  ASSERT_FALSE(result.exit) << result.output;
  EXPECT_EQ(flags.remote_write_max_inflight_requests, 32);
  EXPECT_EQ(flags.remote_write_max_inflight_bytes, int64_t{64} << 20);

  for (const char* bad_flag : {"--remote-write.max-inflight-requests=-1",
                               "--remote-write.max-inflight-bytes=0",
                               "--remote-write.max-inflight-bytes=lots"}) {
    ServerFlags bad_flags;
    FlagParseResult bad = Parse({bad_flag}, &bad_flags);
    EXPECT_TRUE(bad.exit) << bad_flag;
    EXPECT_EQ(bad.exit_code, 2) << bad_flag;
  }
  ServerFlags zero;
  FlagParseResult zero_bytes =
      Parse({"--remote-write.max-inflight-bytes=0"}, &zero);
  EXPECT_NE(zero_bytes.output.find("--remote-write.max-inflight-bytes: must "
                                   "be positive"),
            std::string::npos)
      << zero_bytes.output;
}

// Prometheus 3's flag, off by default there too; /api/v1/status/flags
// reports it.
TEST(FlagsTest, OtlpReceiverIsOffUnlessEnabled) {
  const auto reported = [](const ServerFlags& flags) {
    for (const auto& [name, value] : flags.values) {
      if (name == "web.enable-otlp-receiver") return value;
    }
    return std::string("(missing)");
  };
  ServerFlags flags;
  ASSERT_FALSE(Parse({}, &flags).exit);
  EXPECT_FALSE(flags.enable_otlp_receiver);
  EXPECT_EQ(reported(flags), "false");
  ServerFlags enabled;
  ASSERT_FALSE(Parse({"--web.enable-otlp-receiver"}, &enabled).exit);
  EXPECT_TRUE(enabled.enable_otlp_receiver);
  EXPECT_EQ(reported(enabled), "true");
}

}  // namespace
}  // namespace strata::server

namespace strata::server {
namespace {

// Prometheus 2.42's --enable-feature: repeatable, comma separated; only
// native-histograms changes Strata's storage; known names are logged with
// Prometheus's messages, unknown ones warned about.
TEST(FeatureFlagsTest, EnableFeatureList) {
  ServerFlags flags;
  FlagParseResult result =
      Parse({"--enable-feature=native-histograms,agent", "--enable-feature",
             "bogus,,promql-at-modifier"},
            &flags);
  ASSERT_FALSE(result.exit) << result.output;
  EXPECT_EQ(flags.feature_list,
            (std::vector<std::string>{"native-histograms,agent",
                                      "bogus,,promql-at-modifier"}));
  EXPECT_TRUE(flags.enable_native_histograms);
  EXPECT_TRUE(flags.ToDBOptions().enable_native_histograms);
  const std::vector<FeatureMessage> want = {
      {false, "Experimental native histogram support enabled.", ""},
      {false, "Experimental agent mode enabled.", ""},
      {true, "Unknown option for --enable-feature", "bogus"},
      {true,
       "This option for --enable-feature is now permanently enabled and "
       "therefore a no-op.",
       "promql-at-modifier"},
  };
  EXPECT_EQ(flags.feature_messages, want);

  ServerFlags off;
  ASSERT_FALSE(Parse({"--enable-feature=exemplar-storage"}, &off).exit);
  EXPECT_FALSE(off.enable_native_histograms);
  EXPECT_FALSE(off.ToDBOptions().enable_native_histograms);
}

}  // namespace
}  // namespace strata::server
