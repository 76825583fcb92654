// The query API's JSON of native histograms (server/api/histogram_json.h)
// and the bucket boundaries under it (AllHistogramBuckets,
// HistogramBucketBound in strata/histogram.h), against hand-checked
// examples and byte for byte against a live Prometheus 2.42 with native
// histograms: the series of tests/chunk/histogram_test_data.h are
// remote-written into it and read back raw (a range selector), and its
// answer must contain exactly what Strata's formatter writes for the same
// histograms.
#include "server/api/histogram_json.h"

#include <cfloat>
#include <string>

#include "chunk/histogram_remote_write.h"
#include "chunk/histogram_test_data.h"
#include "gtest/gtest.h"
#include "histogram_prometheus_fixture.h"
#include "http_client/http_client.h"
#include "server/api/query_json.h"
#include "strata/histogram.h"

namespace strata::server {
namespace {

std::string Json(const FloatHistogram& h) {
  std::string out;
  AppendHistogramJson(&out, h);
  return out;
}

TEST(HistogramJsonTest, BucketBoundsAsPrometheus) {
  EXPECT_EQ(HistogramBucketBound(0, 0), 1);
  EXPECT_EQ(HistogramBucketBound(-1, 0), 0.5);
  EXPECT_EQ(HistogramBucketBound(3, 0), 8);
  EXPECT_EQ(HistogramBucketBound(1, 3), 1.0905077326652577);
  EXPECT_EQ(HistogramBucketBound(-1, 1), 0.7071067811865475);
  EXPECT_EQ(HistogramBucketBound(3, -2), 4096);
  // The last finite bucket ends at math.MaxFloat64, the next at +Inf.
  EXPECT_EQ(HistogramBucketBound(1024, 0), DBL_MAX);
  EXPECT_EQ(HistogramBucketBound(512, -1), DBL_MAX);
  EXPECT_EQ(HistogramBucketBound(1025, 0), HUGE_VAL);
}

// The example of marshalHistogramJSON's comment in Prometheus 2.42.
TEST(HistogramJsonTest, PrometheusDocumentedExample) {
  FloatHistogram h;
  h.schema = 0;
  h.zero_threshold = 0.25;
  h.zero_count = 3;
  h.count = 42;
  h.sum = 34593.34;
  h.positive_spans = {{-1, 2}, {1, 1}};
  h.positive_buckets = {12, 21, 6};
  EXPECT_EQ(Json(h),
            "{\"count\":\"42\",\"sum\":\"34593.34\",\"buckets\":[[3,\"-0.25\","
            "\"0.25\",\"3\"],[0,\"0.25\",\"0.5\",\"12\"],[0,\"0.5\",\"1\","
            "\"21\"],[0,\"2\",\"4\",\"6\"]]}");
}

TEST(HistogramJsonTest, EmptyBucketsAndNegativeSideAndClamping) {
  EXPECT_EQ(Json(FloatHistogram{}), "{\"count\":\"0\",\"sum\":\"0\"}");
  FloatHistogram h;
  h.zero_threshold = 0.75;
  h.count = 9;
  h.sum = -4.5;
  // Indices 1 and 0 on the negative side: (-2,-1] and (-1,-0.5], the
  // latter clamped to the zero bucket's edge; index 0 is empty.
  h.negative_spans = {{0, 2}};
  h.negative_buckets = {0, 5};
  // Index 0 on the positive side: (0.5,1], lower clamped to 0.75.
  h.positive_spans = {{0, 1}};
  h.positive_buckets = {4};
  EXPECT_EQ(Json(h),
            "{\"count\":\"9\",\"sum\":\"-4.5\",\"buckets\":[[1,\"-2\",\"-1\","
            "\"5\"],[0,\"0.75\",\"1\",\"4\"]]}");
  std::string point;
  AppendHistogramPointJson(&point, 1700000000500, FloatHistogram{});
  EXPECT_EQ(point, "[1700000000.500,{\"count\":\"0\",\"sum\":\"0\"}]");
}

// {"metric":{...},"histograms":[<points>]} of one test series, as
// Prometheus's matrix encoder writes it; stale markers are not selected.
template <typename Sample, typename ToFloat>
std::string ExpectedSeries(const std::string& name,
                           const std::vector<Sample>& samples,
                           ToFloat to_float) {
  std::string out =
      "{\"metric\":{\"__name__\":\"golden_histogram\",\"series\":\"" + name +
      "\"},\"histograms\":[";
  bool first = true;
  for (const Sample& x : samples) {
    if (chunk::IsStaleNaN(x.h.sum)) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendHistogramPointJson(&out, x.t, to_float(x.h));
  }
  return out + "]}";
}

// Where `body` departs from `want` for the series that starts `want`.
std::string FirstDifference(const std::string& body, const std::string& want) {
  const size_t start = body.find(want.substr(0, want.find("\"histograms")));
  if (start == std::string::npos) return "series missing";
  size_t i = 0;
  while (i < want.size() && start + i < body.size() &&
         body[start + i] == want[i]) {
    ++i;
  }
  const size_t from = i < 150 ? 0 : i - 150;
  return "at byte " + std::to_string(i) + "\nwant: ..." +
         want.substr(from, 300) + "\ngot:  ..." +
         body.substr(start + from, 300);
}

// The live test's own suite: the tests above need no Prometheus.
using HistogramJsonPrometheusTest = testing::HistogramPrometheusFixture;

TEST_F(HistogramJsonPrometheusTest, SameBytesAsLivePrometheus) {
  StatusOr<http_client::Response> w =
      chunk::testing::RemoteWriteHistogramTestSeries(prom_->port());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->status, 204) << w->body << prom_->log();

  // Every raw sample: a 3h range selector at the closing sample's time.
  const int64_t at_s = chunk::testing::kHistogramClosingT / 1000 + 1;
  StatusOr<http_client::Response> r = http_client::Get(
      prom_->port(), "/api/v1/query?query=golden_histogram%5B3h%5D&time=" +
                         std::to_string(at_s));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string& body = r->body;
  int compared = 0;
  for (const auto& s : chunk::testing::HistogramTestSeries()) {
    const std::string want =
        ExpectedSeries(s.name, s.samples,
                       [](const Histogram& h) { return ToFloatHistogram(h); });
    EXPECT_NE(body.find(want), std::string::npos)
        << "series " << s.name << " " << FirstDifference(body, want);
    ++compared;
  }
  for (const auto& s : chunk::testing::FloatHistogramTestSeries()) {
    const std::string want = ExpectedSeries(
        s.name, s.samples, [](const FloatHistogram& h) { return h; });
    EXPECT_NE(body.find(want), std::string::npos)
        << "series " << s.name << " " << FirstDifference(body, want);
    ++compared;
  }
  EXPECT_GT(compared, 10);
  prom_->Stop();
}

}  // namespace
}  // namespace strata::server
