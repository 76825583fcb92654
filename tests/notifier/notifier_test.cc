// notifier::Manager against a real Alertmanager 0.25: alerts appear in its
// API with their labels, annotations and generatorURL, resolve when endsAt
// passes, are relabelled and dropped as alert_relabel_configs say, and the
// queue bounds and counters behave as Prometheus 2.42's notifier.
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "e2e_util.h"
#include "free_port.h"
#include "gtest/gtest.h"
#include "http_client/http_client.h"
#include "nlohmann/json.hpp"
#include "notifier/alert.h"
#include "notifier/manager.h"
#include "temp_dir.h"
#include "test_env.h"
#include "util/strings.h"
#include "util/time_format.h"
#include "wait_for.h"

namespace strata::notifier {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

// ---- Wire format ----

TEST(NotifierAlertTest, Rfc3339MillisInUtc) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(1672531200123), "2023-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
}

TEST(NotifierAlertTest, PostableAlertsAsPrometheusMarshalsThem) {
  // The body Prometheus 2.42 POSTed for this alert (captured from
  // /usr/bin/prometheus with external_labels {cluster: c1}).
  Alert full;
  full.labels = Labels::Of(
      {{"alertname", "Always"}, {"cluster", "c1"}, {"severity", "page"}});
  full.annotations = Labels::Of({{"summary", "a & b <x>"}});
  full.starts_at_ms = 1796543569632;
  full.ends_at_ms = 1796543579632;
  full.generator_url = "http://vm:39124/graph?g0.expr=vector%281%29&g0.tab=1";
  const std::string prometheus =
      R"([{"annotations":{"summary":"a \u0026 b \u003cx\u003e"},)"
      R"("endsAt":"2026-12-06T07:52:59.632Z",)"
      R"("startsAt":"2026-12-06T07:52:49.632Z",)"
      R"("generatorURL":"http://vm:39124/graph?g0.expr=vector%281%29\u0026g0.tab=1",)"
      R"("labels":{"alertname":"Always","cluster":"c1","severity":"page"}}])";
  EXPECT_EQ(EncodePostableAlerts({&full, 1}), prometheus);

  Alert bare;
  bare.labels = Labels::Of({{"alertname", "B"}, {"q", "x\"y"}});
  const std::vector<Alert> two = {bare, bare};
  EXPECT_EQ(EncodePostableAlerts(two),
            R"([{"labels":{"alertname":"B","q":"x\"y"}},)"
            R"({"labels":{"alertname":"B","q":"x\"y"}}])");
  EXPECT_EQ(EncodePostableAlerts({}), "[]");
}

// ---- Configuration ----

AlertmanagerConfig Am(std::vector<std::string> targets,
                      std::string path_prefix = "") {
  AlertmanagerConfig c;
  c.targets = std::move(targets);
  c.path_prefix = std::move(path_prefix);
  return c;
}

TEST(NotifierManagerTest, RejectsWhatItCannotSend) {
  Options options;
  options.alertmanagers.push_back(Am({"a:1"}));
  options.alertmanagers[0].api_version = "v1";
  auto v1 = Manager::Create(options);
  ASSERT_FALSE(v1.ok());
  EXPECT_EQ(v1.status().message(),
            "Alertmanager API version \"v1\" is not supported: only v2 is");
  options.alertmanagers[0].api_version = "v2";
  options.alertmanagers[0].scheme = "https";
  EXPECT_FALSE(Manager::Create(options).ok());
  options.alertmanagers = {Am({"a:1/x"})};
  EXPECT_EQ(Manager::Create(options).status().message(),
            "\"a:1/x\" is not a valid hostname");
  options.alertmanagers.clear();
  options.alert_relabel_configs.resize(1);
  options.alert_relabel_configs[0].action = relabel::Action::kHashMod;
  EXPECT_EQ(Manager::Create(options).status().message(),
            "relabel configuration for hashmod requires non-zero modulus");
}

