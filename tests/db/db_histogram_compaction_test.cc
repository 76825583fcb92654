// Compaction of native-histogram blocks: two DBs write overlapping blocks
// of the same series (integer, float and gauge histograms, counter resets,
// a bucket-layout change, a series switching between floats and
// histograms); one DB opens both blocks and compacts them into one, then
// a deletion inside a histogram chunk is cleaned out of it. Strata reads
// every sample back unchanged, and the real Prometheus 2.42 (`prometheus`
// on PATH, --enable-feature=native-histograms) answers the same range
// queries over the compacted block as over the two overlapping ones.
// Before the merger re-encoded histograms, Compact() failed with
// NotSupported ("cannot re-encode chunk encoding 2").
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "histogram_text.h"
#include "http_client/http_client.h"
#include "prometheus_process.h"
#include "run_command.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_env.h"
#include "url_encode.h"

namespace strata {
namespace {

using strata::testing::HavePrometheus;
using strata::testing::PrometheusProcess;

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kTwoHours = 120 * kMinute;
constexpr int kSamples = 240;  // One a minute for 4h.

// A counter: a third bucket from m = 40 on, a reset every 100 samples.
Histogram CounterAt(int k) {
  const int m = k % 100;
  Histogram h;
  h.schema = 1;
  h.zero_threshold = 1e-128;
  h.zero_count = 1;
  const int64_t b1 = m + 1, b2 = 2 * m + 1;
  if (m >= 40) {
    h.positive_spans = {{0, 2}, {2, 1}};
    h.positive_buckets = {b1, b2 - b1, 5 - b2};
    h.count = static_cast<uint64_t>(1 + b1 + b2 + 5);
  } else {
    h.positive_spans = {{0, 2}};
    h.positive_buckets = {b1, b2 - b1};
    h.count = static_cast<uint64_t>(1 + b1 + b2);
  }
  h.negative_spans = {{-1, 1}};
  h.negative_buckets = {m};
  h.count += static_cast<uint64_t>(m);
  h.sum = 0.25 * k;
  return h;
}

FloatHistogram GaugeAt(int k) {
  FloatHistogram h;
  h.counter_reset_hint = CounterResetHint::kGauge;
  h.schema = 3;
  h.zero_threshold = 0.001;
  const double b = (k * 7) % 13;
  h.positive_spans = {{2, 2}};
  h.positive_buckets = {b, 2};
  h.count = b + 2;
  h.sum = b * 1.5;
  return h;
}

// Appends the samples of one source at t0 + k minutes. Source 0 holds
// every k; source 1 the k >= 30, half a minute later, and at every 20th k
// also source 0's sample (a duplicate, kept once; which source wins a
// conflict is ChunkMerger's unit test's: Prometheus picks either).
void Fill(DB* db, int source, int64_t t0) {
  std::unique_ptr<Appender> app = db->NewAppender();
  const Labels nh = Labels::Of({{"__name__", "nh"}});
  const Labels nh_float = Labels::Of({{"__name__", "nh_float"}});
  const Labels gauge = Labels::Of({{"__name__", "nh_gauge"}});
  const Labels mixed = Labels::Of({{"__name__", "mixed"}});
  for (int k = source == 0 ? 0 : 30; k < kSamples; ++k) {
    std::vector<std::pair<int64_t, int>> samples;  // (offset, as source)
    if (source == 1 && k % 20 == 0) samples.push_back({0, 0});
    samples.push_back({source == 0 ? 0 : kMinute / 2, source});
    for (const auto& [offset, as] : samples) {
      const int64_t t = t0 + k * kMinute + offset;
      const Histogram h = CounterAt(k);
      FloatHistogram fh = ToFloatHistogram(h);
      fh.sum *= 0.5;
      const FloatHistogram g = GaugeAt(k + as);
      ASSERT_TRUE(app->AppendHistogram(nh, t, &h, nullptr).ok());
      ASSERT_TRUE(app->AppendHistogram(nh_float, t, nullptr, &fh).ok());
      ASSERT_TRUE(app->AppendHistogram(gauge, t, nullptr, &g).ok());
      // Source 0: floats, from k = 40 histograms; source 1 histograms
      // only, so the merge switches kind inside a cluster of chunks.
      if (as == 0 && k < 40) {
        ASSERT_TRUE(app->Append(mixed, t, k * 2.0).ok());
      } else {
        ASSERT_TRUE(app->AppendHistogram(mixed, t, &h, nullptr).ok());
      }
    }
  }
  ASSERT_TRUE(app->Commit().ok());
}

Options HistogramOptions() {
  Options options;
  options.background_compaction = false;
  options.enable_native_histograms = true;
  return options;
}

// Every sample in [mint, maxt] by series, as text.
std::map<std::string, std::vector<std::string>> ReadAll(DB& db, int64_t mint,
                                                        int64_t maxt) {
  std::map<std::string, std::vector<std::string>> out;
  auto q = db.NewQuerier(mint, maxt);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  if (!q.ok()) return out;
  std::string error;
  out = testing::SampleTexts(
      **q,
      {Matcher::Create(Matcher::Type::kRegexMatch, "__name__", ".+").value()},
      &error);
  EXPECT_EQ(error, "");
  return out;
}

class DBHistogramCompactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count();
    t0_ = (now_ms - 3 * kTwoHours) / kTwoHours * kTwoHours;
  }

