// `strata-tsdb check rules` against the real `promtool check rules` 2.42 on
// the same files: the same stdout, the same stderr and the same exit code.
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "run_command.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata::testing {
namespace {

struct ToolRun {
  std::string out;
  std::string err;
  int code = 0;
};

ToolRun RunTool(const std::string& command, const std::string& args,
                const TempDir& dir) {
  ToolRun run;
  const std::string err_path = dir.Join("stderr.txt");
  run.out =
      RunCommand(command + " " + args + " 2>'" + err_path + "'", &run.code);
  std::ifstream err(err_path);
  run.err.assign(std::istreambuf_iterator<char>(err),
                 std::istreambuf_iterator<char>());
  return run;
}

class CheckRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int code = 0;
    RunCommand("promtool --version >/dev/null 2>&1", &code);
    if (code != 0) STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
    ASSERT_TRUE(dir_.ok());
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.Join(name);
    std::ofstream(path) << text;
    return path;
  }

  // Runs both tools with `args` and expects the same output and exit code
  // (an error message that names the program names its own).
  void ExpectSameAsPromtool(const std::string& args, int expected_code) {
    const ToolRun ours = RunTool(
        BinaryDir() + "/tools/strata-tsdb/strata-tsdb check rules", args, dir_);
    const ToolRun theirs = RunTool("promtool check rules", args, dir_);
    EXPECT_EQ(theirs.code, expected_code) << theirs.out << theirs.err;
    EXPECT_EQ(ours.code, theirs.code) << ours.out << ours.err;
    EXPECT_EQ(ours.out, theirs.out);
    std::string expected_err = theirs.err;
    if (expected_err.rfind("promtool: ", 0) == 0) {
      expected_err.replace(0, 8, "strata-tsdb");
    }
    EXPECT_EQ(ours.err, expected_err);
  }

  TempDir dir_;
};

TEST_F(CheckRulesTest, ValidFiles) {
  const std::string a = Write("a.yml", R"(groups:
  - name: g
    interval: 30s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: Down
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels: {severity: page}
        annotations: {summary: "down"}
)");
  const std::string empty = Write("empty.yml", "");
  ExpectSameAsPromtool("'" + a + "' '" + empty + "'", 0);
}

