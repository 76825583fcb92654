// One entry of a unit-test file's `tests` (promtool's testGroup.test): the
// input series loaded lazily into a fresh DB, the rule groups evaluated
// every evaluation_interval from t=0 to the latest eval_time, alerts
// compared at each alert_rule_test's eval_time (with the evaluation at the
// start of the interval holding it) and promql_expr_test queries run at
// the end.
//
// Thread-safety: independent calls may run concurrently.
#ifndef STRATA_RULETEST_TEST_GROUP_H_
#define STRATA_RULETEST_TEST_GROUP_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ruletest/unit_test_file.h"

namespace strata::ruletest {

struct TestGroupContext {
  int64_t evaluation_interval_ms = 60000;
  // group_eval_order: a group's position (groups not listed count as 0).
  std::map<std::string, int> group_order;
  // Paths of the rule files, resolved and globbed.
  std::vector<std::string> rule_files;
};

// promtool's errors for the group, in its order; empty when it passed.
std::vector<std::string> RunTestGroup(const TestGroup& group,
                                      const TestGroupContext& context);

}  // namespace strata::ruletest

#endif  // STRATA_RULETEST_TEST_GROUP_H_
