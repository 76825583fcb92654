// Rule files parsed and validated as promtool 2.42 does: expected messages
// are promtool's own (`promtool check rules`), and a differential test runs
// the real promtool on the same files.
#include "rules/rule_file.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "run_command.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata::rules {
namespace {

constexpr const char* kGood = R"(groups:
  - name: g
    interval: 30s
    limit: 10
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels: {team: a}
      - alert: Down
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        annotations: {summary: "{{ $labels.instance }} down"}
)";

// Several rule and group errors in one file.
constexpr const char* kManyErrors = R"(groups:
  - name: g
    rules:
      - record: "bad name"
        expr: up
        for: 5m
      - alert: A
        expr: sum(
        labels:
          "__name__": x
  - name: g
    rules: []
  - name: ""
    rules:
      - expr: up
)";

constexpr const char* kUnknownFields = R"(groups:
  - name: g
    foo: 1
    rules:
      - record: a
        expr: up
        bar: 2
)";

constexpr const char* kBadDuration = R"(groups:
  - name: g
    interval: 5x
    rules:
      - record: a
        expr: up
)";

constexpr const char* kBothAndAnnotations = R"(groups:
  - name: h
    rules:
      - record: a
        alert: B
        expr: up
      - record: c
        expr: up
        keep_firing_for: 1m
        annotations: {x: y}
        labels: {"0bad": v}
)";

constexpr const char* kBadTemplate = R"(groups:
  - name: t
    rules:
      - alert: Hot
        expr: up > 1
        annotations:
          summary: "{{ $value | nosuchfunc }}"
          fine: "{{ $labels.instance }} is {{ humanize $value }}"
      - record: r
        expr: up
        labels:
          x: "{{ not checked for recording rules"
)";

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(RuleFileTest, ParsesEveryField) {
  ParsedRuleFile parsed = ParseRuleFile(kGood);
  ASSERT_TRUE(parsed.errors.empty()) << parsed.errors[0];
  ASSERT_EQ(parsed.file.groups.size(), 1u);
  const RuleGroupSpec& g = parsed.file.groups[0];
  EXPECT_EQ(g.name, "g");
  EXPECT_EQ(g.interval_ms, 30000);
  EXPECT_EQ(g.limit, 10);
  ASSERT_EQ(g.rules.size(), 2u);
  EXPECT_EQ(g.rules[0].record, "job:up:sum");
  EXPECT_EQ(g.rules[0].expr, "sum by (job) (up)");
  EXPECT_FALSE(g.rules[0].is_alert());
  ASSERT_EQ(g.rules[0].labels.size(), 1u);
  EXPECT_EQ(g.rules[0].labels[0].first, "team");
  EXPECT_EQ(g.rules[0].line, 6);
  EXPECT_TRUE(g.rules[1].is_alert());
  EXPECT_EQ(g.rules[1].name(), "Down");
  EXPECT_EQ(g.rules[1].for_ms, 300000);
  EXPECT_EQ(g.rules[1].keep_firing_for_ms, 60000);
  ASSERT_EQ(g.rules[1].annotations.size(), 1u);
  EXPECT_EQ(g.rules[1].annotations[0].second, "{{ $labels.instance }} down");
}

TEST(RuleFileTest, EmptyFileHasNoGroups) {
  ParsedRuleFile parsed = ParseRuleFile("");
  EXPECT_TRUE(parsed.errors.empty());
  EXPECT_TRUE(parsed.file.groups.empty());
}

// Expected lines are what promtool 2.42 printed for these files.
TEST(RuleFileTest, ErrorsWordedAsPromtool) {
  EXPECT_EQ(
      Sorted(ParseRuleFile(kManyErrors).errors),
      Sorted({
          R"(4:17: group "g", rule 1, "bad name": invalid field 'for' in recording rule)",
          R"(4:17: group "g", rule 1, "bad name": invalid recording rule name: bad name)",
          R"(8:15: group "g", rule 2, "A": could not parse expression: 1:5: parse error: unclosed left parenthesis)",
          R"(group "g", rule 2, "A": invalid label name: __name__)",
          R"(11:5: groupname: "g" is repeated in the same file)",
          R"(13:5: Groupname must not be empty)",
          R"(0:0: group "", rule 1, "": one of 'record' or 'alert' must be set)",
      }));
  EXPECT_EQ(ParseRuleFile(kUnknownFields).errors,
            std::vector<std::string>{
                "yaml: unmarshal errors:\n"
                "  line 3: field foo not found in type rulefmt.RuleGroup\n"
                "  line 7: field bar not found in type rulefmt.RuleNode"});
  EXPECT_EQ(ParseRuleFile(kBadDuration).errors,
            std::vector<std::string>{R"(not a valid duration string: "5x")"});
}

TEST(RuleFileTest, AlertTemplatesMustParse) {
  // promtool 2.42 printed this line for kBadTemplate.
  EXPECT_EQ(
      ParseRuleFile(kBadTemplate).errors,
      std::vector<std::string>{
          R"(group "t", rule 1, "Hot": annotation "summary": template: __alert_Hot:1: function "nosuchfunc" not defined)"});
}

TEST(RuleFileTest, LoadRuleFilePrefixesThePath) {
  testing::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.Join("r.yml");
  std::ofstream(path) << kBadDuration;
  StatusOr<RuleFile> loaded = LoadRuleFile(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(),
            path + R"(: not a valid duration string: "5x")");
  EXPECT_EQ(LoadRuleFile(dir.Join("missing.yml")).status().code(),
            StatusCode::kNotFound);
  std::ofstream(dir.Join("good.yml")) << kGood;
  EXPECT_TRUE(LoadRuleFile(dir.Join("good.yml")).ok());
}

// The lines promtool prints for `file` after "FAILED:", without the
// "<file>: " prefix; empty when it reports SUCCESS. A multi-line error
// (yaml's unmarshal errors) is joined back with "\n".
std::vector<std::string> PromtoolErrors(const std::string& file, int* code) {
  const std::string out =
      testing::RunCommand("promtool check rules '" + file + "' 2>&1", code);
  std::vector<std::string> errors;
  const std::string prefix = file + ": ";
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind(prefix, 0) == 0) {
      errors.push_back(line.substr(prefix.size()));
    } else if (line.rfind("  line ", 0) == 0 && !errors.empty()) {
      errors.back() += "\n" + line;
    }
  }
  return errors;
}

TEST(RuleFileTest, SameVerdictsAndMessagesAsPromtool) {
  int code = 0;
  testing::RunCommand("promtool --version >/dev/null 2>&1", &code);
  if (code != 0) STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
  testing::TempDir dir;
  ASSERT_TRUE(dir.ok());
  int index = 0;
  for (const char* text : {kGood, kManyErrors, kUnknownFields, kBadDuration,
                           kBothAndAnnotations, kBadTemplate}) {
    const std::string path =
        dir.Join("rules" + std::to_string(index++) + ".yml");
    std::ofstream(path) << text;
    int promtool_code = 0;
    const std::vector<std::string> expected =
        PromtoolErrors(path, &promtool_code);
    const ParsedRuleFile parsed = ParseRuleFile(text);
    EXPECT_EQ(promtool_code == 0, parsed.errors.empty()) << path;
    EXPECT_EQ(Sorted(parsed.errors), Sorted(expected)) << text;
  }
}

}  // namespace
}  // namespace strata::rules
