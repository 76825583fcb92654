// Blocks with native histograms that Strata's compaction writes are read by
// the real Prometheus 2.42 (`prometheus` on PATH, with
// --enable-feature=native-histograms): the histogram and float histogram
// chunks are copied into Prometheus's data directory and queried over its
// API (sample counts, histogram_count, histogram_sum, and
// histogram_fraction, which reads the buckets), against the values written.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "http_client/http_client.h"
#include "prometheus_process.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata {
namespace {

using strata::testing::HavePrometheus;
using strata::testing::PrometheusProcess;

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kTwoHours = 120 * kMinute;
constexpr int kSamples = 240;  // One a minute for 4h.

// Sample k: buckets (1,2], (2,4] (from k = 60 on: a recode) and (4,8];
// at k = 180 the counter resets (and (2,4] vanishes).
struct Expected {
  double count, sum, fraction_0_4;
};
Expected ExpectedAt(int k) {
  const int m = k % 180;
  const double b1 = m + 1, b2 = m >= 60 ? 2 * m + 1 : 0, b3 = 3;
  const double count = b1 + b2 + b3;
  return {count, 10.0 * k + 0.5, (b1 + b2) / count};
}
Histogram HistogramAt(int k) {
  const int m = k % 180;
  Histogram h;
  h.schema = 0;
  h.zero_threshold = 1e-128;
  const int64_t b1 = m + 1, b3 = 3;
  if (m >= 60) {
    const int64_t b2 = 2 * m + 1;
    h.positive_spans = {{1, 3}};
    h.positive_buckets = {b1, b2 - b1, b3 - b2};
    h.count = static_cast<uint64_t>(b1 + b2 + b3);
  } else {
    h.positive_spans = {{1, 1}, {1, 1}};
    h.positive_buckets = {b1, b3 - b1};
    h.count = static_cast<uint64_t>(b1 + b3);
  }
  h.sum = 10.0 * k + 0.5;
  return h;
}

// The number ending an instant query's "value":[t,"<v>"], NaN if absent.
double ValueOf(const std::string& body) {
  const size_t end = body.rfind("\"]");
  if (end == std::string::npos) return std::nan("");
  const size_t begin = body.rfind('"', end - 1);
  if (begin == std::string::npos) return std::nan("");
  return std::strtod(body.c_str() + begin + 1, nullptr);
}

class DBHistogramPrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HavePrometheus()) STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
  }
  strata::testing::TempDir dir_{"strata-db-histogram-prom"};
};

TEST_F(DBHistogramPrometheusTest, PrometheusReadsStrataHistogramBlocks) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  const int64_t t0 = (now_ms - 6 * kTwoHours / 2) / kTwoHours * kTwoHours;
  const std::string strata_dir = dir_.path() + "/strata";
  std::vector<BlockInfo> blocks;
  {
    Options options;
    options.background_compaction = false;
    options.enable_native_histograms = true;
    StatusOr<std::unique_ptr<DB>> db = DB::Open(options, strata_dir);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::unique_ptr<Appender> app = (*db)->NewAppender();
    for (int k = 0; k < kSamples; ++k) {
      const Histogram h = HistogramAt(k);
      FloatHistogram fh = ToFloatHistogram(h);
      fh.sum *= 0.5;
      const int64_t t = t0 + k * kMinute;
      ASSERT_TRUE(
          app->AppendHistogram(Labels::Of({{"__name__", "nh"}}), t, &h, nullptr)
              .ok());
      ASSERT_TRUE(app->AppendHistogram(Labels::Of({{"__name__", "nh_float"}}),
                                       t, nullptr, &fh)
                      .ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE((*db)->Compact().ok());
    blocks = (*db)->Blocks();
    ASSERT_TRUE((*db)->Close().ok());
  }
  ASSERT_FALSE(blocks.empty());
  ASSERT_EQ(blocks.front().min_time, t0);
  // Prometheus's data directory: Strata's blocks only.
  const std::string prom_dir = dir_.path() + "/prometheus";
  std::filesystem::create_directories(prom_dir);
  for (const BlockInfo& b : blocks) {
    std::filesystem::copy(strata_dir + "/" + b.ulid, prom_dir + "/" + b.ulid,
                          std::filesystem::copy_options::recursive);
  }
  PrometheusProcess prom(prom_dir, "global:\n  scrape_interval: 1m\n",
                         dir_.path(), {"--enable-feature=native-histograms"});
  ASSERT_TRUE(prom.WaitReady()) << prom.log();
  const auto query = [&](const std::string& q, int64_t t) {
    StatusOr<http_client::Response> r = http_client::Get(
        prom.port(), "/api/v1/query?query=" + q +
                         "&time=" + std::to_string(t / 1000) + "." +
                         std::to_string(t % 1000 + 1000).substr(1));
    return r.ok() ? r->body : std::string();
  };
  const int64_t persisted_end = blocks.back().max_time;
  int checked = 0;
  for (int k : {0, 30, 59, 60, 100, 119, 150, 179, 180, 200, 239}) {
    const int64_t t = t0 + k * kMinute;
    if (t >= persisted_end) continue;
    ++checked;
    const Expected want = ExpectedAt(k);
    EXPECT_EQ(ValueOf(query("histogram_count(nh)", t)), want.count) << k;
    EXPECT_EQ(ValueOf(query("histogram_sum(nh)", t)), want.sum) << k;
    EXPECT_NEAR(ValueOf(query("histogram_fraction(0,4,nh)", t)),
                want.fraction_0_4, 1e-12)
        << k << " " << query("histogram_fraction(0,4,nh)", t);
    EXPECT_EQ(ValueOf(query("histogram_count(nh_float)", t)), want.count) << k;
    EXPECT_EQ(ValueOf(query("histogram_sum(nh_float)", t)), want.sum * 0.5)
        << k;
  }
  EXPECT_GE(checked, 6);
  // Every sample of the first block.
  const int64_t end = t0 + kTwoHours - 1;
  EXPECT_EQ(ValueOf(query("count_over_time(nh%5B2h%5D)", end)), 120)
      << query("count_over_time(nh%5B2h%5D)", end);
  EXPECT_EQ(ValueOf(query("count_over_time(nh_float%5B2h%5D)", end)), 120);
  prom.Stop();
  EXPECT_EQ(prom.log().find("level=error"), std::string::npos) << prom.log();
}

}  // namespace
}  // namespace strata
