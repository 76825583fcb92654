// Native histograms that the real Prometheus 2.42 wrote, read by Strata's
// DB: a Prometheus (`prometheus` on PATH, with native histograms, the
// remote write receiver and the admin API) gets the series of
// tests/chunk/histogram_test_data.h by remote write (integer and float
// histograms, several schemas, zero and negative buckets, layout changes,
// counter resets, gauges, stale markers, time-based cuts); then
//   - its snapshot API writes a block, which Strata opens as its data;
//   - it is stopped (SIGTERM: the WAL and the completed chunks in
//     chunks_head/) or killed (kill -9: whatever reached the WAL), and
//     Strata opens a copy of its wal/ and chunks_head/ and replays them.
// Every sample Strata reads must be the one sent, and what Prometheus
// answers for the series' sample counts.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chunk/histogram_remote_write.h"
#include "gtest/gtest.h"
#include "histogram_text.h"
#include "http_client/http_client.h"
#include "prometheus_process.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_env.h"
#include "url_encode.h"

namespace strata {
namespace {

namespace fs = std::filesystem;
using chunk::testing::FloatHistogramTestSeries;
using chunk::testing::HistogramTestSeries;
using chunk::testing::kHistogramClosingT;
using chunk::testing::kHistogramT0;
using strata::testing::HavePrometheus;
using strata::testing::PrometheusProcess;

using SeriesTexts = std::map<std::string, std::vector<std::string>>;

std::string SeriesKey(const std::string& series) {
  return "golden_histogram{series=\"" + series + "\"}";
}

// What was sent, as the DB's reads describe it.
SeriesTexts Sent() {
  SeriesTexts out;
  for (const auto& s : HistogramTestSeries()) {
    for (const auto& x : s.samples) {
      out[SeriesKey(s.name)].push_back(std::to_string(x.t) + " " +
                                       testing::HistogramText(x.h));
    }
  }
  for (const auto& s : FloatHistogramTestSeries()) {
    for (const auto& x : s.samples) {
      out[SeriesKey(s.name)].push_back(std::to_string(x.t) + " " +
                                       testing::HistogramText(x.h));
    }
  }
  return out;
}

// Opens `dir` as a Strata data directory (nothing compacted or expired:
// the samples are from 2023) and reads every sample.
SeriesTexts ReadWithStrata(const std::string& dir) {
  Options options;
  options.background_compaction = false;
  options.enable_native_histograms = true;
  options.retention_ms = 0;
  options.snapshot_on_shutdown = false;
  SeriesTexts out;
  StatusOr<std::unique_ptr<DB>> db = DB::Open(options, dir);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return out;
  auto q = (*db)->NewQuerier(kHistogramT0 - 1, kHistogramClosingT + 1);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  if (!q.ok()) return out;
  std::string error;
  out = testing::SampleTexts(
      **q, {Matcher::Equal("__name__", "golden_histogram")}, &error);
  EXPECT_EQ(error, "");
  EXPECT_TRUE((*db)->Close().ok());
  return out;
}

// Compares series by series, so that a failure names the series.
void ExpectSame(const SeriesTexts& got, const SeriesTexts& want,
                const std::string& what) {
  EXPECT_EQ(got.size(), want.size()) << what;
  for (const auto& [series, samples] : want) {
    auto it = got.find(series);
    if (it == got.end()) {
      ADD_FAILURE() << what << ": " << series << " missing";
      continue;
    }
    EXPECT_EQ(it->second, samples) << what << ": " << series;
  }
}

// Prometheus's sample count of every series, by the series' label.
std::map<std::string, std::string> PrometheusCounts(int port) {
  std::map<std::string, std::string> out;
  StatusOr<http_client::Response> r = http_client::Get(
      port, testing::ApiTarget(
                "/api/v1/query",
                {{"query", "count_over_time(golden_histogram[3h])"},
                 {"time", testing::MillisAsSeconds(kHistogramClosingT)}}));
  EXPECT_TRUE(r.ok() && r->status == 200);
  if (!r.ok()) return out;
  // {"metric":{"series":"<name>"},"value":[<t>,"<n>"]} per series.
  const std::string& body = r->body;
  for (size_t at = body.find("\"series\":\""); at != std::string::npos;
       at = body.find("\"series\":\"", at + 1)) {
    const size_t name_begin = at + 10;
    const std::string name =
        body.substr(name_begin, body.find('"', name_begin) - name_begin);
    const size_t value_end = body.find("\"]", name_begin);
    const size_t value_begin = body.rfind('"', value_end - 1) + 1;
    out[name] = body.substr(value_begin, value_end - value_begin);
  }
  return out;
}

void CopyDirs(const std::string& from, const std::string& to,
              const std::vector<std::string>& names) {
  fs::create_directories(to);
  for (const std::string& name : names) {
    if (!fs::exists(from + "/" + name)) continue;
    fs::copy(from + "/" + name, to + "/" + name, fs::copy_options::recursive);
  }
}

class DBPrometheusHistogramTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (!HavePrometheus()) STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
  }
  strata::testing::TempDir dir_{"strata-db-prom-histogram"};
};

