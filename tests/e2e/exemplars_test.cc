// Exemplars against the real Prometheus 2.42 with
// --enable-feature=exemplar-storage: the same remote write 1.0 requests
// (samples with exemplars: duplicates, out of order ones, labels too
// long, empty label values, unknown series, no timestamp) go to both, then
// the same /api/v1/query_exemplars requests must answer the same bodies
// (Prometheus sorts series by labels and keeps each series' exemplars in
// time order, so no normalisation is needed), status codes and errors
// included; with a small storage.exemplars.max_exemplars the ring's
// eviction and a reload's resize must agree too, and so must the
// exemplar metrics. Last, kill -9 of strata-server keeps every
// acknowledged exemplar.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "prometheus/remote.pb.h"
#include "temp_dir.h"
#include "test_env.h"
#include "url_encode.h"

namespace strata::e2e {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

constexpr char kPrometheus[] = "/usr/bin/prometheus";

struct Ex {
  int64_t t;
  double v;
  LabelPairs labels;
};

// A series with samples and exemplars, labels in the given order.
void AddSeries(prometheus::WriteRequest* req, const LabelPairs& labels,
               const std::vector<std::pair<int64_t, double>>& samples,
               const std::vector<Ex>& exemplars) {
  prometheus::TimeSeries* ts = req->add_timeseries();
  for (const auto& [n, v] : labels) {
    prometheus::Label* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  for (const auto& [t, v] : samples) {
    prometheus::Sample* s = ts->add_samples();
    s->set_timestamp(t);
    s->set_value(v);
  }
  for (const Ex& e : exemplars) {
    prometheus::Exemplar* pe = ts->add_exemplars();
    pe->set_timestamp(e.t);
    pe->set_value(e.v);
    for (const auto& [n, v] : e.labels) {
      prometheus::Label* l = pe->add_labels();
      l->set_name(n);
      l->set_value(v);
    }
  }
}

std::string Seconds(int64_t ms) { return strata::testing::MillisAsSeconds(ms); }

// "/api/v1/query_exemplars?..." with the values URL-encoded.
std::string ExemplarsTarget(const LabelPairs& params) {
  return strata::testing::ApiTarget("/api/v1/query_exemplars", params);
}

class ExemplarsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPrometheus)) STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
    base_ = (NowMillis() - 10 * 60 * 1000) / 1000 * 1000 + 123;
  }

  // Starts Prometheus and strata-server, both with `config_yaml`.
  void StartBoth(const std::string& config_yaml) {
    WriteFile(Path("config.yml"), config_yaml);
    prom_port_ = FreePort();
    prom_ = std::make_unique<Process>(
        std::vector<std::string>{
            kPrometheus, "--config.file=" + Path("config.yml"),
            "--storage.tsdb.path=" + Path("prometheus"),
            "--web.listen-address=127.0.0.1:" + std::to_string(prom_port_),
            "--enable-feature=exemplar-storage",
            "--web.enable-remote-write-receiver", "--web.enable-lifecycle"},
        Path("prometheus.log"));
    StartStrata();
    ASSERT_TRUE(WaitForOk(prom_port_, "/-/ready", 60000)) << prom_->log();
  }

  void StartStrata() {
    strata_port_ = FreePort();
    strata_ = std::make_unique<Process>(
        std::vector<std::string>{
            StrataServerPath(), "--config.file=" + Path("config.yml"),
            "--storage.tsdb.path=" + Path("strata"),
            "--web.listen-address=127.0.0.1:" + std::to_string(strata_port_),
            "--web.enable-lifecycle"},
        Path("strata.log"));
    ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 60000)) << strata_->log();
  }

  std::string Path(const std::string& name) const {
    return (fs::path(tmp_.path()) / name).string();
  }

  void WriteBoth(const prometheus::WriteRequest& req) {
    const std::string raw = req.SerializeAsString();
    if (prom_) {
      http_client::Response p = RemoteWriteV1(prom_port_, raw);
      EXPECT_EQ(p.status, 204) << p.body;
    }
    http_client::Response s = RemoteWriteV1(strata_port_, raw);
    EXPECT_EQ(s.status, 204) << s.body;
  }

  // Sends the request to both; their answers must be the same. Returns
  // Prometheus's (null for a 204 or a failure).
  Json ExpectSame(const LabelPairs& params, bool post = false) {
    const std::string target = ExemplarsTarget(params);
    const auto ask = [&](int port) {
      if (!post) return Http(port, "GET", target);
      const std::string form = target.substr(target.find('?') + 1);
      return Http(port, "POST", "/api/v1/query_exemplars", form,
                  {{"Content-Type", "application/x-www-form-urlencoded"}});
    };
    const http_client::Response p = ask(prom_port_);
    const http_client::Response s = ask(strata_port_);
    SCOPED_TRACE(target + (post ? " (POST)" : ""));
    EXPECT_EQ(s.status, p.status)
        << "prometheus: " << p.body << "\nstrata: " << s.body;
    if (p.status == 204 || s.status != p.status) return nullptr;
    const Json pj = Json::parse(p.body, nullptr, false);
    const Json sj = Json::parse(s.body, nullptr, false);
    EXPECT_EQ(sj, pj) << "prometheus: " << p.body << "\nstrata: " << s.body;
    return pj;
  }

  // The exemplar metrics of both must agree.
  void ExpectSameMetrics() {
    EXPECT_GE(MetricValue(strata_port_, "strata_exemplar_max_exemplars "), 0);
    for (const char* name :
         {"exemplar_exemplars_in_storage ",
          "exemplar_series_with_exemplars_in_storage ",
          "exemplar_exemplars_appended_total ",
          "exemplar_out_of_order_exemplars_total ", "exemplar_max_exemplars ",
          "exemplar_last_exemplars_timestamp_seconds "}) {
      EXPECT_EQ(MetricValue(strata_port_, std::string("strata_") + name),
                MetricValue(prom_port_, std::string("prometheus_tsdb_") + name))
          << name;
    }
  }

  // Reloads both with `config_yaml`.
  void ReloadBoth(const std::string& config_yaml) {
    WriteFile(Path("config.yml"), config_yaml);
    EXPECT_EQ(Http(prom_port_, "POST", "/-/reload").status, 200);
    EXPECT_EQ(Http(strata_port_, "POST", "/-/reload").status, 200);
  }

  // Three series with exemplars of every kind, then a second request.
  void WriteMixedStream() {
    const int64_t b = base_;
    const std::string too_long(200, 'x');
    prometheus::WriteRequest first;
    AddSeries(&first,
              {{"__name__", "http_requests_total"},
               {"instance", "a"},
               {"job", "api"}},
              {{b, 1}, {b + 15000, 2}, {b + 30000, 3}},
              {{b, 1, {{"trace_id", "t1"}}},
               {b + 15000, 2, {{"span_id", "s2"}, {"trace_id", "t2"}}},
               {b + 30000, 3, {{"trace_id", "t3"}}}});
    AddSeries(&first,
              {{"__name__", "http_requests_total"},
               {"instance", "b"},
               {"job", "api"}},
              {{b, 5}, {b + 15000, 6}},
              {{b + 1, 0.5, {{"trace_id", "u1"}}},
               {b + 1, 0.5, {{"trace_id", "u1"}}},     // Duplicate.
               {b - 1000, 7, {{"trace_id", "u0"}}}});  // Out of order.
    AddSeries(
        &first,
        {{"__name__", "latency_seconds_bucket"}, {"job", "web"}, {"le", "0.1"}},
        {{b, 1}},
        {{b + 2, 1e-7, {{"foo", ""}, {"trace_id", "v1"}}},
         {b + 3, 1e21, {{"trace_id", too_long}}},  // Too long.
         {b + 4, 0.25, {{"trace_id", "<&>\"é"}}}});
    AddSeries(&first, {{"__name__", "ghost"}}, {},
              {{b, 1, {{"trace_id", "g"}}}});  // No such series.
    WriteBoth(first);
    prometheus::WriteRequest second;
    AddSeries(&second,
              {{"__name__", "http_requests_total"},
               {"instance", "a"},
               {"job", "api"}},
              {},  // Exemplars alone, for a stored series.
              {{b + 45000, 4, {{"trace_id", "t4"}}},
               {b + 20000, 9, {{"trace_id", "late"}}}});
    AddSeries(&second, {{"__name__", "zero_ts_total"}}, {{b, 1}},
              {{0, 42, {{"trace_id", "z"}}}});  // No timestamp.
    WriteBoth(second);
  }

  strata::testing::TempDir tmp_{"strata-exemplars-e2e"};
  int64_t base_ = 0;
  int prom_port_ = 0;
  int strata_port_ = 0;
  std::unique_ptr<Process> prom_;
  std::unique_ptr<Process> strata_;
};

