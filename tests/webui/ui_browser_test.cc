// The built-in web UI in a real headless Chromium against a strata-server
// holding the shared recorded hour (../shared/datasets/recorded-15s): what
// the pages show (ui_browser.mjs reports it as JSON) must match the HTTP
// API: the graph's series count (query_range), the table's values (query),
// metric completion, the cardinality explorer's top metric (series), the
// status pages, no console errors. Screenshots of every page are written to
// build/tests/webui/artifacts.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "run_command.h"
#include "temp_dir.h"
#include "test_env.h"
#include "url_encode.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using strata::e2e::FreePort;
using strata::e2e::Http;
using strata::e2e::kRecordedDatasetArchive;
using strata::e2e::Process;
using strata::e2e::StartStrataServer;
using strata::e2e::UnpackArchive;
using strata::e2e::WaitForOk;
using strata::testing::ShellQuote;
using strata::testing::UrlEncode;

constexpr const char* kChromium = "/usr/bin/chromium";
// The recorded hour ends at 1795624064.635 (README of the dataset).
constexpr int64_t kEndSeconds = 1795624064;
constexpr const char* kEndText = "2026-11-25 16:27:44";
constexpr const char* kExpr = "node_cpu_seconds_total";
constexpr int64_t kRangeSeconds = 3600;
// Served under an external URL's path, as behind a reverse proxy: the UI's
// links and API calls must stay under it.
constexpr const char* kPrefix = "/strata";

#ifdef STRATA_NODE
constexpr const char* kNode = STRATA_NODE;
constexpr const char* kNodeModules = STRATA_WEB_UI_NODE_MODULES;
#else
constexpr const char* kNode = "";
constexpr const char* kNodeModules = "";
#endif

class UiBrowserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path archive =
        fs::path(strata::testing::SharedDir()) / kRecordedDatasetArchive;
    if (!fs::exists(archive)) {
      missing_ = "the ../shared recorded-15s dataset";
    } else if (std::string(kNode).empty()) {
      missing_ = "node and npm at configure time (no web UI built)";
    } else if (!fs::exists(kChromium)) {
      missing_ = kChromium;
    } else if (!fs::exists(fs::path(kNodeModules) / "puppeteer-core")) {
      missing_ = "puppeteer-core in web/ui/node_modules (npm ci)";
    }
    if (!missing_.empty()) return;
    tmp_ = new strata::testing::TempDir("strata-webui");
    const fs::path data = fs::path(tmp_->path()) / "data";
    if (!UnpackArchive(archive.string(), data.string()).ok()) return;
    // One recording and one always-firing alerting rule for the rules and
    // alerts pages.
    const fs::path config = fs::path(tmp_->path()) / "strata.yml";
    const fs::path rules = fs::path(tmp_->path()) / "rules.yml";
    std::ofstream(config) << "global:\n  evaluation_interval: 1s\n"
                             "rule_files: ['" +
                                 rules.string() + "']\n";
    std::ofstream(rules) << "groups:\n"
                            "  - name: webui\n"
                            "    rules:\n"
                            "      - record: job:up:one\n"
                            "        expr: vector(1)\n"
                            "      - alert: AlwaysFiring\n"
                            "        expr: vector(1) > 0\n";
    port_ = FreePort();
    server_ = StartStrataServer(
        data.string(), port_, (fs::path(tmp_->path()) / "strata.log").string(),
        {"--web.external-url=http://127.0.0.1:" + std::to_string(port_) +
             kPrefix + "/",
         "--storage.tsdb.retention.time=100y",
         "--config.file=" + config.string()});
    if (!WaitForOk(port_, std::string(kPrefix) + "/-/ready", 60000)) return;
    const fs::path artifacts =
        fs::path(strata::testing::BinaryDir()) / "tests/webui/artifacts";
    fs::remove_all(artifacts);  // Only this run's screenshots.
    const std::string cmd = "timeout 150 " + ShellQuote(kNode) + " " +
                            ShellQuote(strata::testing::SourceDir() +
                                       "/tests/webui/ui_browser.mjs") +
                            " --url http://127.0.0.1:" + std::to_string(port_) +
                            kPrefix + " --chromium " + kChromium +
                            " --node-modules " + ShellQuote(kNodeModules) +
                            " --artifacts " + ShellQuote(artifacts.string()) +
                            " --end " + ShellQuote(kEndText) + " --expr " +
                            kExpr + " --complete node_lo";
    int exit_code = 0;
    const std::string output =
        strata::testing::RunCommand(cmd + " 2>&1", &exit_code);
    report_ = new Json(Json::parse(output, nullptr, false));
    if (report_->is_discarded()) {
      *report_ =
          Json{{"failure", "no JSON from ui_browser.mjs (exit " +
                               std::to_string(exit_code) + "):\n" + output}};
    }
  }

  static void TearDownTestSuite() {
    server_.reset();
    delete tmp_;
    tmp_ = nullptr;
    delete report_;
    report_ = nullptr;
  }

  void SetUp() override {
    if (!missing_.empty()) STRATA_SKIP_OR_FAIL_IF_MISSING(missing_);
    ASSERT_NE(report_, nullptr)
        << "strata-server did not get ready"
        << (server_ != nullptr ? ":\n" + server_->log() : "");
    ASSERT_FALSE(report_->contains("failure"))
        << (*report_)["failure"].get<std::string>();
  }

  // GET `target` on the server; the API's `data`.
  static Json ApiData(const std::string& target) {
    const Json body =
        Json::parse(Http(port_, "GET", kPrefix + target).body, nullptr, false);
    EXPECT_EQ(body.value("status", ""), "success") << target;
    return body.is_discarded() ? Json() : body["data"];
  }

  static const Json& report() { return *report_; }

  // The checks, each of one page against the API.
  void GraphSeriesCountMatchesQueryRange();
  void TableValuesMatchQuery();
  void CompletionOffersKnownMetric();
  void ParseErrorShownAtItsPosition();
  void CardinalityListsTopMetricWithItsCount();
  void StatusPagesRenderWithoutErrors();
  void NoConsoleErrors();
  void ScreenshotsWritten();

  static inline std::string missing_;
  static inline strata::testing::TempDir* tmp_ = nullptr;
  static inline std::unique_ptr<Process> server_;
  static inline Json* report_ = nullptr;
  static inline int port_ = 0;
};

