// promtool 2.42's rule unit-test file (cmd/promtool/unittest.go), parsed as
// strictly as promtool's yaml.v2 UnmarshalStrict and with its error wording
// for the common mistakes (unknown fields, wrong types, bad durations).
//
//   rule_files: [<glob relative to the test file>]
//   evaluation_interval: <duration>      # default 1m
//   group_eval_order: [<group name>]
//   tests:
//   - interval: <duration>               # the step of input_series values
//     input_series: [{series: <selector>, values: <expanding notation>}]
//     alert_rule_test: [{eval_time, alertname, exp_alerts: [{exp_labels,
//                        exp_annotations}]}]
//     promql_expr_test: [{expr, eval_time, exp_samples: [{labels, value}]}]
//     external_labels: {<name>: <value>}
//     external_url: <string>
//     name: <string>
//
// Thread-safety: pure functions.
#ifndef STRATA_RULETEST_UNIT_TEST_FILE_H_
#define STRATA_RULETEST_UNIT_TEST_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/labels.h"
#include "strata/status.h"

namespace strata::ruletest {

using StringPairs = std::vector<std::pair<std::string, std::string>>;

struct InputSeries {
  std::string series;  // `metric{label="value"}`
  std::string values;  // `1+1x10 _ stale`
};

struct ExpectedAlert {
  StringPairs labels;  // Without alertname: promtool adds it.
  StringPairs annotations;
};

struct AlertTestCase {
  int64_t eval_time_ms = 0;
  std::string alertname;
  std::vector<ExpectedAlert> exp_alerts;
};

struct ExpectedSample {
  std::string labels;  // Parsed only when the case runs, as promtool does.
  double value = 0;
};

struct PromqlTestCase {
  std::string expr;
  int64_t eval_time_ms = 0;
  std::vector<ExpectedSample> exp_samples;
};

struct TestGroup {
  int64_t interval_ms = 0;  // 0 as promtool leaves it: every value at t=0.
  std::vector<InputSeries> input_series;
  std::vector<AlertTestCase> alert_rule_tests;
  std::vector<PromqlTestCase> promql_expr_tests;
  Labels external_labels;
  std::string external_url;
  std::string name;
};

struct UnitTestFile {
  std::vector<std::string> rule_files;  // As written (globs).
  int64_t evaluation_interval_ms = 0;   // 0: not given (promtool: 1m).
  std::vector<std::string> group_eval_order;
  std::vector<TestGroup> tests;
};

// InvalidArgument with promtool's message ("yaml: unmarshal errors:\n  line
// 3: field x not found in type main.testGroup", "not a valid duration
// string: ...", "yaml: line 2: ..." for syntax errors).
StatusOr<UnitTestFile> ParseUnitTestFile(std::string_view yaml);

}  // namespace strata::ruletest

#endif  // STRATA_RULETEST_UNIT_TEST_FILE_H_