TEST_F(ExemplarsTest, QueryExemplarsMatchesPrometheus) {
  ASSERT_NO_FATAL_FAILURE(StartBoth("global:\n  scrape_interval: 15s\n"));
  WriteMixedStream();
  const int64_t b = base_;
  ExpectSame({{"query", "http_requests_total"}});
  ExpectSame({{"query", "http_requests_total"}}, /*post=*/true);
  ExpectSame({{"query", "http_requests_total{instance=\"a\"}"},
              {"start", Seconds(b + 10000)},
              {"end", Seconds(b + 40000)}});
  ExpectSame(
      {{"query", "rate(http_requests_total[5m]) or latency_seconds_bucket"},
       {"start", Seconds(b)},
       {"end", Seconds(b + 2)}});
  ExpectSame({{"query", "sum(latency_seconds_bucket) + zero_ts_total"}});
  ExpectSame({{"query", "zero_ts_total"}, {"start", Seconds(b)}});
  ExpectSame({{"query", "{job=~\"api|web\"}"}, {"end", Seconds(b + 3)}},
             /*post=*/true);
  // Not a vacuous agreement: what Prometheus stored, per series.
  const Json all = ExpectSame({{"query", "{__name__=~\".+\"}"}});
  ASSERT_EQ(all["data"].size(), 4u) << all.dump();
  EXPECT_EQ(all["data"][0]["exemplars"].size(), 4u) << all.dump();
  EXPECT_EQ(all["data"][1]["exemplars"].size(), 1u) << all.dump();
  EXPECT_EQ(all["data"][2]["exemplars"].size(), 2u) << all.dump();
  ExpectSame({{"query", "nothing_here"}});
  ExpectSame({{"query", "ghost"}});
  ExpectSame({{"query", "http_requests_total"},
              {"start", Seconds(b + 50000)},
              {"end", Seconds(b + 60000)}});
  // No selector: 204. Errors: status, type and text.
  ExpectSame({{"query", "1 + 1"}});
  ExpectSame({{"query", "http_requests_total("}});
  ExpectSame({{"query", "up"}, {"start", "10"}, {"end", "5"}});
  ExpectSame({{"query", "up"}, {"start", "abc"}});
  ExpectSame({{"query", "up"}, {"end", "2023-01-01T00:00:00Z"}});
  ExpectSameMetrics();
}

