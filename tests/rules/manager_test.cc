// The rule Manager on a real DB with short intervals: ticks, for-state
// restore on the first load, reloads that keep alert state, staleness
// markers for removed groups, failed reloads that change nothing.
#include "rules/manager.h"

#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rules_test_util.h"
#include "wait_for.h"

namespace strata::rules {
namespace {

using std::chrono::milliseconds;

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ManagerTest : public testing::RulesTest {
 protected:
  ManagerOptions Options() {
    ManagerOptions o;
    o.db = db_.get();
    o.engine = &engine_;
    o.default_interval_ms = 100;
    return o;
  }

  // Appends up{instance="1"} = v now; the lookback delta (5m) covers the
  // rest of the test.
  void Up(double v) {
    Append(Labels::Of({{"__name__", "up"}, {"instance", "1"}}), NowMs(), v);
  }

  // Waits until group `name` has run at least `n` iterations.
  bool WaitIterations(Manager& m, std::string_view name, uint64_t n) {
    return strata::testing::WaitFor(
        [&] {
          for (const GroupStatus& g : m.Groups()) {
            if (g.name == name && g.iterations_total >= n) return true;
          }
          return false;
        },
        milliseconds(10000));
  }

  static std::optional<GroupStatus> Find(Manager& m, std::string_view name) {
    for (GroupStatus& g : m.Groups()) {
      if (g.name == name) return g;
    }
    return std::nullopt;
  }
};

constexpr const char* kFile = R"(groups:
- name: rec
  rules:
  - record: up:copy
    expr: up
- name: alerts
  rules:
  - alert: Down
    expr: up == 0
    for: 1h
)";

TEST_F(ManagerTest, GroupsTickAndReport) {
  Up(0);
  Manager m(Options());
  ASSERT_TRUE(m.Update({{"b.yml", ParseFile(kFile)}}, Options()).ok());
  ASSERT_TRUE(WaitIterations(m, "rec", 3));
  ASSERT_TRUE(WaitIterations(m, "alerts", 3));
  std::vector<GroupStatus> groups = m.Groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "alerts");  // Sorted by file, then name.
  EXPECT_EQ(groups[1].name, "rec");
  EXPECT_EQ(groups[1].file, "b.yml");
  EXPECT_EQ(groups[1].interval_ms, 100);
  EXPECT_EQ(groups[1].rules[0].health, RuleHealth::kOk);
  EXPECT_EQ(groups[0].rules[0].state, AlertState::kPending);
  EXPECT_FALSE(Query("up:copy", NowMs()).empty());
  m.Stop();
  m.Stop();  // Idempotent.
  // The process-wide summaries saw every rule and group evaluation.
  uint64_t rule_evaluations = 0, group_evaluations = 0;
  for (const GroupStatus& g : m.Groups()) {
    rule_evaluations += g.evaluations_total;
    group_evaluations += g.iterations_total - g.iterations_missed_total;
  }
  const EvaluationDurations durations = m.Durations();
  EXPECT_EQ(durations.rule.count, rule_evaluations);
  EXPECT_EQ(durations.group.count, group_evaluations);
  EXPECT_GE(durations.group.count, 6u);
  EXPECT_GT(durations.group.sum, 0);
  ASSERT_EQ(durations.group.quantiles.size(), 5u);
  EXPECT_GT(durations.group.quantiles[4].second, 0);
}

