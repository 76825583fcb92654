// A real OpenTelemetry client: the OpenTelemetry JS SDK
// (@opentelemetry/sdk-metrics with the OTLP/HTTP protobuf and JSON
// exporters, from tests/server/otlp_js's lockfile) exports metrics to
// strata-server's OTLP receiver (--web.enable-otlp-receiver) on a loopback
// port; what Strata stored is read back (remote read) and checked exactly:
// Prometheus's names (unit and type suffixes), labels (job, instance, sanitized
// attributes), target_info, values, and the 400s for what it cannot store;
// with --enable-feature=native-histograms, exponential histograms are
// stored as native histograms and read back through the query API.
// Without node or the npm packages the test skips; with CI=true it fails.
#include <algorithm>
#include <bit>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "run_command.h"
#include "temp_dir.h"
#include "test_env.h"
#include "url_encode.h"

namespace strata::e2e {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using strata::testing::RunCommand;
using strata::testing::ShellQuote;

#ifdef STRATA_NODE
constexpr const char* kNode = STRATA_NODE;
constexpr const char* kOtlpJsDir = STRATA_OTLP_JS_DIR;
#else
constexpr const char* kNode = "";
constexpr const char* kOtlpJsDir = "";
#endif

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

// The version a package of otlp_js/node_modules has ("" if missing).
std::string PackageVersion(const std::string& package) {
  std::ifstream in(fs::path(kOtlpJsDir) / "node_modules" / package /
                   "package.json");
  const Json json = Json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.contains("version")) return "";
  return json["version"].get<std::string>();
}

class OtlpJsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(kNode).empty()) {
      STRATA_SKIP_OR_FAIL_IF_MISSING("node and npm at configure time");
    }
    if (PackageVersion("@opentelemetry/sdk-metrics").empty()) {
      STRATA_SKIP_OR_FAIL_IF_MISSING(
          "@opentelemetry/sdk-metrics in tests/server/otlp_js/node_modules "
          "(npm ci)");
    }
    port_ = FreePort();
    std::vector<std::string> argv = {
        StrataServerPath(), "--storage.tsdb.path=" + tmp_.path() + "/data",
        "--web.listen-address=127.0.0.1:" + std::to_string(port_),
        "--web.enable-otlp-receiver"};
    for (const std::string& arg : ExtraArgs()) argv.push_back(arg);
    server_ = std::make_unique<Process>(argv, tmp_.path() + "/strata.log");
    ASSERT_TRUE(WaitForOk(port_, "/-/ready", 60000)) << server_->log();
  }

  // More strata-server flags.
  virtual std::vector<std::string> ExtraArgs() const { return {}; }

  // An instant query's single result value (its string), or "" if the
  // answer is not one sample.
  std::string QueryValue(const std::string& query) {
    const http_client::Response r =
        Http(port_, "GET",
             strata::testing::ApiTarget("/api/v1/query", {{"query", query}}));
    const Json j = Json::parse(r.body, nullptr, false);
    if (r.status != 200 || j.is_discarded() ||
        j["data"]["result"].size() != 1) {
      ADD_FAILURE() << query << ": " << r.status << " " << r.body;
      return "";
    }
    return j["data"]["result"][0]["value"][1].get<std::string>();
  }

  // Runs export_metrics.mjs; one JSON object per export.
  // `protocol` is "proto" or "json" (the exporter package used).
  std::vector<Json> Export(const std::string& scenario,
                           const std::string& compression = "none",
                           const std::string& protocol = "proto") {
    const std::string url =
        "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/otlp/v1/metrics";
    const std::string cmd = "cd " + ShellQuote(kOtlpJsDir) + " && timeout 60 " +
                            ShellQuote(kNode) + " export_metrics.mjs " +
                            ShellQuote(url) + " " + scenario + " " +
                            compression + " " + protocol + " 2>" +
                            ShellQuote(tmp_.path() + "/node.err");
    int exit_code = -1;
    const std::string out = RunCommand(cmd, &exit_code);
    EXPECT_EQ(exit_code, 0)
        << out << ReadFileOrEmpty(tmp_.path() + "/node.err");
    std::vector<Json> exports;
    size_t begin = 0;
    while (begin < out.size()) {
      const size_t end = std::min(out.find('\n', begin), out.size());
      if (end > begin)
        exports.push_back(Json::parse(out.substr(begin, end - begin)));
      begin = end + 1;
    }
    return exports;
  }

  SeriesSamples Stored() {
    StatusOr<SeriesSamples> all = RemoteReadAll(port_, 0, NowMillis() + 60000);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    return all.ok() ? *all : SeriesSamples{};
  }

  // Runs the "basic" scenario with `protocol` and `compression` and checks
  // every series, sample and metadata entry it stored.
  void ExportAndCheckBasic(const std::string& compression,
                           const std::string& protocol);

  strata::testing::TempDir tmp_{"strata-otlp-js"};
  int port_ = 0;
  std::unique_ptr<Process> server_;
};