TEST_F(CheckRulesTest, InvalidFileFailsWithPromtoolsMessages) {
  const std::string good = Write("good.yml", R"(groups:
  - name: g
    rules:
      - record: a
        expr: up
)");
  const std::string bad = Write("bad.yml", R"(groups:
  - name: g
    rules:
      - record: "bad name"
        expr: rate(x[5m]
  - name: g
    rules: []
)");
  ExpectSameAsPromtool("'" + good + "' '" + bad + "'", 1);
  ExpectSameAsPromtool("'" + dir_.Join("missing.yml") + "'", 1);
}

// go-yaml v3's decoding: type errors name the resolved tag and the value
// (cut past 10 bytes), a float is truncated into an int, null groups and
// rules are dropped, an empty duration is its own error.
TEST_F(CheckRulesTest, DecodesAsGoYamlV3) {
  const std::string types = Write("types.yml", R"(groups:
  - name: a
    limit: true
    rules:
      - record: r
        expr: up
        labels: {a: [1]}
  - name: b
    interval: [1]
    limit: abcdefghijklmnop
    rules: ~
)");
  ExpectSameAsPromtool("'" + types + "'", 1);
  const std::string nulls = Write("nulls.yml", R"(groups:
  - ~
  - name: a
    limit: 1.5
    rules: [~, {record: r, expr: up}]
)");
  ExpectSameAsPromtool("'" + nulls + "'", 0);
  const std::string empty_for = Write("empty_for.yml", R"(groups:
  - name: a
    rules: [{alert: A, expr: up, for: ""}]
)");
  ExpectSameAsPromtool("'" + empty_for + "'", 1);
}

// rulefmt.Parse decodes twice (strictly, then into yaml.Nodes): a document
// or `groups` of the wrong shape is reported by both passes, each naming
// its own types; record, alert and expr are yaml.Nodes, so a map or a
// sequence there is no type error but an empty value.
TEST_F(CheckRulesTest, ShapeErrorsAsRulefmtsTwoPasses) {
  ExpectSameAsPromtool("'" + Write("seq.yml", "- a\n- b\n") + "'", 1);
  ExpectSameAsPromtool("'" + Write("scalar.yml", "hello\n") + "'", 1);
  ExpectSameAsPromtool("'" + Write("int.yml", "groups: 5\n") + "'", 1);
  ExpectSameAsPromtool("'" + Write("map.yml", "groups: {a: b}\n") + "'", 1);
  const std::string nodes = Write("nodes.yml", R"(groups:
- name: a
  rules:
  - record: [x]
    expr: {a: 1}
  - alert: {b: 1}
    expr: [up]
  - record: 5
    expr: 7
)");
  ExpectSameAsPromtool("'" + nodes + "'", 1);
}

TEST_F(CheckRulesTest, DuplicateRulesAreALintFinding) {
  const std::string dup = Write("dup.yml", R"(groups:
  - name: g1
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels: {b: "2", a: "1"}
  - name: g2
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels: {a: "1", b: "2"}
      - alert: X
        expr: up == 0
      - alert: X
        expr: up == 1
)");
  ExpectSameAsPromtool("'" + dup + "'", 0);
  ExpectSameAsPromtool("--lint-fatal '" + dup + "'", 3);
  ExpectSameAsPromtool("--lint=none --lint-fatal '" + dup + "'", 0);
  // --lint is a comma-separated list; an unknown item is only a warning.
  ExpectSameAsPromtool("--lint=bogus,none --lint-fatal '" + dup + "'", 0);
  ExpectSameAsPromtool("--lint=none,all --lint-fatal '" + dup + "'", 3);
  ExpectSameAsPromtool("--extended '" + dup + "'", 0);
}

TEST_F(CheckRulesTest, MissingArgumentIsAUsageErrorWithExitCode1) {
  ExpectSameAsPromtool("", 1);
  ExpectSameAsPromtool("--lint-fatal", 1);
}

}  // namespace
}  // namespace strata::testing

namespace strata::testing {
namespace {

// Rule files go through the same PromQL parser as queries: an expression
// nested past its limit is a rule error for `check rules` and `test rules`,
// not a stack overflow (issue 15). promtool accepts such files (Go's stack
// grows), so this is not compared with it.
TEST_F(CheckRulesTest, DeeplyNestedExpressionIsAnErrorNotACrash) {
  const std::string deep =
      std::string(20000, '(') + "up" + std::string(20000, ')');
  const std::string rules = Write("deep.yml",
                                  "groups:\n  - name: g\n"
                                  "    rules:\n"
                                  "      - record: r\n"
                                  "        expr: '" +
                                      deep + "'\n");
  const ToolRun check =
      RunTool(BinaryDir() + "/tools/strata-tsdb/strata-tsdb check rules",
              "'" + rules + "'", dir_);
  EXPECT_EQ(check.code, 1) << check.out << check.err;
  EXPECT_NE((check.out + check.err).find("expression nests too deeply"),
            std::string::npos)
      << check.out << check.err;

  const std::string test = Write(
      "test.yml", "rule_files: ['" + rules +
                      "']\ntests:\n  - interval: 1m\n    input_series: []\n");
  const ToolRun run =
      RunTool(BinaryDir() + "/tools/strata-tsdb/strata-tsdb test rules",
              "'" + test + "'", dir_);
  EXPECT_EQ(run.code, 1) << run.out << run.err;
  EXPECT_NE((run.out + run.err).find("expression nests too deeply"),
            std::string::npos)
      << run.out << run.err;
}

}  // namespace
}  // namespace strata::testing