// The typed query's graph draws every series query_range returns (the
// UI's automatic step: range / 250, at least 1 s), and the URL keeps it.
void UiBrowserTest::GraphSeriesCountMatchesQueryRange() {
  const int64_t step = std::max<int64_t>(kRangeSeconds / 250, 1);
  const Json data = ApiData(
      "/api/v1/query_range?query=" + UrlEncode(kExpr) +
      "&start=" + std::to_string(kEndSeconds - kRangeSeconds) +
      "&end=" + std::to_string(kEndSeconds) + "&step=" + std::to_string(step));
  ASSERT_GT(data["result"].size(), 1u);
  const Json& graph = report()["graph"];
  EXPECT_EQ(graph["series"].get<size_t>(), data["result"].size());
  EXPECT_EQ(graph["legendItems"].get<size_t>(), data["result"].size());
  EXPECT_NE(graph["stats"].get<std::string>().find(
                "Result series: " + std::to_string(data["result"].size())),
            std::string::npos);
  EXPECT_NE(graph["url"].get<std::string>().find(
                "g0.expr=node_cpu_seconds_total&g0.tab=0"),
            std::string::npos);
  // A click on the first legend entry hides its series.
  EXPECT_EQ(graph["legendToggled"], "false");
  EXPECT_EQ(graph["stackedSeries"].get<size_t>(), data["result"].size());
  EXPECT_EQ(report()["panels"], 2);
  EXPECT_EQ(report()["panelsAfterRemove"], 1);
}

// The table view, opened from a shareable URL, shows the instant query's
// series and values at the evaluation time.
void UiBrowserTest::TableValuesMatchQuery() {
  const Json data = ApiData("/api/v1/query?query=" + UrlEncode(kExpr) +
                            "&time=" + std::to_string(kEndSeconds));
  std::map<std::string, std::string> want;
  for (const Json& s : data["result"]) want[s["metric"].dump()] = s["value"][1];
  ASSERT_FALSE(want.empty());
  const Json& rows = report()["table"];
  ASSERT_EQ(rows.size(), want.size());
  for (const Json& row : rows) {
    const auto it = want.find(row["labels"].dump());
    ASSERT_NE(it, want.end()) << row.dump();
    EXPECT_EQ(row["value"].get<std::string>(), it->second) << row.dump();
  }
}

void UiBrowserTest::CompletionOffersKnownMetric() {
  const Json& options = report()["completions"];
  EXPECT_NE(std::find(options.begin(), options.end(), "node_load1"),
            options.end())
      << options.dump();
  for (const Json& option : options) {
    EXPECT_EQ(option.get<std::string>().find("__"), std::string::npos);
  }
}