std::set<std::string> Keys(const SeriesSamples& s) {
  std::set<std::string> keys;
  for (const auto& [k, v] : s) keys.insert(k);
  return keys;
}

// The values of a series' samples, in time order.
std::vector<uint64_t> Values(const SeriesSamples& s, const std::string& key) {
  std::vector<uint64_t> out;
  const auto it = s.find(key);
  if (it == s.end()) return out;
  for (const auto& [t, v] : it->second) out.push_back(v);
  return out;
}

void OtlpJsE2eTest::ExportAndCheckBasic(const std::string& compression,
                                        const std::string& protocol) {
  const int64_t start = NowMillis();
  const std::vector<Json> exports = Export("basic", compression, protocol);
  const int64_t end = NowMillis();
  ASSERT_EQ(exports.size(), 2u);
  for (const Json& e : exports) EXPECT_EQ(e["code"], 0) << e.dump();

  const SeriesSamples stored = Stored();
  const std::string id = R"(instance="checkout-1", job="shop/checkout")";
  const std::string hist = "http_server_duration_seconds";
  const std::string get = R"(http_method="GET", )";
  const std::string sdk_version = PackageVersion("@opentelemetry/core");
  ASSERT_FALSE(sdk_version.empty());
  const std::string get_requests =
      R"(http_server_requests_total{http_method="GET", http_route="/cart", )" +
      id + "}";
  const std::string post_requests =
      R"(http_server_requests_total{http_method="POST", http_route="/cart", )" +
      id + "}";
  const std::set<std::string> want_keys = {
      R"(cpu_utilization_ratio{)" + id + "}",
      hist + "_bucket{" + get + id + R"(, le="+Inf"})",
      hist + "_bucket{" + get + id + R"(, le="0.1"})",
      hist + "_bucket{" + get + id + R"(, le="0.5"})",
      hist + "_bucket{" + get + id + R"(, le="1"})",
      hist + "_count{" + get + id + "}",
      hist + "_sum{" + get + id + "}",
      get_requests,
      post_requests,
      R"(process_memory_usage_bytes{)" + id + R"(, pool="heap"})",
      R"(queue_items{)" + id + "}",
      R"(target_info{deployment_environment="test", host_name="box-1", )" + id +
          R"(, telemetry_sdk_language="nodejs", telemetry_sdk_name="opentelemetry", telemetry_sdk_version=")" +
          sdk_version + "\"}",
  };
  EXPECT_EQ(Keys(stored), want_keys);

  // Two exports: every series has two samples, in the run's time window.
  for (const auto& [key, samples] : stored) {
    EXPECT_EQ(samples.size(), 2u) << key;
    for (const auto& [t, v] : samples) {
      EXPECT_GE(t, start - 1000) << key;
      EXPECT_LE(t, end + 1000) << key;
    }
  }
  const auto values = [&](const std::string& key) {
    return Values(stored, key);
  };
  // The counter grew by 1 between the exports; the rest stayed.
  EXPECT_EQ(values(get_requests), std::vector<uint64_t>({Bits(5), Bits(6)}));
  EXPECT_EQ(values(post_requests), std::vector<uint64_t>({Bits(2), Bits(2)}));
  EXPECT_EQ(values(R"(queue_items{)" + id + "}"),
            std::vector<uint64_t>({Bits(7), Bits(7)}));
  EXPECT_EQ(values(R"(process_memory_usage_bytes{)" + id + R"(, pool="heap"})"),
            std::vector<uint64_t>({Bits(1234567), Bits(1234567)}));
  EXPECT_EQ(values(R"(cpu_utilization_ratio{)" + id + "}"),
            std::vector<uint64_t>({Bits(0.25), Bits(0.25)}));
  // Recorded 0.05, 0.3, 0.7 and 2 into buckets (0.1, 0.5, 1): cumulative.
  const auto bucket = [&](const std::string& le) {
    return values(hist + "_bucket{" + get + id + ", le=\"" + le + "\"}");
  };
  EXPECT_EQ(bucket("0.1"), std::vector<uint64_t>({Bits(1), Bits(1)}));
  EXPECT_EQ(bucket("0.5"), std::vector<uint64_t>({Bits(2), Bits(2)}));
  EXPECT_EQ(bucket("1"), std::vector<uint64_t>({Bits(3), Bits(3)}));
  EXPECT_EQ(bucket("+Inf"), std::vector<uint64_t>({Bits(4), Bits(4)}));
  EXPECT_EQ(values(hist + "_count{" + get + id + "}"),
            std::vector<uint64_t>({Bits(4), Bits(4)}));
  const double sum = 0.05 + 0.3 + 0.7 + 2;  // In the SDK's order.
  EXPECT_EQ(values(hist + "_sum{" + get + id + "}"),
            std::vector<uint64_t>({Bits(sum), Bits(sum)}));

  // Metadata: types, units and descriptions as Prometheus stores them.
  const Json metadata =
      Json::parse(Http(port_, "GET", "/api/v1/metadata").body, nullptr, false);
  ASSERT_FALSE(metadata.is_discarded());
  EXPECT_EQ(
      metadata["data"]["http_server_requests_total"][0],
      Json({{"type", "counter"}, {"help", "Requests served."}, {"unit", ""}}));
  EXPECT_EQ(metadata["data"][hist][0],
            Json({{"type", "histogram"}, {"help", ""}, {"unit", "seconds"}}));
  EXPECT_EQ(metadata["data"]["queue_items"][0]["type"], "gauge");
  EXPECT_EQ(metadata["data"]["target_info"][0]["help"], "Target metadata");
}