  // Writes source `source` into dir/<name> and persists its first 2h;
  // returns that block's directory.
  std::string WriteBlock(const std::string& name, int source) {
    StatusOr<std::unique_ptr<DB>> db =
        DB::Open(HistogramOptions(), dir_.path() + "/" + name);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return "";
    Fill(db->get(), source, t0_);
    EXPECT_TRUE((*db)->Compact().ok());
    std::vector<BlockInfo> blocks = (*db)->Blocks();
    EXPECT_TRUE((*db)->Close().ok());
    EXPECT_EQ(blocks.size(), 1u);
    if (blocks.size() != 1) return "";
    EXPECT_EQ(blocks[0].min_time, t0_);
    return dir_.path() + "/" + name + "/" + blocks[0].ulid;
  }

  // A range query over the first 2h, every 30 s.
  std::string RangePath(const std::string& q) const {
    return testing::ApiTarget(
        "/api/v1/query_range",
        {{"query", q},
         {"start", testing::MillisAsSeconds(t0_)},
         {"end", testing::MillisAsSeconds(t0_ + kTwoHours - 30000)},
         {"step", "30"}});
  }

  // Prometheus over copies of `blocks`: the bodies of its answers to GETs
  // of `paths`.
  std::vector<std::string> PrometheusAnswers(
      const std::string& name, const std::vector<std::string>& blocks,
      const std::vector<std::string>& paths) {
    const std::string work = dir_.path() + "/" + name;
    const std::string data = work + "/data";
    std::filesystem::create_directories(data);
    for (const std::string& b : blocks) {
      std::filesystem::copy(
          b, data + "/" + std::filesystem::path(b).filename().string(),
          std::filesystem::copy_options::recursive);
    }
    PrometheusProcess prom(data, "global:\n  scrape_interval: 1m\n", work,
                           {"--enable-feature=native-histograms"});
    std::vector<std::string> out;
    EXPECT_TRUE(prom.WaitReady()) << prom.log();
    for (const std::string& path : paths) {
      StatusOr<http_client::Response> r = http_client::Get(prom.port(), path);
      EXPECT_TRUE(r.ok() && r->status == 200) << path;
      out.push_back(r.ok() ? r->body : "");
      EXPECT_NE(out.back().find("\"status\":\"success\""), std::string::npos)
          << path << " " << out.back();
    }
    prom.Stop();
    EXPECT_EQ(prom.log().find("level=error"), std::string::npos) << prom.log();
    return out;
  }

  int64_t t0_ = 0;
  strata::testing::TempDir dir_{"strata-db-histogram-compaction"};
};

