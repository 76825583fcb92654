// The rule-evaluation scenario's generator (bench/compare/rules_workload.h):
// the series it promises, counters that only grow, cumulative histogram
// buckets, samples on the 15 s grid, and a rule file the real promtool 2.42
// accepts with the promised number of rules.
#include "rules_workload.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "prometheus/remote.pb.h"
#include "rules_bench.h"
#include "run_command.h"
#include "snappy.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata::bench {
namespace {

// Label set (sorted "name=value," text) -> value, over every request of a
// round.
std::map<std::string, double> Decode(const std::vector<std::string>& requests,
                                     std::set<int64_t>* timestamps) {
  std::map<std::string, double> out;
  for (const std::string& body : requests) {
    std::string raw;
    EXPECT_TRUE(snappy::Uncompress(body.data(), body.size(), &raw));
    prometheus::WriteRequest req;
    EXPECT_TRUE(req.ParseFromString(raw));
    for (const prometheus::TimeSeries& ts : req.timeseries()) {
      std::string key;
      std::string previous;
      for (const prometheus::Label& l : ts.labels()) {
        EXPECT_LT(previous, l.name()) << "labels sorted, no duplicates";
        previous = l.name();
        key += l.name() + "=" + l.value() + ",";
      }
      EXPECT_EQ(ts.samples_size(), 1);
      out[key] = ts.samples(0).value();
      timestamps->insert(ts.samples(0).timestamp());
    }
  }
  return out;
}

TEST(RulesWorkloadTest, SeriesCountsAndRules) {
  const FleetShape small;  // The SCALE=small defaults.
  ApiFleet fleet(small, 2000);
  EXPECT_EQ(fleet.series(), 9906u);
  EXPECT_EQ(RuleCount(small), 1000);
  EXPECT_EQ(ExpectedRuleOutputSeries(small), 7500);
}

TEST(RulesWorkloadTest, CountersGrowBucketsCumulativeOnTheGrid) {
  const FleetShape shape{3, 2};
  ApiFleet fleet(shape, 7);             // Many small requests.
  const int64_t first = 1700000010000;  // A multiple of 15 s.
  std::set<int64_t> ts0, ts1;
  const std::map<std::string, double> r0 = Decode(fleet.NextRound(first), &ts0);
  const std::map<std::string, double> r1 =
      Decode(fleet.NextRound(first + kStepMs), &ts1);
  ASSERT_EQ(r0.size(), fleet.series());
  ASSERT_EQ(r1.size(), fleet.series());
  EXPECT_EQ(fleet.round(), 2);
  for (const int64_t t : ts0) {
    EXPECT_GE(t, first);
    EXPECT_LT(t, first + kStepMs);
    EXPECT_EQ(ts1.count(t + kStepMs), 1u) << "each instance keeps its phase";
  }
  double total = 0;
  for (const auto& [key, v] : r1) {
    if (key.rfind("__name__=up,", 0) == 0) {
      EXPECT_EQ(v, 1);
      continue;
    }
    EXPECT_GE(v, r0.at(key)) << key;
    total += v;
  }
  EXPECT_GT(total, 0);

  // Cumulative buckets; +Inf equals _count. Route 1 is POST /api/v1/users.
  const std::string target = "instance=host-1:8080,job=api,";
  const std::string route = "method=POST,namespace=prod,route=/api/v1/users,";
  double previous = -1;
  for (const char* le : {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
                         "1", "2.5", "5", "10", "+Inf"}) {
    const std::string key = "__name__=http_request_duration_seconds_bucket," +
                            target + "le=" + le + "," + route;
    ASSERT_TRUE(r1.count(key)) << key;
    EXPECT_GE(r1.at(key), previous) << le;
    previous = r1.at(key);
  }
  EXPECT_EQ(previous, r1.at("__name__=http_request_duration_seconds_count," +
                            target + route));
}

TEST(RulesWorkloadTest, HistoryLaysOutRoundsPerShard) {
  ApiFleet fleet(FleetShape{2, 1}, 10);
  const Workload w = fleet.History(4, 1700000010000);
  EXPECT_EQ(w.series, fleet.series());
  EXPECT_EQ(w.samples, static_cast<int64_t>(fleet.series()) * 4);
  EXPECT_EQ(w.requests.size(), (fleet.series() + 9) / 10);
  for (const auto& shard : w.requests) EXPECT_EQ(shard.size(), 4u);
  EXPECT_GE(w.min_t, 1700000010000);
  EXPECT_LT(w.max_t, 1700000010000 + 4 * kStepMs);
  EXPECT_EQ(fleet.round(), 4);
}

TEST(RulesWorkloadTest, PromtoolAcceptsTheRuleFile) {
  if (!std::filesystem::exists("/usr/bin/promtool")) {
    STRATA_SKIP_OR_FAIL_IF_MISSING("/usr/bin/promtool");
  }
  strata::testing::TempDir tmp("strata-rules-workload-test");
  ASSERT_TRUE(tmp.ok());
  const std::string file = tmp.path() + "/rules.yml";
  std::ofstream(file) << RecordingRulesYaml(FleetShape{});
  int code = -1;
  const std::string out = strata::testing::RunCommand(
      "/usr/bin/promtool check rules '" + file + "' 2>&1", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("SUCCESS: 1000 rules found"), std::string::npos) << out;

  const std::string config = tmp.path() + "/prometheus.yml";
  std::ofstream(config) << RulesConfigYaml(15000, file);
  const std::string checked = strata::testing::RunCommand(
      "/usr/bin/promtool check config '" + config + "' 2>&1", &code);
  EXPECT_EQ(code, 0) << checked;
}

}  // namespace
}  // namespace strata::bench