// Prometheus writes no ALERTS before for-state is restored, which happens
// after the second evaluation of the first load.
TEST_F(ManagerTest, FirstLoadRestoresBeforeWritingAlerts) {
  Up(0);
  Manager m(Options());
  ASSERT_TRUE(m.Update({{"a.yml", ParseFile(R"(groups:
- name: g
  rules:
  - alert: Down
    expr: up == 0
)")}},
                       Options())
                  .ok());
  ASSERT_TRUE(WaitIterations(m, "g", 5));
  m.Stop();
  const GroupStatus g = *Find(m, "g");
  auto raw = Raw(Labels::Of({{"__name__", "ALERTS"},
                             {"alertname", "Down"},
                             {"alertstate", "firing"},
                             {"instance", "1"}}),
                 0, NowMs());
  EXPECT_EQ(raw.size(), g.evaluations_total - 2);
}

TEST_F(ManagerTest, ReloadKeepsAlertStateOfUnchangedRules) {
  Up(0);
  Manager m(Options());
  ASSERT_TRUE(m.Update({{"a.yml", ParseFile(kFile)}}, Options()).ok());
  ASSERT_TRUE(WaitIterations(m, "alerts", 2));
  const GroupStatus before = *Find(m, "alerts");
  ASSERT_EQ(before.rules[0].alerts.size(), 1u);
  const int64_t active_at = before.rules[0].alerts[0].active_at_ms;

  // Same content: the group keeps running untouched.
  ASSERT_TRUE(m.Update({{"a.yml", ParseFile(kFile)}}, Options()).ok());
  EXPECT_GE(Find(m, "alerts")->iterations_total, before.iterations_total);

  // A changed group: a new one takes over the alert.
  std::string changed = kFile;
  changed += "  - record: extra\n    expr: vector(1)\n";
  ASSERT_TRUE(m.Update({{"a.yml", ParseFile(changed)}}, Options()).ok());
  ASSERT_TRUE(WaitIterations(m, "alerts", before.iterations_total + 2));
  const GroupStatus after = *Find(m, "alerts");
  ASSERT_EQ(after.rules.size(), 2u);
  ASSERT_EQ(after.rules[0].alerts.size(), 1u);
  EXPECT_EQ(after.rules[0].alerts[0].active_at_ms, active_at);
  EXPECT_EQ(after.rules[1].health, RuleHealth::kOk);
}

TEST_F(ManagerTest, RemovedGroupGetsStalenessMarkers) {
  Up(1);
  Manager m(Options());
  ASSERT_TRUE(m.Update({{"a.yml", ParseFile(kFile)}}, Options()).ok());
  ASSERT_TRUE(WaitIterations(m, "rec", 2));
  ASSERT_TRUE(m.Update({}, Options()).ok());
  EXPECT_TRUE(m.Groups().empty());
  const Labels copy = Labels::Of({{"__name__", "up:copy"}, {"instance", "1"}});
  EXPECT_TRUE(strata::testing::WaitFor(
      [&] {
        auto raw = Raw(copy, 0, NowMs() + 1000);
        return !raw.empty() && IsStale(raw.back().second);
      },
      milliseconds(10000)));
}

TEST_F(ManagerTest, FailedUpdateChangesNothing) {
  Up(1);
  Manager m(Options());
  ASSERT_TRUE(m.Update({{"a.yml", ParseFile(kFile)}}, Options()).ok());
  RuleFile bad;
  bad.groups.push_back(RuleGroupSpec{"x", 0, 0, {}});
  RuleSpec rule;
  rule.record = "r";
  rule.expr = "sum(";
  bad.groups[0].rules.push_back(rule);
  strata::Status s = m.Update({{"bad.yml", bad}}, Options());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.Groups().size(), 2u);
}

TEST_F(ManagerTest, MissedIterationsAreCountedNotQueued) {
  // A group whose evaluation takes longer than its interval: every slot it
  // overruns is counted as missed.
  Up(1);
  ManagerOptions o = Options();
  o.default_interval_ms = 20;
  o.notify = nullptr;
  Manager m(o);
  // count_over_time over a long subquery keeps the engine busy.
  ASSERT_TRUE(m.Update({{"a.yml", ParseFile(R"(groups:
- name: slow
  rules:
  - record: slow
    expr: count_over_time(vector(1)[2d:1s])
)")}},
                       o)
                  .ok());
  EXPECT_TRUE(strata::testing::WaitFor(
      [&] {
        auto g = Find(m, "slow");
        return g && g->iterations_missed_total > 0;
      },
      milliseconds(20000)));
  m.Stop();
  auto g = Find(m, "slow");
  EXPECT_LT(g->evaluations_total, g->iterations_total);
}

}  // namespace
}  // namespace strata::rules