TEST_F(DBHistogramCompactionTest, CompactsOverlappingHistogramBlocks) {
  const std::string block_a = WriteBlock("a", 0);
  const std::string block_b = WriteBlock("b", 1);
  ASSERT_FALSE(block_a.empty());
  ASSERT_FALSE(block_b.empty());
  // Copied aside for Prometheus: compaction deletes them.
  const std::string aside = dir_.path() + "/overlapping";
  std::vector<std::string> overlapping_blocks;
  for (const std::string& b : {block_a, block_b}) {
    overlapping_blocks.push_back(aside + "/" +
                                 std::filesystem::path(b).filename().string());
    std::filesystem::create_directories(overlapping_blocks.back());
    std::filesystem::copy(b, overlapping_blocks.back(),
                          std::filesystem::copy_options::recursive);
  }
  // b's block joins a's DB, overlapping a's.
  const std::string a_dir = dir_.path() + "/a";
  const std::string copied_b =
      a_dir + "/" + std::filesystem::path(block_b).filename().string();
  std::filesystem::copy(block_b, copied_b,
                        std::filesystem::copy_options::recursive);

  StatusOr<std::unique_ptr<DB>> db = DB::Open(HistogramOptions(), a_dir);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const int64_t block_end = t0_ + kTwoHours - 1;
  ASSERT_EQ((*db)->Blocks().size(), 2u);
  const auto before = ReadAll(**db, t0_, block_end);
  ASSERT_EQ(before.size(), 4u);
  // 120 of a's samples, 90 of b's (and 4 duplicates of a's).
  for (const auto& [series, samples] : before) {
    EXPECT_EQ(samples.size(), 210u) << series;
  }

  ASSERT_TRUE((*db)->Compact().ok());
  std::vector<BlockInfo> blocks = (*db)->Blocks();
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].min_time, t0_);
  EXPECT_EQ(blocks[0].num_samples, 4 * 210);
  EXPECT_EQ(ReadAll(**db, t0_, block_end), before);
  // Copied aside before the deletion below rewrites it.
  std::filesystem::create_directories(dir_.path() + "/compacted");
  const std::string compacted = dir_.path() + "/compacted/" + blocks[0].ulid;
  std::filesystem::copy(a_dir + "/" + blocks[0].ulid, compacted,
                        std::filesystem::copy_options::recursive);

  // A deleted range inside histogram chunks, cleaned out of the block.
  const int64_t del_min = t0_ + 20 * kMinute, del_max = t0_ + 40 * kMinute;
  ASSERT_TRUE(
      (*db)
          ->DeleteSeries({Matcher::Equal("__name__", "nh")}, del_min, del_max)
          .ok());
  ASSERT_TRUE((*db)->CleanTombstones().ok());
  blocks = (*db)->Blocks();
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].num_tombstones, 0);
  auto want = before;
  std::vector<std::string>& nh = want["nh"];
  std::erase_if(nh, [&](const std::string& s) {
    const int64_t t = std::stoll(s);
    return t >= del_min && t <= del_max;
  });
  EXPECT_EQ(nh.size(), 210u - 31u);  // 21 of a's minutes, 10 of b's.
  EXPECT_EQ(ReadAll(**db, t0_, block_end), want);
  const std::string cleaned = a_dir + "/" + blocks[0].ulid;
  ASSERT_TRUE((*db)->Close().ok());

  if (!HavePrometheus()) STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
  std::vector<std::string> paths;
  for (const char* q : {
           "nh",
           "nh_float",
           "nh_gauge",
           "mixed",
           "histogram_count(nh)",
           "histogram_sum(nh_float)",
           "histogram_fraction(0, 2, nh)",
           "histogram_quantile(0.9, nh_gauge)",
           "rate(nh[5m])",
           "histogram_quantile(0.5, rate(nh_float[10m]))",
           "count_over_time(nh[10m])",
           "count_over_time(mixed[10m])",
           "sum(increase(nh[15m]))",
       }) {
    paths.push_back(RangePath(q));
  }
  const std::vector<std::string> overlapping =
      PrometheusAnswers("prom-overlapping", overlapping_blocks, paths);
  const std::vector<std::string> merged =
      PrometheusAnswers("prom-compacted", {compacted}, paths);
  ASSERT_EQ(merged.size(), paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(merged[i], overlapping[i]) << paths[i];
  }
  // promtool 2.42 reads it too.
  int code = -1;
  const std::string analyzed = testing::RunCommand(
      "promtool tsdb analyze " +
          testing::ShellQuote(dir_.path() + "/compacted") + " " +
          std::filesystem::path(compacted).filename().string() + " 2>&1",
      &code);
  EXPECT_EQ(code, 0) << analyzed;
  EXPECT_NE(analyzed.find("Series: 4\n"), std::string::npos) << analyzed;
  // The cleaned block: every sample of nh that is left, and no more.
  const std::string count = testing::ApiTarget(
      "/api/v1/query", {{"query", "count_over_time(nh[2h])"},
                        {"time", testing::MillisAsSeconds(block_end)}});
  const std::vector<std::string> counts =
      PrometheusAnswers("prom-cleaned", {cleaned}, {count});
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_NE(counts[0].find("\"179\"]"), std::string::npos) << counts[0];
}

}  // namespace
}  // namespace strata
