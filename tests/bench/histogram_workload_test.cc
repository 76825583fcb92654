// The native-histogram workload of bench/compare: every series once per
// round, in time order, 15 s apart; each histogram consistent (its buckets
// and zero bucket hold exactly `count` observations, spans describe as
// many buckets as there are deltas) and cumulative (no bucket, count or
// sum ever shrinks), so Prometheus takes it as a counter histogram.
#include "histogram_workload.h"

#include <map>
#include <string>

#include "gtest/gtest.h"
#include "prometheus/remote.pb.h"
#include "snappy.h"

namespace strata::bench {
namespace {

// Absolute counts by bucket index; fails the test if spans and deltas
// disagree.
std::map<int32_t, int64_t> Buckets(const prometheus::Histogram& h) {
  std::map<int32_t, int64_t> out;
  int32_t index = 0;
  int64_t count = 0;
  int d = 0;
  for (int s = 0; s < h.positive_spans_size(); ++s) {
    index += h.positive_spans(s).offset();
    for (uint32_t i = 0; i < h.positive_spans(s).length(); ++i) {
      EXPECT_LT(d, h.positive_deltas_size());
      if (d >= h.positive_deltas_size()) return out;
      count += h.positive_deltas(d++);
      out[index++] = count;
    }
  }
  EXPECT_EQ(d, h.positive_deltas_size());
  return out;
}

TEST(HistogramWorkloadTest, CumulativeConsistentHistogramsInRoundOrder) {
  HistogramWorkloadOptions options;
  options.instances = 2;
  options.routes = 3;
  options.rounds = 12;
  options.samples_per_request = 4;
  options.first_round_ms = 1'700'000'000'000;
  Workload w;
  std::string error;
  ASSERT_TRUE(BuildHistogramWorkload(options, &w, &error)) << error;
  EXPECT_EQ(w.series, 12u);
  EXPECT_EQ(w.samples, 12 * 12);
  ASSERT_EQ(w.requests.size(), 3u);  // 12 series, 4 per request.

  struct Last {
    int64_t t = 0;
    uint64_t count = 0;
    double sum = 0;
    std::map<int32_t, int64_t> buckets;
  };
  std::map<std::string, Last> last;
  int64_t samples = 0;
  for (const auto& shard : w.requests) {
    ASSERT_EQ(shard.size(), 12u);
    for (const std::string& compressed : shard) {
      std::string raw;
      ASSERT_TRUE(
          snappy::Uncompress(compressed.data(), compressed.size(), &raw));
      prometheus::WriteRequest request;
      ASSERT_TRUE(request.ParseFromString(raw));
      EXPECT_LE(request.timeseries_size(), 4);
      for (const prometheus::TimeSeries& ts : request.timeseries()) {
        std::string key;
        for (const auto& l : ts.labels())
          key += l.name() + "=" + l.value() + ",";
        ASSERT_EQ(ts.histograms_size(), 1);
        EXPECT_EQ(ts.samples_size(), 0);
        const prometheus::Histogram& h = ts.histograms(0);
        ++samples;
        EXPECT_EQ(h.schema(), 3);
        const std::map<int32_t, int64_t> buckets = Buckets(h);
        int64_t total = static_cast<int64_t>(h.zero_count_int());
        for (const auto& [index, count] : buckets) {
          EXPECT_GE(count, 0);
          total += count;
        }
        EXPECT_EQ(static_cast<uint64_t>(total), h.count_int());
        Last& prev = last[key];
        if (prev.t != 0) {
          EXPECT_EQ(h.timestamp() - prev.t, kStepMs) << key;
          EXPECT_GE(h.count_int(), prev.count);
          EXPECT_GE(h.sum(), prev.sum);
          for (const auto& [index, count] : prev.buckets) {
            const auto it = buckets.find(index);
            EXPECT_TRUE(it != buckets.end() && it->second >= count)
                << key << " bucket " << index;
          }
        }
        prev = {h.timestamp(), h.count_int(), h.sum(), buckets};
      }
    }
  }
  EXPECT_EQ(samples, w.samples);
  EXPECT_EQ(last.size(), 12u);
}

}  // namespace
}  // namespace strata::bench