TEST(NotifierManagerTest, UrlsJoinPathPrefixAsGoPathJoin) {
  Options options;
  options.alertmanagers = {
      Am({"a:9093", "b", "a:9093"}),
      Am({"c:1"}, "am/"),
      Am({"d:2"}, "/x//y/../z"),
  };
  auto m = Manager::Create(options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(
      (*m)->ActiveAlertmanagers(),
      (std::vector<std::string>{
          "http://a:9093/api/v2/alerts", "http://b/api/v2/alerts",
          "http://c:1/am/api/v2/alerts", "http://d:2/x/z/api/v2/alerts"}));
  const Stats stats = (*m)->GetStats();
  EXPECT_EQ(stats.alertmanagers_discovered, 4u);
  ASSERT_EQ(stats.alertmanagers.size(), 4u);  // counters created at 0
  EXPECT_EQ(stats.alertmanagers[0].sent_total, 0u);
  EXPECT_TRUE(std::isnan(stats.alertmanagers[0].latency.quantiles[0].second));
  // A failed reload changes nothing.
  Options bad = options;
  bad.alertmanagers[0].api_version = "v3";
  EXPECT_FALSE((*m)->ApplyConfig(bad).ok());
  EXPECT_EQ((*m)->ActiveAlertmanagers().size(), 4u);
}

// ---- Queue ----

Alert NamedAlert(std::string name) {
  Alert a;
  a.labels = Labels::Of({{"alertname", name}});
  return a;
}

std::vector<Alert> NamedAlerts(int n, std::string_view prefix) {
  std::vector<Alert> out;
  for (int i = 0; i < n; ++i) out.push_back(NamedAlert(Cat(prefix, i)));
  return out;
}

TEST(NotifierManagerTest, WithoutAlertmanagersAlertsAreDropped) {
  auto m = Manager::Create(Options{});
  ASSERT_TRUE(m.ok());
  (*m)->Send(NamedAlerts(3, "a"));
  EXPECT_TRUE(testing::WaitFor(
      [&] { return (*m)->GetStats().dropped_total == 3; }, seconds(10)));
}

// A listening socket that never accepts: POSTs to it time out.
class BlackHole {
 public:
  BlackHole() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        listen(fd_, 16) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~BlackHole() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(NotifierManagerTest, FullQueueDropsTheOldestAndCountsThem) {
  BlackHole hole;
  ASSERT_NE(hole.port(), 0);
  Options options;
  options.queue_capacity = 3;
  options.alertmanagers = {Am({Cat("127.0.0.1:", hole.port())})};
  options.alertmanagers[0].timeout_ms = 1500;
  auto m = Manager::Create(options);
  ASSERT_TRUE(m.ok());
  // More than the capacity in one Send: the first ones go.
  (*m)->Send(NamedAlerts(5, "big"));
  Stats s = (*m)->GetStats();
  EXPECT_EQ(s.queue_capacity, 3u);
  EXPECT_GE(s.dropped_total, 2u);
  // Wait until the sender holds a batch (stuck on the black hole), then
  // fill the queue and overflow it.
  ASSERT_TRUE(testing::WaitFor(
      [&] { return (*m)->GetStats().queue_length == 0; }, seconds(10)));
  (*m)->Send(NamedAlerts(3, "fill"));
  (*m)->Send(NamedAlerts(2, "over"));
  s = (*m)->GetStats();
  EXPECT_LE(s.queue_length, 3u);
  EXPECT_GE(s.dropped_total, 4u);
  // Every batch fails: in the end all 10 alerts are dropped, once each.
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        const Stats t = (*m)->GetStats();
        return t.queue_length == 0 && t.dropped_total == 10;
      },
      seconds(20)))
      << (*m)->GetStats().dropped_total;
  s = (*m)->GetStats();
  ASSERT_EQ(s.alertmanagers.size(), 1u);
  EXPECT_GE(s.alertmanagers[0].errors_total, 2u);
  EXPECT_EQ(s.alertmanagers[0].sent_total, 6u);  // posted, though failed
  (*m)->Stop();
  (*m)->Send(NamedAlerts(1, "late"));  // ignored after Stop
  EXPECT_EQ((*m)->GetStats().queue_length, 0u);
}

// ---- Against Alertmanager 0.25 ----

class Alertmanager {
 public:
  explicit Alertmanager(const std::string& dir) {
    port_ = testing::FreeLoopbackPort();
    const std::string config = dir + "/alertmanager.yml";
    e2e::WriteFile(config,
                   "route:\n  receiver: blackhole\n  group_wait: 1h\n"
                   "receivers:\n  - name: blackhole\n");
    process_ = std::make_unique<e2e::Process>(
        std::vector<std::string>{
            kAlertmanager, "--config.file=" + config,
            "--storage.path=" + dir + "/data",
            Cat("--web.listen-address=127.0.0.1:", port_),
            "--cluster.listen-address=", "--log.level=warn"},
        dir + "/alertmanager.log");
  }
  bool WaitReady() {
    return testing::WaitFor(
        [&] {
          auto r = http_client::Get(port_, "/-/ready");
          return r.ok() && r->status == 200;
        },
        seconds(30), milliseconds(50));
  }
  int port() const { return port_; }
  std::string target() const { return Cat("127.0.0.1:", port_); }
  std::string log() const { return process_->log(); }