TEST_F(OtlpJsE2eTest, SdkMetricsAreStoredAsPrometheusSeries) {
  ExportAndCheckBasic("gzip", "proto");
}

// The SDK's OTLP/JSON exporter (@opentelemetry/exporter-metrics-otlp-http):
// the same series and samples as protobuf.
TEST_F(OtlpJsE2eTest, JsonExporterStoresTheSameSeries) {
  ExportAndCheckBasic("none", "json");
}

TEST_F(OtlpJsE2eTest, GzippedJsonExporterStoresTheSameSeries) {
  ExportAndCheckBasic("gzip", "json");
}

TEST_F(OtlpJsE2eTest, ExponentialHistogramIs400AndTheRestStored) {
  const std::vector<Json> exports = Export("exponential");
  ASSERT_EQ(exports.size(), 1u);
  EXPECT_EQ(exports[0]["code"], 1) << exports[0].dump();
  const SeriesSamples stored = Stored();
  const std::string batches =
      R"(batches_total{instance="checkout-1", job="shop/checkout"})";
  EXPECT_EQ(Values(stored, batches), std::vector<uint64_t>({Bits(3)}));
  for (const auto& [key, samples] : stored) {
    EXPECT_EQ(key.find("payload"), std::string::npos) << key;
  }
  EXPECT_EQ(MetricValue(port_,
                        "strata_otlp_data_points_rejected_total{"
                        "reason=\"exponential_histogram\"}"),
            1);
  EXPECT_NE(server_->log().find("exponential histogram \\\"payload.size\\\""),
            std::string::npos)
      << server_->log();
}

