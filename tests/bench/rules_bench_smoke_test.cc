// The rule-evaluation scenario of bench/compare (rules_bench.h) at a tiny
// scale and a 1 s evaluation interval, end to end on the real Prometheus
// 2.42 and on strata-server: both load the same rule file on SIGHUP, run
// every group each round, fail no rule and write exactly the series the
// rules promise. Counts only; nothing is timed.
#include <filesystem>

#include "gtest/gtest.h"
#include "rules_bench.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata::bench {
namespace {

RulesOptions TinyOptions(const std::string& work_dir) {
  RulesOptions o;
  o.work_dir = work_dir;
  o.shape = FleetShape{2, 2};  // 78 series, 100 rules.
  o.history_rounds = 8;
  o.interval_ms = 1000;
  o.rounds = 3;
  o.settle_s = 0.2;
  o.baseline_s = 1;
  o.poll_s = 0.3;
  o.samples_per_request = 50;
  o.ingest.connections = 2;
  return o;
}

void ExpectEvaluatedEveryRule(const RulesReport& r) {
  ASSERT_EQ(r.error, "") << r.name;
  EXPECT_EQ(r.history.failed, 0) << r.history.first_error;
  EXPECT_EQ(r.series, 78);
  EXPECT_EQ(r.rules, 100);
  EXPECT_EQ(r.live_failed, 0);
  EXPECT_EQ(r.evaluation_failures, 0) << "see " << r.log_path;
  EXPECT_EQ(r.output_series, static_cast<double>(r.expected_output_series));
  // Each group ticks once per interval; a window a little longer than
  // `rounds` intervals may see one more.
  EXPECT_GE(r.iterations, int64_t{r.groups} * (r.rounds - 1));
  EXPECT_LE(r.iterations, int64_t{r.groups} * (r.rounds + 1));
  EXPECT_FALSE(r.group_durations_s.empty());
  EXPECT_GT(r.window_cpu_s, 0);
}

TEST(RulesBenchSmokeTest, PrometheusEvaluatesTheRules) {
  const std::string prometheus = "/usr/bin/prometheus";
  if (!std::filesystem::exists(prometheus)) {
    STRATA_SKIP_OR_FAIL_IF_MISSING(prometheus);
  }
  strata::testing::TempDir tmp("strata-rules-bench-test");
  ASSERT_TRUE(tmp.ok());
  const RulesReport r =
      RunRulesBench({ServerKind::kPrometheus, "prometheus", prometheus, {}, {}},
                    TinyOptions(tmp.path()));
  ExpectEvaluatedEveryRule(r);
}

TEST(RulesBenchSmokeTest, StrataEvaluatesTheRules) {
  const std::string strata =
      strata::testing::BinaryDir() + "/tools/strata-server/strata-server";
  ASSERT_TRUE(std::filesystem::exists(strata)) << strata;
  strata::testing::TempDir tmp("strata-rules-bench-test");
  ASSERT_TRUE(tmp.ok());
  const RulesReport r =
      RunRulesBench({ServerKind::kStrata, "strata-server", strata, {}, {}},
                    TinyOptions(tmp.path()));
  ExpectEvaluatedEveryRule(r);
}

}  // namespace
}  // namespace strata::bench