  // GET /api/v2/alerts: the active (not resolved) alerts.
  nlohmann::json Alerts() const {
    auto r = http_client::Get(port_, "/api/v2/alerts");
    if (!r.ok() || r->status != 200) return nlohmann::json::array();
    return nlohmann::json::parse(r->body, nullptr, false);
  }
  // The alert whose alertname is `name`, or null.
  nlohmann::json Find(std::string_view name) const {
    for (const auto& a : Alerts()) {
      if (a["labels"].value("alertname", "") == name) return a;
    }
    return nullptr;
  }

 private:
  int port_ = 0;
  std::unique_ptr<e2e::Process> process_;
};

class NotifierAlertmanagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kAlertmanager, X_OK) != 0) {
      STRATA_SKIP_OR_FAIL_IF_MISSING(kAlertmanager);
    }
    am_ = std::make_unique<Alertmanager>(dir_.path());
    ASSERT_TRUE(am_->WaitReady()) << am_->log();
  }
  Options OptionsFor(std::vector<std::string> targets) {
    Options options;
    options.alertmanagers = {Am(std::move(targets))};
    return options;
  }

  testing::TempDir dir_{"strata-notifier"};
  std::unique_ptr<Alertmanager> am_;
};

TEST_F(NotifierAlertmanagerTest, AlertAppearsWithLabelsAndResolves) {
  Options options = OptionsFor({am_->target()});
  options.external_labels = Labels::Of({{"cluster", "c1"}, {"env", "ext"}});
  auto m = Manager::Create(options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->ActiveAlertmanagers(),
            std::vector<std::string>{
                Cat("http://", am_->target(), "/api/v2/alerts")});

  const int64_t now = e2e::NowMillis();
  Alert a;
  a.labels = Labels::Of(
      {{"alertname", "HighLoad"}, {"env", "prod"}, {"instance", "h:1"}});
  a.annotations = Labels::Of({{"summary", "load is high"}});
  a.starts_at_ms = now - 60000;
  a.ends_at_ms = now + 4000;  // valid until, as the rules set it
  a.generator_url = "http://strata:9090/graph?g0.expr=up&g0.tab=1";
  (*m)->Send({a});

  nlohmann::json got;
  ASSERT_TRUE(testing::WaitFor(
      [&] { return !(got = am_->Find("HighLoad")).is_null(); }, seconds(20)))
      << am_->log();
  // External labels added, the alert's own env kept.
  EXPECT_EQ(got["labels"], (nlohmann::json{{"alertname", "HighLoad"},
                                           {"cluster", "c1"},
                                           {"env", "prod"},
                                           {"instance", "h:1"}}));
  EXPECT_EQ(got["annotations"], (nlohmann::json{{"summary", "load is high"}}));
  EXPECT_EQ(got["generatorURL"], a.generator_url);
  EXPECT_EQ(got["startsAt"], FormatRfc3339Millis(a.starts_at_ms));
  EXPECT_EQ(got["status"]["state"], "active");

  // Resolved once endsAt passes.
  EXPECT_TRUE(testing::WaitFor([&] { return am_->Find("HighLoad").is_null(); },
                               seconds(20), milliseconds(200)));

  const Stats s = (*m)->GetStats();
  ASSERT_EQ(s.alertmanagers.size(), 1u);
  EXPECT_EQ(s.alertmanagers[0].sent_total, 1u);
  EXPECT_EQ(s.alertmanagers[0].errors_total, 0u);
  EXPECT_EQ(s.alertmanagers[0].latency.count, 1u);
  EXPECT_FALSE(std::isnan(s.alertmanagers[0].latency.quantiles[2].second));
  EXPECT_EQ(s.dropped_total, 0u);
  EXPECT_EQ(s.alertmanagers_discovered, 1u);
}

TEST_F(NotifierAlertmanagerTest, ExplicitResolutionEndsTheAlert) {
  auto m = Manager::Create(OptionsFor({am_->target()}));
  ASSERT_TRUE(m.ok());
  const int64_t now = e2e::NowMillis();
  Alert a = NamedAlert("Flapping");
  a.starts_at_ms = now - 1000;
  a.ends_at_ms = now + 3600000;
  (*m)->Send({a});
  ASSERT_TRUE(testing::WaitFor([&] { return !am_->Find("Flapping").is_null(); },
                               seconds(20)));
  a.ends_at_ms = now;  // resolved: endsAt in the past
  (*m)->Send({a});
  EXPECT_TRUE(testing::WaitFor([&] { return am_->Find("Flapping").is_null(); },
                               seconds(20)));
}