TEST_P(DBPrometheusHistogramTest, ReadsPrometheusBlockAndWal) {
  const bool kill = GetParam();
  const std::string prom_dir = dir_.path() + "/prometheus";
  PrometheusProcess prom(
      prom_dir, "global:\n  scrape_interval: 1m\n", dir_.path(),
      {"--enable-feature=native-histograms",
       "--web.enable-remote-write-receiver", "--web.enable-admin-api"});
  ASSERT_TRUE(prom.WaitReady()) << prom.log();
  StatusOr<http_client::Response> write =
      chunk::testing::RemoteWriteHistogramTestSeries(prom.port());
  ASSERT_TRUE(write.ok()) << write.status().ToString();
  ASSERT_EQ(write->status, 204) << write->body;

  const SeriesTexts sent = Sent();
  // Prometheus holds every sample sent (stale markers are not counted).
  const std::map<std::string, std::string> counts =
      PrometheusCounts(prom.port());
  for (const auto& s : HistogramTestSeries()) {
    int live = 0;
    for (const auto& x : s.samples) {
      live += testing::HistogramText(x.h) != "h stale";
    }
    EXPECT_EQ(counts.at(s.name), std::to_string(live)) << s.name;
  }

  StatusOr<std::string> snapshot = prom.AdminSnapshot();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  const std::string name = *snapshot;

  if (kill) {
    prom.Kill();
  } else {
    prom.Stop();
  }

  // (a) The block Prometheus's snapshot wrote.
  const std::string snapshot_dir = prom_dir + "/snapshots/" + name;
  std::vector<std::string> blocks;
  for (const auto& e : fs::directory_iterator(snapshot_dir)) {
    blocks.push_back(e.path().filename().string());
  }
  ASSERT_FALSE(blocks.empty());
  CopyDirs(snapshot_dir, dir_.path() + "/from-block", blocks);
  ExpectSame(ReadWithStrata(dir_.path() + "/from-block"), sent, "block");

  // (b) Its WAL and head chunks.
  CopyDirs(prom_dir, dir_.path() + "/from-wal", {"wal", "chunks_head"});
  ExpectSame(ReadWithStrata(dir_.path() + "/from-wal"), sent,
             kill ? "WAL after kill -9" : "WAL and chunks_head after stop");
  if (!kill) {
    // A stopped Prometheus has written its completed chunks out.
    bool any_chunks = false;
    for (const auto& e : fs::directory_iterator(prom_dir + "/chunks_head")) {
      any_chunks = any_chunks || fs::file_size(e.path()) > 8;
    }
    EXPECT_TRUE(any_chunks);
  }
}

INSTANTIATE_TEST_SUITE_P(StopOrKill, DBPrometheusHistogramTest,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Kill9" : "Stop";
                         });

}  // namespace
}  // namespace strata
