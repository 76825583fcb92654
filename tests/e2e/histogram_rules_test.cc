// Rules over native histograms against the real Prometheus 2.42 with
// --enable-feature=native-histograms: the same rule file (a recording
// rule `sum(rate(nh[5m]))`, one keeping each series' rate, one taking a
// float of a histogram, an alerting rule over a histogram expression) in
// both, the same native histograms remote-written to both. The recorded
// series, queried back with the same query at the same time, must answer
// the same JSON (numbers within 1e-9 relative: the servers evaluate at
// their own wall-clock instants, so rate's extrapolation differs in the
// last bits), and the alert must be the same, value 0 included (2.42's
// Sample.V of a histogram).
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "chunk/histogram_remote_write.h"
#include "differential.h"
#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "prometheus/remote.pb.h"
#include "prometheus_process.h"
#include "temp_dir.h"
#include "test_env.h"
#include "url_encode.h"

namespace strata::e2e {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr int64_t kMinute = 60 * 1000;
constexpr char kFeature[] = "--enable-feature=native-histograms";

constexpr char kRules[] = R"(groups:
- name: nh
  rules:
  - record: nh:rate_sum
    expr: sum(rate(nh[5m]))
  - record: nh:rate
    expr: rate(nh[5m])
  - record: nh:count_rate
    expr: histogram_count(rate(nh[5m]))
  - alert: NhRate
    expr: sum by (job) (rate(nh[5m]))
    labels: {severity: page}
    annotations: {summary: "value {{ $value }}"}
)";

// Schema 0, `k` observations in the zero bucket and 1, 2, 3 times k in
// three positive buckets (a counter when k grows).
Histogram Counter(int64_t k) {
  Histogram h;
  h.schema = 0;
  h.zero_threshold = 0.001;
  h.zero_count = static_cast<uint64_t>(k);
  h.positive_spans = {{0, 2}, {1, 1}};
  h.positive_buckets = {k, k, k};  // Deltas: k, 2k, 3k.
  h.count = static_cast<uint64_t>(7 * k);
  h.sum = 1.25 * static_cast<double>(k);
  return h;
}

// Whether `a` and `b` are the same JSON, numbers (as numbers or as the
// API's number strings) within 1e-9 relative.
bool SameWithin(const Json& a, const Json& b) {
  if (a.is_string() && b.is_string()) {
    const std::string& x = a.get_ref<const std::string&>();
    const std::string& y = b.get_ref<const std::string&>();
    if (x == y) return true;
    char *end_x, *end_y;
    const double dx = std::strtod(x.c_str(), &end_x);
    const double dy = std::strtod(y.c_str(), &end_y);
    if (*end_x != '\0' || *end_y != '\0' || x.empty() || y.empty()) {
      return false;
    }
    return std::fabs(dx - dy) <= 1e-9 * std::max(std::fabs(dx), std::fabs(dy));
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameWithin(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key()) || !SameWithin(it.value(), b[it.key()])) {
        return false;
      }
    }
    return true;
  }
  return a == b;
}

class HistogramRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!strata::testing::HavePrometheus()) {
      STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
    }
    const std::string rules = Path("rules.yml");
    WriteFile(rules, kRules);
    const std::string config =
        "global:\n  evaluation_interval: 1s\nrule_files: ['" + rules + "']\n";
    WriteFile(Path("config.yml"), config);
    prom_ = std::make_unique<strata::testing::PrometheusProcess>(
        Path("prometheus"), config, tmp_.path(),
        std::vector<std::string>{"--web.enable-remote-write-receiver",
                                 kFeature});
    strata_port_ = FreePort();
    strata_ =
        StartStrataServer(Path("strata"), strata_port_, Path("strata.log"),
                          {"--config.file=" + Path("config.yml"), kFeature});
    ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 60000)) << strata_->log();
    ASSERT_TRUE(prom_->WaitReady()) << ReadFileOrEmpty(Path("prometheus.log"));
  }

  std::string Path(const std::string& name) const {
    return (fs::path(tmp_.path()) / name).string();
  }

  // nh{job="a"} and nh{job="b"} (growing 1 and 2 per second) every second
  // from 10 minutes ago to 3 minutes ahead, in one request: every
  // evaluation from now on sees 5-minute windows full of samples, so the
  // rates do not depend on the instant (up to rounding).
  void WriteHistograms() {
    const int64_t now = NowMillis() / 1000 * 1000;
    prometheus::WriteRequest req;
    for (const auto& [job, per_second] :
         {std::pair<const char*, int64_t>{"a", 1}, {"b", 2}}) {
      prometheus::TimeSeries* ts = req.add_timeseries();
      for (const auto& [n, v] :
           {std::pair<const char*, const char*>{"__name__", "nh"},
            {"job", job}}) {
        prometheus::Label* l = ts->add_labels();
        l->set_name(n);
        l->set_value(v);
      }
      int64_t k = 0;
      for (int64_t t = now - 10 * kMinute; t <= now + 3 * kMinute;
           t += 1000, k += per_second) {
        chunk::testing::AddIntHistogram(ts, t, Counter(k));
      }
    }
    ExpectSameWriteStatus(prom_->port(), strata_port_, req.SerializeAsString(),
                          204);
  }

  Json Query(int port, const std::string& query, int64_t t_ms) {
    const std::string target = strata::testing::ApiTarget(
        "/api/v1/query",
        {{"query", query}, {"time", strata::testing::MillisAsSeconds(t_ms)}});
    const http_client::Response r = Http(port, "GET", target);
    return Json::parse(r.body, nullptr, false);
  }

  // Waits (bounded) until both have evaluated the rules over the
  // histograms: `nh:rate_sum` has a value at the current time.
  bool WaitForRecorded() {
    for (int i = 0; i < 300; ++i) {
      const int64_t now = NowMillis();
      const Json p = Query(prom_->port(), "nh:rate_sum", now);
      const Json s = Query(strata_port_, "nh:rate_sum", now);
      if (p.contains("data") && s.contains("data") &&
          !p["data"]["result"].empty() && !s["data"]["result"].empty()) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // The NhRate alerts of /api/v1/alerts without their activeAt.
  Json Alerts(int port) {
    const Json body =
        Json::parse(Http(port, "GET", "/api/v1/alerts").body, nullptr, false);
    Json out = Json::array();
    if (!body.contains("data")) return out;
    for (Json alert : body["data"]["alerts"]) {
      if (alert["labels"].value("alertname", "") != "NhRate") continue;
      alert.erase("activeAt");
      out.push_back(alert);
    }
    return out;
  }

  strata::testing::TempDir tmp_{"strata-histogram-rules"};
  std::unique_ptr<strata::testing::PrometheusProcess> prom_;
  int strata_port_ = 0;
  std::unique_ptr<Process> strata_;
};

TEST_F(HistogramRulesTest, RecordedHistogramsAndAlertsAsPrometheus) {
  WriteHistograms();
  ASSERT_TRUE(WaitForRecorded())
      << ReadFileOrEmpty(Path("prometheus.log")) << "\n"
      << strata_->log();
  const int64_t now = NowMillis();
  for (const std::string query :
       {"nh:rate_sum", "nh:rate", "nh:count_rate", "histogram_count(nh:rate)",
        "histogram_sum(nh:rate_sum)", "histogram_quantile(0.5, nh:rate_sum)",
        "histogram_fraction(0, 1.5, nh:rate)", "nh:rate_sum * 2"}) {
    SCOPED_TRACE(query);
    const Json p = Query(prom_->port(), query, now);
    const Json s = Query(strata_port_, query, now);
    ASSERT_TRUE(p.contains("data")) << p.dump();
    EXPECT_FALSE(p["data"]["result"].empty()) << p.dump();
    EXPECT_TRUE(SameWithin(s, p))
        << "prometheus: " << p.dump() << "\nstrata: " << s.dump();
  }
  // The rate of each series: 1 and 2 observations a second in the zero
  // bucket.
  const Json rate = Query(strata_port_, "nh:rate", now);
  ASSERT_EQ(rate["data"]["result"].size(), 2u) << rate.dump();

  const Json p_alerts = Alerts(prom_->port());
  const Json s_alerts = Alerts(strata_port_);
  ASSERT_EQ(p_alerts.size(), 2u) << p_alerts.dump();
  EXPECT_EQ(p_alerts[0]["value"], "0e+00") << p_alerts.dump();
  // Order of /api/v1/alerts is by rule then Go map order: compare as sets.
  for (const Json& want : p_alerts) {
    bool found = false;
    for (const Json& got : s_alerts) found = found || got == want;
    EXPECT_TRUE(found) << "prometheus: " << p_alerts.dump()
                       << "\nstrata: " << s_alerts.dump();
  }
  EXPECT_EQ(s_alerts.size(), p_alerts.size()) << s_alerts.dump();
}

}  // namespace
}  // namespace strata::e2e
