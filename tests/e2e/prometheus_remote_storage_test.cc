// strata-server as remote storage of the real Prometheus 2.42 (Debian
// package), proven end to end:
//  - Prometheus scrapes node_exporter and itself every second and remote
//    writes to Strata; for a time range both have fully received, Strata
//    holds exactly the samples of Prometheus's own TSDB (bit for bit, stale
//    markers included), read back through both remote read answer types.
//  - A second Prometheus whose only data is Strata (remote_read) answers
//    queries exactly as the first one answers from its local TSDB.
//  - Strata is killed mid-stream and restarted: Prometheus retries and no
//    sample is lost; metadata survives the restart.
//  - Bad input gets the right status codes and the server keeps serving.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "prometheus/remote.pb.h"
#include "server/http/url_params.h"
#include "server/http_test_client.h"
#include "snappy.h"
#include "strata/appender.h"
#include "temp_dir.h"
#include "test_env.h"
#include "util/strings.h"

namespace strata::e2e {
namespace {

using std::chrono::milliseconds;

constexpr char kPrometheus[] = "/usr/bin/prometheus";
constexpr char kNodeExporter[] = "/usr/bin/prometheus-node-exporter";

void SleepMs(int ms) { std::this_thread::sleep_for(milliseconds(ms)); }

// Strata, node_exporter and a Prometheus that scrapes both of them and
// itself every second and remote-writes to Strata.
class RemoteStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPrometheus) ||
        !std::filesystem::exists(kNodeExporter)) {
      STRATA_SKIP_OR_FAIL_IF_MISSING(
          "the prometheus and prometheus-node-exporter Debian packages");
    }
    ASSERT_TRUE(std::filesystem::exists(StrataServerPath()))
        << StrataServerPath();
    ASSERT_TRUE(tmp_.ok());
    strata_port_ = FreePort();
    node_port_ = FreePort();
    prom_port_ = FreePort();
    StartStrata();
    node_ = std::make_unique<Process>(
        std::vector<std::string>{
            kNodeExporter,
            "--web.listen-address=127.0.0.1:" + std::to_string(node_port_),
            "--collector.disable-defaults", "--collector.cpu",
            "--collector.loadavg", "--collector.meminfo", "--collector.stat",
            "--collector.time", "--collector.netdev"},
        root_ + "/node.log");
    ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 20000)) << strata_->log();
    WriteFile(root_ + "/prometheus.yml", PrometheusConfig());
    prom_ = StartPrometheus("prom", root_ + "/prometheus.yml", prom_port_);
    ASSERT_TRUE(WaitForOk(prom_port_, "/-/ready", 30000)) << prom_->log();
    // Prometheus hands targets to its scrape loops after up to 5 s and its
    // remote write starts once it has read its WAL: wait until samples
    // arrive, and compare only what was scraped after that.
    const auto deadline =
        std::chrono::steady_clock::now() + milliseconds(40000);
    while (MetricValue(strata_port_,
                       "strata_remote_write_samples_written_total") <= 0) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << "no samples arrived\n"
          << prom_->log();
      SleepMs(100);
    }
    start_ms_ = NowMillis() + 1000;
  }

  void TearDown() override {
    prom2_.reset();
    prom_.reset();
    node_.reset();
    strata_.reset();
    if (HasFailure()) tmp_.Keep();
  }

  void StartStrata() {
    strata_ = std::make_unique<Process>(
        std::vector<std::string>{
            StrataServerPath(), "--storage.tsdb.path=" + root_ + "/strata",
            "--web.listen-address=127.0.0.1:" + std::to_string(strata_port_),
            "--web.enable-admin-api", "--web.enable-lifecycle"},
        root_ + "/strata.log");
  }

  std::string PrometheusConfig() const {
    const std::string write_url =
        "http://127.0.0.1:" + std::to_string(strata_port_) + "/api/v1/write";
    return "global:\n"
           "  scrape_interval: 1s\n"
           "  scrape_timeout: 900ms\n"
           "  evaluation_interval: 1s\n"
           "scrape_configs:\n"
           "  - job_name: prometheus\n"
           "    static_configs: [{targets: ['127.0.0.1:" +
           std::to_string(prom_port_) +
           "']}]\n"
           "  - job_name: node\n"
           "    static_configs: [{targets: ['127.0.0.1:" +
           std::to_string(node_port_) +
           "']}]\n"
           "remote_write:\n"
           "  - url: " +
           write_url +
           "\n"
           "    queue_config:\n"
           "      batch_send_deadline: 500ms\n"
           "      min_backoff: 50ms\n"
           "      max_backoff: 500ms\n"
           "      retry_on_http_429: true\n"
           "    metadata_config:\n"
           "      send: true\n"
           "      send_interval: 1s\n";
  }

  std::unique_ptr<Process> StartPrometheus(const std::string& name,
                                           const std::string& config,
                                           int port) {
    return std::make_unique<Process>(
        std::vector<std::string>{
            kPrometheus, "--config.file=" + config,
            "--storage.tsdb.path=" + root_ + "/" + name + "-data",
            "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        root_ + "/" + name + ".log");
  }

  // Waits until Strata holds exactly what Prometheus holds in [mint, maxt]
  // (remote write lags by a batch); returns the difference if it never
  // does within `timeout_ms`.
  std::string WaitForSameSamples(int64_t mint, int64_t maxt, int timeout_ms,
                                 SeriesSamples* samples) {
    return e2e::WaitForSameSamples(prom_port_, strata_port_, mint, maxt,
                                   timeout_ms, samples);
  }

  std::string MetricLine(int port, const std::string& prefix) {
    const std::string text = Http(port, "GET", "/metrics").body;
    const size_t at = text.find("\n" + prefix);
    if (at == std::string::npos) return "";
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  }

  strata::testing::TempDir tmp_{"strata-e2e"};
  const std::string root_ = tmp_.path();
  int strata_port_ = 0;
  int node_port_ = 0;
  int prom_port_ = 0;
  int64_t start_ms_ = 0;
  std::unique_ptr<Process> strata_;
  std::unique_ptr<Process> node_;
  std::unique_ptr<Process> prom_;
  std::unique_ptr<Process> prom2_;
};

TEST_F(RemoteStorageTest, StrataHoldsExactlyPrometheusSamples) {
  SleepMs(5000);
  // Metadata comes along (metadata_config.send_interval is 1s); checked
  // while node_exporter is still a target.
  const std::string want_meta =
      Http(prom_port_, "GET", "/api/v1/metadata?metric=node_load1").body;
  EXPECT_NE(want_meta.find("\"node_load1\":[{\"type\":\"gauge\""),
            std::string::npos)
      << want_meta;
  std::string got_meta;
  for (int i = 0; i < 50 && got_meta != want_meta; ++i) {
    got_meta =
        Http(strata_port_, "GET", "/api/v1/metadata?metric=node_load1").body;
    if (got_meta != want_meta) SleepMs(100);
  }
  EXPECT_EQ(got_meta, want_meta);
  // node_exporter goes away: Prometheus writes stale markers for its
  // series, which must arrive too.
  node_->Signal(SIGKILL);
  node_->Wait(5000);
  SleepMs(2500);
  const int64_t mint = start_ms_;
  const int64_t maxt = NowMillis() - 1000;
  SeriesSamples samples;
  const std::string diff = WaitForSameSamples(mint, maxt, 20000, &samples);
  ASSERT_EQ(diff, "") << strata_->log();
  EXPECT_GT(maxt - mint, 5000);
  EXPECT_GT(samples.size(), 300u);
  EXPECT_GT(CountSamples(samples), 1500);
  EXPECT_GT(CountStaleMarkers(samples), 10);
  std::cout << "compared " << samples.size() << " series, "
            << CountSamples(samples) << " samples, "
            << CountStaleMarkers(samples) << " stale markers over "
            << (maxt - mint) << " ms\n";

  // The streamed answer (chunks over chunked HTTP) holds the same.
  StatusOr<SeriesSamples> streamed =
      RemoteReadStreamedAll(strata_port_, mint, maxt);
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  EXPECT_EQ(DescribeDifference(samples, *streamed), "");

  EXPECT_EQ(MetricLine(strata_port_,
                       "strata_remote_write_samples_rejected_total{reason="
                       "\"out_of_order\"}"),
            "strata_remote_write_samples_rejected_total{reason="
            "\"out_of_order\"} 0");
}

TEST_F(RemoteStorageTest, SecondPrometheusReadsBackTheSameAnswers) {
  SleepMs(5000);
  const int64_t eval_ms = NowMillis() - 1500;
  SeriesSamples synced;
  ASSERT_EQ(WaitForSameSamples(start_ms_, eval_ms, 20000, &synced), "");

  const int prom2_port = FreePort();
  WriteFile(root_ + "/prometheus2.yml",
            "global:\n  scrape_interval: 1m\n"
            "remote_read:\n  - url: http://127.0.0.1:" +
                std::to_string(strata_port_) +
                "/api/v1/read\n    read_recent: true\n");
  prom2_ = StartPrometheus("prom2", root_ + "/prometheus2.yml", prom2_port);
  ASSERT_TRUE(WaitForOk(prom2_port, "/-/ready", 30000)) << prom2_->log();

  char eval[32];
  std::snprintf(eval, sizeof(eval), "%.3f", eval_ms / 1000.0);
  char start[32];
  std::snprintf(start, sizeof(start), "%.3f", (eval_ms - 4000) / 1000.0);
  const std::vector<std::string> instant = {
      "up",
      "node_load1",
      "scrape_duration_seconds",
      "rate(node_cpu_seconds_total[3s])",
      "sum by (mode) (rate(node_cpu_seconds_total[3s]))",
      "count by (job) ({__name__=~\".+\"})",
      "max_over_time(process_resident_memory_bytes[4s])",
      "prometheus_tsdb_head_series offset 2s",
      "topk(3, scrape_samples_scraped)",
  };
  int compared = 0;
  for (const std::string& q : instant) {
    const std::string target =
        "/api/v1/query?query=" + GoQueryEscape(q) + "&time=" + eval;
    http_client::Response want = Http(prom_port_, "GET", target);
    http_client::Response got = Http(prom2_port, "GET", target);
    ASSERT_EQ(want.status, 200) << q << want.body;
    EXPECT_EQ(got.status, 200) << q << got.body;
    EXPECT_NE(want.body.find("\"result\":[{"), std::string::npos)
        << q << ": empty answer " << want.body;
    EXPECT_EQ(got.body, want.body) << q;
    ++compared;
  }
  const std::string range_target =
      "/api/v1/query_range?query=" +
      GoQueryEscape("rate(prometheus_http_requests_total[2s])") +
      "&start=" + start + "&end=" + eval + "&step=1";
  http_client::Response want = Http(prom_port_, "GET", range_target);
  http_client::Response got = Http(prom2_port, "GET", range_target);
  ASSERT_EQ(want.status, 200) << want.body;
  EXPECT_EQ(got.body, want.body);
  ++compared;
  EXPECT_EQ(compared, 10);
  EXPECT_NE(MetricLine(strata_port_,
                       "strata_remote_read_requests_total{response_type="
                       "\"samples\"}"),
            "strata_remote_read_requests_total{response_type=\"samples\"} 0");
}

TEST_F(RemoteStorageTest, RestartMidStreamLosesNothing) {
  SleepMs(3000);
  strata_->Signal(SIGKILL);  // A crash, mid-stream.
  EXPECT_EQ(strata_->Wait(5000), 128 + SIGKILL);
  SleepMs(3000);  // Prometheus keeps scraping and retrying.
  StartStrata();
  ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 20000)) << strata_->log();
  SleepMs(3000);
  const int64_t mint = start_ms_;
  const int64_t maxt = NowMillis() - 1000;
  SeriesSamples samples;
  const std::string diff = WaitForSameSamples(mint, maxt, 30000, &samples);
  ASSERT_EQ(diff, "") << strata_->log();
  EXPECT_GT(maxt - mint, 7000);
  EXPECT_GT(CountSamples(samples), 2000);
  // Prometheus did have to retry.
  EXPECT_GT(MetricValue(prom_port_,
                        "prometheus_remote_storage_samples_retried_total{"),
            0)
      << MetricLine(prom_port_,
                    "prometheus_remote_storage_samples_retried_total{");
  std::cout << "after restart: " << samples.size() << " series, "
            << CountSamples(samples) << " samples identical\n";

  // Metric metadata survives a restart without Prometheus re-sending it.
  prom_.reset();
  SleepMs(300);
  const std::string before = Http(strata_port_, "GET",
                                  "/api/v1/metadata?metric=process_cpu_"
                                  "seconds_total")
                                 .body;
  EXPECT_NE(before.find("\"process_cpu_seconds_total\":[{\"type\":\"counter\""),
            std::string::npos)
      << before;
  strata_->Signal(SIGTERM);
  EXPECT_EQ(strata_->Wait(20000), 0) << strata_->log();
  StartStrata();
  ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 20000)) << strata_->log();
  const std::string after = Http(strata_port_, "GET",
                                 "/api/v1/metadata?metric=process_cpu_"
                                 "seconds_total")
                                .body;
  EXPECT_EQ(after, before);

  // Reload by HTTP and by SIGHUP.
  EXPECT_EQ(Http(strata_port_, "POST", "/-/reload").status, 200);
  strata_->Signal(SIGHUP);
  SleepMs(300);
  EXPECT_TRUE(strata_->running());
  EXPECT_EQ(Http(strata_port_, "GET", "/-/healthy").status, 200);
}

