#include "ruletest/unit_test_file.h"

#include <cmath>

#include "gtest/gtest.h"

namespace strata::ruletest {
namespace {

TEST(UnitTestFileTest, ParsesEveryField) {
  StatusOr<UnitTestFile> f = ParseUnitTestFile(R"(
rule_files: [a.yml, "rules/*.yml"]
evaluation_interval: 30s
group_eval_order: [g1, g2]
tests:
  - interval: 1m
    name: t
    external_labels: {cluster: eu}
    external_url: http://x
    input_series:
      - series: 'up{job="a"}'
        values: 1 2 _ stale
    alert_rule_test:
      - eval_time: 5m
        alertname: A
        exp_alerts:
          - exp_labels: {severity: page}
            exp_annotations: {summary: s}
    promql_expr_test:
      - expr: up
        eval_time: 1m
        exp_samples:
          - labels: 'up{job="a"}'
            value: 0x10
          - labels: '{}'
            value: -.inf
)");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->rule_files, (std::vector<std::string>{"a.yml", "rules/*.yml"}));
  EXPECT_EQ(f->evaluation_interval_ms, 30000);
  EXPECT_EQ(f->group_eval_order, (std::vector<std::string>{"g1", "g2"}));
  ASSERT_EQ(f->tests.size(), 1u);
  const TestGroup& g = f->tests[0];
  EXPECT_EQ(g.interval_ms, 60000);
  EXPECT_EQ(g.name, "t");
  EXPECT_EQ(g.external_labels, Labels::Of({{"cluster", "eu"}}));
  EXPECT_EQ(g.external_url, "http://x");
  ASSERT_EQ(g.input_series.size(), 1u);
  EXPECT_EQ(g.input_series[0].values, "1 2 _ stale");
  ASSERT_EQ(g.alert_rule_tests.size(), 1u);
  EXPECT_EQ(g.alert_rule_tests[0].eval_time_ms, 300000);
  ASSERT_EQ(g.alert_rule_tests[0].exp_alerts.size(), 1u);
  EXPECT_EQ(g.alert_rule_tests[0].exp_alerts[0].labels,
            (StringPairs{{"severity", "page"}}));
  ASSERT_EQ(g.promql_expr_tests.size(), 1u);
  ASSERT_EQ(g.promql_expr_tests[0].exp_samples.size(), 2u);
  EXPECT_EQ(g.promql_expr_tests[0].exp_samples[0].value, 16);
  EXPECT_TRUE(std::isinf(g.promql_expr_tests[0].exp_samples[1].value));
}

TEST(UnitTestFileTest, EmptyFileHasNoTests) {
  StatusOr<UnitTestFile> f = ParseUnitTestFile("");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->tests.empty());
}

TEST(UnitTestFileTest, UnmarshalErrorsAsYamlV2WordsThem) {
  StatusOr<UnitTestFile> f = ParseUnitTestFile(R"(tests:
  - interval: 1m
    inputs: []
    promql_expr_test:
      - expr: up
        exp_samples:
          - value: [1]
          - value: "2"
          - value: abcdefghijkl
)");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(),
            "yaml: unmarshal errors:\n"
            "  line 3: field inputs not found in type main.testGroup\n"
            "  line 7: cannot unmarshal !!seq into float64\n"
            "  line 8: cannot unmarshal !!str `2` into float64\n"
            "  line 9: cannot unmarshal !!str `abcdefg...` into float64");
}

TEST(UnitTestFileTest, BadDurationEndsDecoding) {
  StatusOr<UnitTestFile> f = ParseUnitTestFile(R"(tests:
  - interval: 1 minute
    unknown: 1
)");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), "not a valid duration string: \"1 minute\"");
}

TEST(UnitTestFileTest, RootOfTheWrongType) {
  StatusOr<UnitTestFile> f = ParseUnitTestFile("- a\n");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(),
            "yaml: unmarshal errors:\n"
            "  line 1: cannot unmarshal !!seq into main.unitTestFile");
}

}  // namespace
}  // namespace strata::ruletest