// With native histograms on, the exponential histogram is stored as one
// native histogram series (OTLP scale 5 stays schema 5).
class OtlpJsNativeHistogramsTest : public OtlpJsE2eTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--enable-feature=native-histograms"};
  }
  // Exports the "exponential" scenario with `protocol` and checks the
  // native histogram stored.
  void CheckExponentialExport(const std::string& protocol);
};

// Both exporters, one after the other: the second export's sample is the
// series' newest, with the same counts.
TEST_F(OtlpJsNativeHistogramsTest, ExponentialHistogramIsANativeHistogram) {
  for (const std::string protocol : {"proto", "json"}) {
    SCOPED_TRACE(protocol);
    CheckExponentialExport(protocol);
  }
}

void OtlpJsNativeHistogramsTest::CheckExponentialExport(
    const std::string& protocol) {
  const std::vector<Json> exports = Export("exponential", "none", protocol);
  ASSERT_EQ(exports.size(), 1u);
  EXPECT_EQ(exports[0]["code"], 0) << exports[0].dump();
  const std::string series =
      R"(payload_size_bytes{instance="checkout-1", job="shop/checkout"})";
  EXPECT_EQ(QueryValue("histogram_count(" + series + ")"), "2");
  EXPECT_EQ(QueryValue("histogram_sum(" + series + ")"), "2100");
  // 100 and 2000 lie in buckets far below and above 1000.
  EXPECT_EQ(QueryValue("histogram_fraction(0, 1000, " + series + ")"), "0.5");
  const http_client::Response raw =
      Http(port_, "GET",
           strata::testing::ApiTarget("/api/v1/query", {{"query", series}}));
  const Json j = Json::parse(raw.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << raw.body;
  ASSERT_EQ(j["data"]["result"].size(), 1u) << raw.body;
  const Json& h = j["data"]["result"][0]["histogram"][1];
  EXPECT_EQ(h["count"], "2") << raw.body;
  EXPECT_EQ(h["sum"], "2100") << raw.body;
  EXPECT_EQ(h["buckets"].size(), 2u) << raw.body;
  // Nothing rejected (the counter is absent or 0).
  EXPECT_LE(MetricValue(port_,
                        "strata_otlp_data_points_rejected_total{"
                        "reason=\"exponential_histogram\"}"),
            0);
}

TEST_F(OtlpJsE2eTest, DeltaTemporalityIs400AndCumulativeStored) {
  const std::vector<Json> exports = Export("delta");
  ASSERT_EQ(exports.size(), 1u);
  EXPECT_EQ(exports[0]["code"], 1) << exports[0].dump();
  const SeriesSamples stored = Stored();
  // The SDK keeps up-down counters cumulative under its delta preference.
  EXPECT_EQ(
      Values(stored,
             R"(queue_items{instance="checkout-1", job="shop/checkout"})"),
      std::vector<uint64_t>({Bits(9)}));
  for (const auto& [key, samples] : stored) {
    EXPECT_EQ(key.find("jobs_done"), std::string::npos) << key;
    EXPECT_EQ(key.find("http_server_duration"), std::string::npos) << key;
  }
  EXPECT_EQ(MetricValue(port_,
                        "strata_otlp_data_points_rejected_total{"
                        "reason=\"invalid_temporality\"}"),
            2);
}

}  // namespace
}  // namespace strata::e2e