// ---- Bad input, against the strata-server binary alone ----

std::string Snappy(const std::string& raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

const http_client::Headers kWriteHeaders = {
    {"Content-Type", "application/x-protobuf"},
    {"Content-Encoding", "snappy"},
    {"X-Prometheus-Remote-Write-Version", "0.1.0"}};

prometheus::TimeSeries* Series(
    prometheus::WriteRequest* req,
    const std::vector<std::pair<std::string, std::string>>& labels, int64_t t,
    double v) {
  prometheus::TimeSeries* ts = req->add_timeseries();
  for (const auto& [n, val] : labels) {
    auto* l = ts->add_labels();
    l->set_name(n);
    l->set_value(val);
  }
  auto* s = ts->add_samples();
  s->set_timestamp(t);
  s->set_value(v);
  return ts;
}

TEST(StrataServerBadInputTest, RightStatusCodesAndKeepsServing) {
  ASSERT_TRUE(std::filesystem::exists(StrataServerPath()));
  strata::testing::TempDir tmp("strata-e2e-bad");
  ASSERT_TRUE(tmp.ok());
  const std::string& root = tmp.path();
  const int port = FreePort();
  Process strata({StrataServerPath(), "--storage.tsdb.path=" + root + "/data",
                  "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                 root + "/strata.log");
  ASSERT_TRUE(WaitForOk(port, "/-/ready", 20000)) << strata.log();
  const auto write = [&](const std::string& body,
                         const http_client::Headers& headers = kWriteHeaders) {
    return Http(port, "POST", "/api/v1/write", body, headers);
  };
  const int64_t now = NowMillis();

  prometheus::WriteRequest good;
  Series(&good, {{"__name__", "good"}, {"job", "e2e"}}, now - 1000, 1);
  const std::string good_body = Snappy(good.SerializeAsString());

  // Garbage and wrong content types or encodings.
  EXPECT_EQ(write("this is not snappy").status, 400);
  EXPECT_EQ(write(Snappy("not a protobuf \xff\xff")).status, 400);
  EXPECT_EQ(write(good_body, {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(write(good_body, {{"Content-Type", "application/json"}}).status,
            415);
  EXPECT_EQ(
      write(good_body, {{"Content-Type", "application/x-protobuf;proto=nope"}})
          .status,
      415);
  EXPECT_EQ(write(good_body, {{"Content-Type", "application/x-protobuf"},
                              {"Content-Encoding", "gzip"}})
                .status,
            415);
  // Truncated snappy and absurd declared lengths.
  EXPECT_EQ(write(good_body.substr(0, good_body.size() / 2)).status, 400);
  EXPECT_EQ(write(std::string("\xff\xff\xff\xff\x0f", 5) + "abc").status, 400);
  EXPECT_EQ(write(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9) + "x")
                .status,
            400);
  // Empty, unsorted and duplicate label names; the valid series of the
  // same request is stored.
  prometheus::WriteRequest labels;
  Series(&labels, {{"", "v"}, {"__name__", "empty"}}, now - 1000, 1);
  Series(&labels, {{"__name__", "unsorted"}, {"z", "1"}, {"a", "1"}},
         now - 1000, 1);
  Series(&labels, {{"__name__", "dup"}, {"a", "1"}, {"a", "2"}}, now - 1000, 1);
  Series(&labels, {{"__name__", "valid"}}, now - 1000, 42);
  http_client::Response r = write(Snappy(labels.SerializeAsString()));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Header("X-Prometheus-Remote-Write-Samples-Written"), "1");
  EXPECT_NE(r.body.find("invalid_labels: 3"), std::string::npos) << r.body;
  // Far-future and negative timestamps.
  prometheus::WriteRequest times;
  Series(&times, {{"__name__", "future"}}, now + 24 * 3600 * 1000, 1);
  Series(&times, {{"__name__", "negative"}}, -5000, 1);
  r = write(Snappy(times.SerializeAsString()));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("too_far_in_future: 1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("out_of_bounds: 1"), std::string::npos) << r.body;
  // Wrong method.
  EXPECT_EQ(Http(port, "GET", "/api/v1/write").status, 405);

  // Still serving, and storing.
  EXPECT_EQ(Http(port, "GET", "/-/healthy").status, 200);
  r = write(good_body);
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.Header("X-Prometheus-Remote-Write-Samples-Written"), "1");
  StatusOr<SeriesSamples> stored = RemoteReadAll(port, 0, now + 1000);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->size(), 2u);
  EXPECT_EQ(stored->count("good{job=\"e2e\"}"), 1u);
  EXPECT_EQ(stored->count("valid{}"), 1u);
  // The rejections show in /metrics, which promtool accepts.
  const std::string metrics = Http(port, "GET", "/metrics").body;
  for (const char* line :
       {"strata_remote_write_samples_rejected_total{reason=\"invalid_labels\"} "
        "3",
        "strata_remote_write_samples_rejected_total{reason=\"too_far_in_"
        "future\"} 1",
        "strata_remote_write_samples_rejected_total{reason=\"out_of_bounds\"} "
        "1",
        "strata_remote_write_samples_written_total 2",
        "strata_remote_write_requests_refused_total{reason=\"malformed\"} 4",
        "strata_remote_write_requests_refused_total{reason=\"too_large\"} 1",
        "strata_remote_write_requests_refused_total{reason=\"unsupported_"
        "media_type\"} 4",
        "strata_head_series 2"}) {
    EXPECT_NE(metrics.find(std::string("\n") + line + "\n"), std::string::npos)
        << line;
  }
  std::string promtool;
  EXPECT_EQ(server::testing::RunWithInput("promtool check metrics", metrics,
                                          &promtool),
            0)
      << promtool;
  EXPECT_TRUE(strata.running());
  strata.Signal(SIGTERM);
  EXPECT_EQ(strata.Wait(20000), 0) << strata.log();
}

}  // namespace
}  // namespace strata::e2e