TEST_F(ExemplarsTest, SmallRingEvictsAndResizesAsPrometheus) {
  ASSERT_NO_FATAL_FAILURE(
      StartBoth("storage:\n  exemplars:\n    max_exemplars: 5\n"));
  const int64_t b = base_;
  Json ring;
  for (int round = 0; round < 3; ++round) {
    prometheus::WriteRequest req;
    for (int s = 0; s < 3; ++s) {
      std::vector<Ex> exemplars;
      for (int i = 0; i <= s; ++i) {
        const int64_t t = b + round * 10000 + i * 1000 + s;
        exemplars.push_back(
            {t,
             static_cast<double>(t % 97),
             {{"trace_id", std::to_string(round) + "-" + std::to_string(i)}}});
      }
      AddSeries(&req, {{"__name__", "ring_" + std::to_string(s)}},
                {{b + round * 10000 + s, 1.0 * round}}, exemplars);
    }
    WriteBoth(req);
    ring = ExpectSame({{"query", "{__name__=~\"ring_.*\"}"}});
    ExpectSame({{"query", "ring_2"}, {"start", Seconds(b + 10000)}});
  }
  // Six exemplars a round into five slots: evicted across series.
  size_t stored = 0;
  for (const Json& series : ring["data"]) stored += series["exemplars"].size();
  EXPECT_EQ(stored, 5u) << ring.dump();
  ExpectSameMetrics();
  ReloadBoth("storage:\n  exemplars:\n    max_exemplars: 3\n");
  ExpectSame({{"query", "{__name__=~\"ring_.*\"}"}});
  ExpectSameMetrics();
  ReloadBoth("storage:\n  exemplars:\n    max_exemplars: 8\n");
  prometheus::WriteRequest more;
  AddSeries(&more, {{"__name__", "ring_0"}}, {{b + 40000, 1}},
            {{b + 40000, 1, {{"trace_id", "late"}}}});
  WriteBoth(more);
  ExpectSame({{"query", "{__name__=~\"ring_.*\"}"}});
  ExpectSameMetrics();
  ReloadBoth("storage:\n  exemplars:\n    max_exemplars: 0\n");
  ExpectSame({{"query", "{__name__=~\"ring_.*\"}"}});
  WriteBoth(more);  // Storage off: accepted, nothing stored.
  ExpectSame({{"query", "{__name__=~\"ring_.*\"}"}});
}

// kill -9 right after the writes were acknowledged: the exemplars come
// back from the WAL.
TEST_F(ExemplarsTest, KillNineKeepsAcknowledgedExemplars) {
  WriteFile(Path("config.yml"), "global:\n  scrape_interval: 15s\n");
  ASSERT_NO_FATAL_FAILURE(StartStrata());
  WriteMixedStream();
  const std::string target = ExemplarsTarget({{"query", "{__name__=~\".+\"}"}});
  const http_client::Response before = Http(strata_port_, "GET", target);
  ASSERT_EQ(before.status, 200);
  const Json want = Json::parse(before.body, nullptr, false);
  ASSERT_EQ(want["data"].size(), 4u) << before.body;
  strata_->Signal(SIGKILL);
  ASSERT_EQ(strata_->Wait(10000), 128 + SIGKILL);
  ASSERT_NO_FATAL_FAILURE(StartStrata());
  const http_client::Response after = Http(strata_port_, "GET", target);
  ASSERT_EQ(after.status, 200);
  // Replayed exemplars lose only their has-timestamp flag, which the API
  // does not show.
  EXPECT_EQ(Json::parse(after.body, nullptr, false), want) << after.body;
}

}  // namespace
}  // namespace strata::e2e
