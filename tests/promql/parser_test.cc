#include "promql/parser.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "test_env.h"
#include "test_script.h"

namespace strata::promql {
namespace {

// Fully parenthesized form of binary and unary operations, to check how
// the parser grouped them.
std::string Tree(const Expr& e) {
  switch (e.kind()) {
    case NodeKind::kBinary: {
      const auto& b = e.As<BinaryExpr>();
      return "(" + Tree(*b.lhs) + " " + ItemTypeString(b.op) + " " +
             Tree(*b.rhs) + ")";
    }
    case NodeKind::kUnary: {
      const auto& u = e.As<UnaryExpr>();
      return "(" + ItemTypeString(u.op) + Tree(*u.expr) + ")";
    }
    default:
      return e.String();
  }
}

std::string ParseTree(const std::string& q) {
  StatusOr<ExprPtr> e = ParseExpr(q);
  if (!e.ok()) return "error: " + std::string(e.status().message());
  return Tree(**e);
}

std::string Print(const std::string& q) {
  StatusOr<ExprPtr> e = ParseExpr(q);
  if (!e.ok()) return "error: " + std::string(e.status().message());
  return (*e)->String();
}

std::string Error(const std::string& q) {
  StatusOr<ExprPtr> e = ParseExpr(q);
  if (e.ok()) return "no error";
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  return std::string(e.status().message());
}

TEST(ParserTest, Precedence) {
  EXPECT_EQ(ParseTree("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(ParseTree("1 * 2 + 3"), "((1 * 2) + 3)");
  EXPECT_EQ(ParseTree("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(ParseTree("2 ^ 3 ^ 2"), "(2 ^ (3 ^ 2))");
  EXPECT_EQ(ParseTree("a % b atan2 c / d"), "(((a % b) atan2 c) / d)");
  EXPECT_EQ(ParseTree("a or b and c unless d"), "(a or ((b and c) unless d))");
  EXPECT_EQ(ParseTree("a > b + 1 == bool c"), "((a > (b + 1)) == c)");
  EXPECT_EQ(ParseTree("a + b offset 5m"), "(a + b offset 5m)");
  // Unary minus binds like multiplication: only ^ binds tighter.
  EXPECT_EQ(ParseTree("-2 ^ 2"), "(-(2 ^ 2))");
  EXPECT_EQ(ParseTree("-2^---1*3"), "((-(2 ^ -1)) * 3)");
  EXPECT_EQ(ParseTree("2/-2^---1*3+2"), "(((2 / (-(2 ^ -1))) * 3) + 2)");
  EXPECT_EQ(ParseTree("- - - 1"), "-1");
  EXPECT_EQ(ParseTree("-foo offset 1m"), "(-foo offset 1m)");
}

TEST(ParserTest, PrintsLikePrometheus) {
  EXPECT_EQ(Print("sum by (job) (rate(foo[5m]))"),
            "sum by (job) (rate(foo[5m]))");
  EXPECT_EQ(Print("SUM(foo) WITHOUT (a,b)"), "sum without (a, b) (foo)");
  EXPECT_EQ(Print("topk(3, foo)"), "topk(3, foo)");
  EXPECT_EQ(Print("count_values(\"v\", foo)"), "count_values(\"v\", foo)");
  EXPECT_EQ(Print("foo @ 100 offset -1m"), "foo @ 100.000 offset -1m");
  EXPECT_EQ(Print("foo offset 1m @ 1.5"), "foo @ 1.500 offset 1m");
  EXPECT_EQ(Print("foo[5m] @ start()"), "foo[5m] @ start()");
  EXPECT_EQ(Print("rate(foo[90m:] @ end())"), "rate(foo[1h30m:] @ end())");
  EXPECT_EQ(Print("foo[5m:1m] offset 2h"), "foo[5m:1m] offset 2h");
  EXPECT_EQ(Print("foo{b='1', a=~\"x\"}"), "foo{a=~\"x\",b=\"1\"}");
  EXPECT_EQ(Print("{__name__=~\"a.*\"}"), "{__name__=~\"a.*\"}");
  EXPECT_EQ(Print("a * on(x) group_left(y) b"), "a * on (x) group_left (y) b");
  EXPECT_EQ(Print("a / ignoring(x) group_right b"),
            "a / ignoring (x) group_right () b");
  EXPECT_EQ(Print("a == bool 1"), "a == bool 1");
  EXPECT_EQ(Print("a and on() b"), "a and on () b");
  EXPECT_EQ(Print("1e6"), "1e+06");
  EXPECT_EQ(Print("0x10"), "16");
  EXPECT_EQ(Print("010"), "8");  // Go's ParseInt: a leading 0 means octal.
  EXPECT_EQ(Print("-inf"), "-Inf");
  EXPECT_EQ(Print("NaN"), "NaN");
  EXPECT_EQ(Print("\"a\\nb\""), "\"a\\nb\"");
  EXPECT_EQ(Print("`a\\nb`"), "\"a\\\\nb\"");
  EXPECT_EQ(Print("(foo)"), "(foo)");
  EXPECT_EQ(Print("-foo"), "-foo");
  EXPECT_EQ(Print("time()"), "time()");
  EXPECT_EQ(Print("foo # a comment\n + 1"), "foo + 1");
}

TEST(ParserTest, Types) {
  EXPECT_EQ((*ParseExpr("1 + 1"))->Type(), ValueType::kScalar);
  EXPECT_EQ((*ParseExpr("foo + 1"))->Type(), ValueType::kVector);
  EXPECT_EQ((*ParseExpr("foo[5m]"))->Type(), ValueType::kMatrix);
  EXPECT_EQ((*ParseExpr("foo[5m:]"))->Type(), ValueType::kMatrix);
  EXPECT_EQ((*ParseExpr("scalar(foo)"))->Type(), ValueType::kScalar);
  EXPECT_EQ((*ParseExpr("\"x\""))->Type(), ValueType::kString);
  EXPECT_EQ((*ParseExpr("(foo[5m])"))->Type(), ValueType::kMatrix);
  // Set operators always match many-to-many.
  ExprPtr e = *ParseExpr("a or b");
  EXPECT_EQ(e->As<BinaryExpr>().matching->card,
            VectorMatching::Card::kManyToMany);
  // Matching is dropped unless both sides are vectors.
  e = *ParseExpr("a + 1");
  EXPECT_FALSE(e->As<BinaryExpr>().matching.has_value());
}

TEST(ParserTest, Errors) {
  EXPECT_EQ(Error(""), "1:1: parse error: no expression found in input");
  EXPECT_EQ(Error("foo{"),
            "1:5: parse error: unexpected end of input inside braces");
  EXPECT_EQ(Error("rate(foo)"),
            "1:6: parse error: expected type range vector in call to function "
            "\"rate\", got instant vector");
  EXPECT_EQ(Error("{}"),
            "1:1: parse error: vector selector must contain at least one "
            "non-empty matcher");
  EXPECT_EQ(Error("{a=\"\", b=~\".*\"}"),
            "1:1: parse error: vector selector must contain at least one "
            "non-empty matcher");
  EXPECT_EQ(Error("foo{__name__=\"bar\"}"),
            "1:1: parse error: metric name must not be set twice: \"foo\" or "
            "\"bar\"");
  EXPECT_EQ(Error("1 > 2"),
            "1:3: parse error: comparisons between scalars must use BOOL "
            "modifier");
  EXPECT_EQ(Error("foo + bool 1"),
            "1:5: parse error: bool modifier can only be used on comparison "
            "operators");
  EXPECT_EQ(Error("nofunc(1)"),
            "1:1: parse error: unknown function with name \"nofunc\"");
  EXPECT_EQ(Error("sum(1, 2)"),
            "1:1: parse error: wrong number of arguments for aggregate "
            "expression provided, expected 1, got 2");
  EXPECT_EQ(Error("topk(foo)"),
            "1:1: parse error: wrong number of arguments for aggregate "
            "expression provided, expected 2, got 1");
  EXPECT_EQ(Error("round(foo, 1, 2)"),
            "1:1: parse error: expected at most 2 argument(s) in call to "
            "\"round\", got 3");
  EXPECT_EQ(Error("label_join(foo)"),
            "1:1: parse error: expected at least 3 argument(s) in call to "
            "\"label_join\", got 1");
  EXPECT_EQ(Error("foo offset"),
            "1:11: parse error: unexpected end of input in offset, expected "
            "duration");
  EXPECT_EQ(Error("1 + foo[5m]"),
            "1:5: parse error: binary expression must contain only scalar and "
            "instant vector types");
  EXPECT_EQ(Error("foo[0s]"),
            "1:5: parse error: duration must be greater than 0");
  EXPECT_EQ(Error("foo[5]"),
            "1:5: parse error: missing unit character in duration");
  EXPECT_EQ(Error("foo @ bar"),
            "1:7: parse error: unexpected identifier \"bar\" in @, expected "
            "timestamp");
  EXPECT_EQ(Error("foo and 1"),
            "1:1: parse error: set operator \"and\" not allowed in binary "
            "scalar expression");
  EXPECT_EQ(Error("(foo) offset 5m"),
            "1:1: parse error: offset modifier must be preceded by an instant "
            "vector selector or range vector selector or a subquery");
  EXPECT_EQ(Error("foo offset 5m[5m]"),
            "1:14: parse error: no offset modifiers allowed before range");
  EXPECT_EQ(Error("rate(foo[5m],)"),
            "1:13: parse error: trailing commas not allowed in function call "
            "args");
  EXPECT_EQ(Error("foo bar"),
            "1:5: parse error: unexpected identifier \"bar\"");
  EXPECT_EQ(Error("foo +\n  bar baz"),
            "2:7: parse error: unexpected identifier \"baz\"");
  EXPECT_EQ(Error("sum by (a:b) (x)"),
            "1:9: parse error: unexpected metric identifier \"a:b\" in "
            "grouping opts, expected label");
  EXPECT_EQ(Error("foo{a!b}"),
            "1:6: parse error: unexpected character after '!' inside braces: "
            "'b'");
  EXPECT_EQ(Error("foo{a~\"b\"}"),
            "1:6: parse error: unexpected character inside braces: '~'");
  EXPECT_EQ(Error("-\"x\""),
            "1:1: parse error: unary expression only allowed on expressions "
            "of type scalar or instant vector, got \"string\"");
  EXPECT_EQ(Error("foo[5m][5m:]"),
            "1:1: parse error: subquery is only allowed on instant vector, "
            "got matrix instead");
  EXPECT_EQ(Error("a * on(x) group_left(x) b"),
            "1:3: parse error: label \"x\" must not occur in ON and GROUP "
            "clause at once");
  EXPECT_EQ(Error("a and on(x) group_left b"),
            "1:1: parse error: no grouping allowed for \"and\" operation");
  EXPECT_EQ(Error("count_values(1, foo)"),
            "1:14: parse error: expected type string in aggregation "
            "parameter, got scalar");
  EXPECT_NE(Error("foo{a=~\"(\"}").find("error parsing regexp"),
            std::string::npos);
  EXPECT_EQ(Error("foo @ 1 @ 2"),
            "1:1: parse error: @ <timestamp> may not be set multiple times");
}

TEST(ParserTest, MetricSelector) {
  StatusOr<std::vector<Matcher>> m = ParseMetricSelector("up{job=\"x\"}");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].ToString(), "job=\"x\"");
  EXPECT_EQ((*m)[1].ToString(), "__name__=\"up\"");
  m = ParseMetricSelector("{a=~\"b|c\"}");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), 1u);
  EXPECT_FALSE(ParseMetricSelector("up + 1").ok());
  EXPECT_FALSE(ParseMetricSelector("rate(up[5m])").ok());
}

std::vector<std::string> Strings(const std::vector<Matcher>& ms) {
  std::vector<std::string> out;
  for (const Matcher& m : ms) out.push_back(m.ToString());
  return out;
}

// The API's match[] selectors (series, labels, delete_series) and
// strata-tsdb's --match, as Prometheus's parser.ParseMetricSelector takes
// them.
TEST(ParserTest, MetricSelectorSyntax) {
  EXPECT_EQ(Strings(ParseMetricSelector("up").value()),
            (std::vector<std::string>{"__name__=\"up\""}));
  EXPECT_EQ(Strings(ParseMetricSelector(
                        " node:cpu:rate5m { job = \"n\" , mode!~'idle|iowait',"
                        " path=~`C:\\\\x`, a!=\"\\\"q\\u00e9\\x41\\101\\n\", }")
                        .value()),
            (std::vector<std::string>{"job=\"n\"", "mode!~\"idle|iowait\"",
                                      "path=~\"C:\\\\\\\\x\"",
                                      "a!=\"\\\"q\xc3\xa9"
                                      "AA\\n\"",
                                      "__name__=\"node:cpu:rate5m\""}));
  EXPECT_EQ(ParseMetricSelector("{__name__=~\"x.*\"}").value().size(), 1u);
  // Prometheus leaves rejecting these to the caller (the API does; see
  // server/api_params.cc), or accepts them outright.
  EXPECT_TRUE(ParseMetricSelector("{}").value().empty());
  EXPECT_EQ(ParseMetricSelector("{job=~\".*\"}").value().size(), 1u);
  EXPECT_EQ(ParseMetricSelector("up{__name__=\"x\"}").value().size(), 2u);
}

TEST(ParserTest, MetricSelectorErrors) {
  for (const char* bad :
       {"", "up{", "up{job}", "up{job=x}", "up{job=\"x\"",
        "up{job=\"x\" a=\"b\"}", "up{job=\"\\q\"}", "up trailing",
        "{job=\"unterminated}", "9up", "up{9a=\"x\"}", "up{a=~\"(\"}"}) {
    EXPECT_FALSE(ParseMetricSelector(bad).ok()) << bad;
  }
  // Messages as Prometheus 2.42 returns them from /api/v1/series.
  EXPECT_EQ(ParseMetricSelector("up{").status().message(),
            "1:4: parse error: unexpected end of input inside braces");
  EXPECT_EQ(ParseMetricSelector("rate(up[5m])").status().message(),
            "1:5: parse error: unexpected \"(\"");
  EXPECT_EQ(ParseMetricSelector("up{a=\"\\q\"}").status().message(),
            "1:6: parse error: unknown escape sequence U+0071 'q'");
}

std::optional<std::filesystem::path> ConformanceDir() {
  const char* src = std::getenv("STRATA_SOURCE_DIR");
#ifdef STRATA_PROMQL_TEST_SOURCE_DIR
  if (src == nullptr || *src == '\0') src = STRATA_PROMQL_TEST_SOURCE_DIR;
#endif
  if (src == nullptr) return std::nullopt;
  auto dir =
      std::filesystem::path(src) / ".." / "shared" / "conformance" / "promql";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

// Every expression of Prometheus's test suite prints to a string that
// parses back to the same tree.
TEST(ParserTest, PrinterRoundTripsConformanceExpressions) {
  auto dir = ConformanceDir();
  if (!dir) STRATA_SKIP_OR_FAIL_IF_MISSING("../shared/conformance");
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(*dir)) {
    if (entry.path().extension() != ".test") continue;
    std::ifstream in(entry.path());
    std::stringstream buf;
    buf << in.rdbuf();
    auto cmds = testing::ParseTestScript(buf.str());
    ASSERT_TRUE(cmds.ok()) << entry.path() << cmds.status().ToString();
    for (const testing::Command& c : *cmds) {
      if (c.kind != testing::Command::Kind::kEval) continue;
      StatusOr<ExprPtr> e = ParseExpr(c.eval.expr);
      ASSERT_TRUE(e.ok()) << c.eval.expr << ": " << e.status().ToString();
      const std::string printed = (*e)->String();
      StatusOr<ExprPtr> again = ParseExpr(printed);
      ASSERT_TRUE(again.ok()) << printed << ": " << again.status().ToString();
      EXPECT_EQ((*again)->String(), printed) << c.eval.expr;
      EXPECT_EQ(Tree(**again), Tree(**e)) << c.eval.expr;
      EXPECT_EQ((*again)->Type(), (*e)->Type()) << c.eval.expr;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 566);
}

}  // namespace
}  // namespace strata::promql