TEST_F(NotifierAlertmanagerTest, AlertRelabelConfigsRewriteAndDrop) {
  Options options = OptionsFor({am_->target()});
  options.external_labels = Labels::Of({{"replica", "r1"}});
  relabel::Config drop;
  drop.action = relabel::Action::kDrop;
  drop.source_labels = {"severity"};
  drop.regex = "info|debug";
  relabel::Config strip;  // dedup across replicas, after external labels
  strip.action = relabel::Action::kLabelDrop;
  strip.regex = "replica";
  relabel::Config team;
  team.source_labels = {"service"};
  team.regex = "(.*)-api";
  team.target_label = "team";
  options.alert_relabel_configs = {drop, strip, team};
  auto m = Manager::Create(options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();

  Alert kept = NamedAlert("Kept");
  kept.labels = Labels::Of(
      {{"alertname", "Kept"}, {"severity", "page"}, {"service", "pay-api"}});
  Alert dropped = NamedAlert("Dropped");
  dropped.labels = Labels::Of({{"alertname", "Dropped"}, {"severity", "info"}});
  (*m)->Send({dropped, kept});
  nlohmann::json got;
  ASSERT_TRUE(testing::WaitFor(
      [&] { return !(got = am_->Find("Kept")).is_null(); }, seconds(20)));
  EXPECT_EQ(got["labels"], (nlohmann::json{{"alertname", "Kept"},
                                           {"service", "pay-api"},
                                           {"severity", "page"},
                                           {"team", "pay"}}));
  EXPECT_TRUE(am_->Find("Dropped").is_null());
  const Stats s = (*m)->GetStats();
  EXPECT_EQ(s.alertmanagers[0].sent_total, 1u);  // relabel drops are not sent
  EXPECT_EQ(s.dropped_total, 0u);                // nor counted as dropped
}

TEST_F(NotifierAlertmanagerTest, BatchesOf64ToEveryAlertmanager) {
  testing::TempDir dir2{"strata-notifier-am2"};
  Alertmanager second(dir2.path());
  ASSERT_TRUE(second.WaitReady()) << second.log();
  Options options = OptionsFor({am_->target()});
  options.alertmanagers.push_back(Am({second.target()}));
  auto m = Manager::Create(options);
  ASSERT_TRUE(m.ok());
  const int64_t now = e2e::NowMillis();
  std::vector<Alert> alerts = NamedAlerts(150, "Many");
  for (Alert& a : alerts) {
    a.starts_at_ms = now;
    a.ends_at_ms = now + 3600000;
  }
  (*m)->Send(alerts);
  for (const Alertmanager* am : {am_.get(), &second}) {
    EXPECT_TRUE(testing::WaitFor([&] { return am->Alerts().size() == 150; },
                                 seconds(20)))
        << am->Alerts().size();
  }
  const Stats s = (*m)->GetStats();
  ASSERT_EQ(s.alertmanagers.size(), 2u);
  for (const AlertmanagerStats& a : s.alertmanagers) {
    EXPECT_EQ(a.sent_total, 150u) << a.url;
    EXPECT_EQ(a.latency.count, 3u) << a.url;  // 64 + 64 + 22
    EXPECT_EQ(a.errors_total, 0u) << a.url;
  }
}

TEST_F(NotifierAlertmanagerTest, ReloadSwitchesAlertmanagers) {
  auto m = Manager::Create(OptionsFor({}));
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE((*m)->ActiveAlertmanagers().empty());
  ASSERT_TRUE((*m)->ApplyConfig(OptionsFor({am_->target()})).ok());
  Alert a = NamedAlert("AfterReload");
  a.ends_at_ms = e2e::NowMillis() + 3600000;
  (*m)->Send({a});
  EXPECT_TRUE(testing::WaitFor(
      [&] { return !am_->Find("AfterReload").is_null(); }, seconds(20)));
  // A 4xx from Alertmanager is an error (here: a body it cannot parse is
  // impossible to produce, so post to a path that does not exist).
  Options wrong = OptionsFor({am_->target()});
  wrong.alertmanagers[0].path_prefix = "/nope";
  ASSERT_TRUE((*m)->ApplyConfig(wrong).ok());
  (*m)->Send({NamedAlert("Lost")});
  EXPECT_TRUE(testing::WaitFor(
      [&] { return (*m)->GetStats().dropped_total == 1; }, seconds(20)));
  const Stats s = (*m)->GetStats();
  ASSERT_EQ(s.alertmanagers.size(), 2u);  // the old URL's counters stay
  for (const AlertmanagerStats& st : s.alertmanagers) {
    if (st.url.find("/nope/") != std::string::npos) {
      EXPECT_EQ(st.errors_total, 1u);
    } else {
      EXPECT_EQ(st.errors_total, 0u);
    }
  }
}

}  // namespace
}  // namespace strata::notifier