// The API's parse error is shown with a caret under its column (1:16).
void UiBrowserTest::ParseErrorShownAtItsPosition() {
  const std::string error = report()["error"];
  EXPECT_NE(error.find("1:16: parse error: unclosed left parenthesis"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("sum(up) by (job\n" + std::string(15, ' ') + "^"),
            std::string::npos)
      << error;
}

// The explorer's counts (the server's, from one /api/v1/status/tsdb
// request with match[]) equal those computed from /api/v1/series, and
// drilling into the top metric selects exactly its series.
void UiBrowserTest::CardinalityListsTopMetricWithItsCount() {
  const Json series =
      ApiData("/api/v1/series?match[]=" + UrlEncode("{__name__=~\".+\"}") +
              "&start=" + std::to_string(kEndSeconds - kRangeSeconds) +
              "&end=" + std::to_string(kEndSeconds));
  std::map<std::string, int> by_metric;
  for (const Json& labels : series) ++by_metric[labels["__name__"]];
  int top = 0;
  for (const auto& [name, count] : by_metric) top = std::max(top, count);
  const Json& card = report()["cardinality"];
  EXPECT_EQ(card["total"].get<size_t>(), series.size());
  EXPECT_EQ(series.size(), 1467u);
  EXPECT_EQ(card["topCount"].get<int>(), top);
  EXPECT_EQ(by_metric[card["topMetric"]], top) << card.dump();
  EXPECT_EQ(card["drillTotal"].get<int>(), top);
}

void UiBrowserTest::StatusPagesRenderWithoutErrors() {
  const std::map<std::string, std::string> titles = {
      {"tsdb-status", "TSDB status"},
      {"flags", "Command-line flags"},
      {"status", "Status"},
      {"rules", "Rules"},
      {"alerts", "Alerts"}};
  for (const auto& [page, title] : titles) {
    const Json& got = report()["pages"][page];
    EXPECT_EQ(got["title"], title) << page;
    EXPECT_TRUE(got["errors"].empty()) << page << ": " << got.dump();
  }
  const std::string rules = report()["pages"]["rules"]["headings"].dump();
  EXPECT_NE(rules.find("webui"), std::string::npos) << rules;
  const std::string alerts = report()["pages"]["alerts"]["headings"].dump();
  EXPECT_NE(alerts.find("AlwaysFiring"), std::string::npos) << alerts;
  // The recorded hour is one block, listed as /api/v1/status/blocks has it.
  EXPECT_EQ(report()["pages"]["tsdb-status"]["blocksLoaded"], "1");
  const Json blocks = ApiData("/api/v1/status/blocks");
  const Json& shown = report()["pages"]["tsdb-status"]["blocks"];
  ASSERT_EQ(blocks.size(), 1u);
  ASSERT_EQ(shown.size(), blocks.size()) << shown.dump();
  EXPECT_EQ(shown[0]["ulid"], blocks[0]["ulid"]);
  EXPECT_EQ(shown[0]["series"], blocks[0]["stats"]["numSeries"]);
  EXPECT_EQ(shown[0]["samples"], blocks[0]["stats"]["numSamples"]);
  EXPECT_EQ(blocks[0]["stats"]["numSeries"], 1467);
  // The status page shows /api/v1/status/walreplay's final figures.
  const Json replay = ApiData("/api/v1/status/walreplay");
  const Json& replay_shown = report()["pages"]["status"]["walreplay"];
  for (const char* key : {"min", "max", "current"}) {
    EXPECT_EQ(replay_shown.value(key, ""), replay[key].dump()) << key;
  }
  EXPECT_NE(report()["theme"]["before"], report()["theme"]["after"]);
  EXPECT_EQ(report()["rootRedirect"], std::string(kPrefix) + "/graph");
}

void UiBrowserTest::NoConsoleErrors() {
  EXPECT_TRUE(report()["consoleErrors"].empty())
      << report()["consoleErrors"].dump(1);
}

void UiBrowserTest::ScreenshotsWritten() {
  const fs::path dir =
      fs::path(strata::testing::BinaryDir()) / "tests/webui/artifacts";
  for (const char* name :
       {"graph", "completion", "error", "table", "cardinality", "tsdb-status",
        "flags", "status", "rules", "alerts"}) {
    const fs::path png = dir / (std::string(name) + ".png");
    EXPECT_TRUE(fs::exists(png) && fs::file_size(png) > 1000) << png;
  }
}

// One browser run (about 15 s) for every check, not one per check.
TEST_F(UiBrowserTest, PagesMatchTheApi) {
  GraphSeriesCountMatchesQueryRange();
  TableValuesMatchQuery();
  CompletionOffersKnownMetric();
  ParseErrorShownAtItsPosition();
  CardinalityListsTopMetricWithItsCount();
  StatusPagesRenderWithoutErrors();
  NoConsoleErrors();
  ScreenshotsWritten();
}

}  // namespace
