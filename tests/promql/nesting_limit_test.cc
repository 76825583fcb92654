// Deep or long PromQL must fail with a parse error instead of overflowing
// the stack (issue 15): 20,000 nested parentheses, 100,000 unary minus, a
// 50,000 `^` chain and a 20,000 `1+1+...` chain used to crash the server.
// At the limit, every walk over the tree (type checks, printing, cloning,
// evaluation, destruction) must still fit comfortably on a thread stack.
#include <pthread.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "promql/engine.h"
#include "promql/parser.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "util/log.h"

namespace strata::promql {
namespace {

std::string Repeat(std::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out.append(s);
  return out;
}

// A query whose syntax tree is `n` + 1 levels high (for the unary forms on
// numbers, which fold into the number, the parser's nesting is).
struct DeepForm {
  const char* name;
  std::function<std::string(int n)> make;
};

std::vector<DeepForm> DeepForms() {
  return {
      {"parens", [](int n) { return Repeat("(", n) + "x" + Repeat(")", n); }},
      {"unary minus on a number", [](int n) { return Repeat("-", n) + "1"; }},
      {"unary minus on a vector", [](int n) { return Repeat("-", n) + "x"; }},
      {"pow chain", [](int n) { return "1" + Repeat("^1", n); }},
      {"add chain", [](int n) { return "1" + Repeat("+1", n); }},
      {"or chain", [](int n) { return "x" + Repeat(" or x", n); }},
      {"nested calls",
       [](int n) { return Repeat("abs(", n) + "x" + Repeat(")", n); }},
      {"nested aggregations",
       [](int n) { return Repeat("sum(", n) + "x" + Repeat(")", n); }},
      {"nested parens and minus",
       [](int n) { return Repeat("(-", n) + "x" + Repeat(")", n); }},
      {"subquery chain", [](int n) { return "x" + Repeat("[1m:]", n); }},
  };
}

TEST(NestingLimitTest, DeepQueriesFailWithAParseError) {
  for (const DeepForm& form : DeepForms()) {
    for (int n : {20000, 50000, 100000}) {
      const std::string query = form.make(n);
      const auto start = std::chrono::steady_clock::now();
      StatusOr<ExprPtr> e = ParseExpr(query);
      const double ms = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - start)
                            .count();
      ASSERT_FALSE(e.ok()) << form.name << " " << n;
      EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(e.status().message().find("parse error: "), std::string::npos)
          << e.status().message();
      EXPECT_NE(e.status().message().find("nests too deeply"),
                std::string::npos)
          << form.name << ": " << e.status().message();
      if (n == 20000) {
        std::printf("%-26s n=%d rejected in %.2f ms: %s\n", form.name, n, ms,
                    std::string(e.status().message()).c_str());
      }
    }
  }
}

TEST(NestingLimitTest, ErrorNamesTheLimitAndPosition) {
  StatusOr<ExprPtr> e =
      ParseExpr(Repeat("(", kMaxExprDepth) + "x" + Repeat(")", kMaxExprDepth));
  ASSERT_FALSE(e.ok());
  // The first token past the limit is the `x`.
  EXPECT_EQ(e.status().message(),
            "1:" + std::to_string(kMaxExprDepth + 1) +
                ": parse error: expression nests too deeply (more than " +
                std::to_string(kMaxExprDepth) + " levels)");
}

TEST(NestingLimitTest, ExactLimit) {
  // The tree of parens(n) is n + 1 high; so is the add chain's.
  for (const char* form : {"parens", "add chain", "or chain", "nested calls"}) {
    for (const DeepForm& f : DeepForms()) {
      if (std::string(f.name) != form) continue;
      EXPECT_TRUE(ParseExpr(f.make(kMaxExprDepth - 1)).ok()) << form;
      EXPECT_FALSE(ParseExpr(f.make(kMaxExprDepth)).ok()) << form;
    }
  }
}

TEST(NestingLimitTest, DeepRegexpInAMatcherFailsCleanly) {
  const std::string query =
      "{__name__=~\"" + Repeat("(", 100000) + "a" + Repeat(")", 100000) + "\"}";
  StatusOr<ExprPtr> e = ParseExpr(query);
  if (!e.ok()) {
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  }
}

// Runs `fn` on a thread with a `stack_bytes` stack.
void RunWithStack(size_t stack_bytes, std::function<void()> fn) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, stack_bytes), 0);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, trampoline, &fn), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

// AddressSanitizer's redzones make frames several times larger: at the
// limit the parser needs more than 8 MiB under ASan (make asan runs the
// suite with a 64 MiB stack limit for the same reason).
#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kStackBytes = 64 << 20;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr size_t kStackBytes = 64 << 20;
#else
constexpr size_t kStackBytes = 2 << 20;
#endif
#else
constexpr size_t kStackBytes = 2 << 20;
#endif

class NestingLimitEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel(LogLevel::kWarn);
    auto db = DB::Open(Options{}, dir_.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = *std::move(db);
    auto app = db_->NewAppender();
    for (int64_t t = 0; t <= 600000; t += 15000) {
      ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "x"}}), t, 2).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  strata::testing::TempDir dir_;
  std::unique_ptr<DB> db_;
};

// At the deepest accepted nesting, parsing, printing, cloning, evaluating
// (instant and range) and destroying the tree all work on a thread whose
// stack is a quarter of the usual 8 MiB.
TEST_F(NestingLimitEngineTest, EverythingWorksAtTheLimitOnASmallStack) {
  Engine engine;
  for (const DeepForm& form : DeepForms()) {
    if (std::string(form.name) == "subquery chain") continue;  // Type error.
    RunWithStack(kStackBytes, [&] {
      // Some forms nest two levels per repetition.
      const int n = std::string(form.name) == "nested parens and minus"
                        ? kMaxExprDepth / 2 - 1
                        : kMaxExprDepth - 1;
      const std::string query = form.make(n);
      const auto start = std::chrono::steady_clock::now();
      StatusOr<ExprPtr> e = ParseExpr(query);
      ASSERT_TRUE(e.ok()) << form.name << ": " << e.status().ToString();
      const std::string printed = (*e)->String();
      StatusOr<ExprPtr> again = ParseExpr(printed);
      ASSERT_TRUE(again.ok()) << form.name << ": " << again.status().ToString();
      EXPECT_EQ((*again)->String(), printed) << form.name;
      ExprPtr copy = (*e)->Clone();
      EXPECT_EQ(copy->String(), printed);
      StatusOr<Result> instant = engine.InstantExpr(*db_, **e, 300000);
      EXPECT_TRUE(instant.ok())
          << form.name << ": " << instant.status().ToString();
      StatusOr<Result> range = engine.RangeExpr(*db_, **e, 0, 600000, 60000);
      EXPECT_TRUE(range.ok()) << form.name << ": " << range.status().ToString();
      const double ms = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - start)
                            .count();
      std::printf("%-26s n=%d parsed, printed, evaluated in %.1f ms\n",
                  form.name, n, ms);
    });
  }
}

// A long flat chain costs time linear in its length (printed, not
// asserted: timing depends on the machine).
TEST_F(NestingLimitEngineTest, FlatChainTiming) {
  Engine engine;
  for (int n : {kMaxExprDepth / 8, kMaxExprDepth / 4, kMaxExprDepth / 2,
                kMaxExprDepth - 1}) {
    const std::string query = "x" + Repeat(" + x", n);
    const auto start = std::chrono::steady_clock::now();
    StatusOr<ExprPtr> e = ParseExpr(query);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    const auto parsed = std::chrono::steady_clock::now();
    const std::string printed = (*e)->String();
    const auto printed_at = std::chrono::steady_clock::now();
    StatusOr<Result> r = engine.RangeExpr(*db_, **e, 0, 600000, 15000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const auto done = std::chrono::steady_clock::now();
    auto ms = [](auto a, auto b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    std::printf(
        "x + x ... (%5d terms): parse %.2f ms, print %.2f ms, eval %.2f ms\n",
        n + 1, ms(start, parsed), ms(parsed, printed_at), ms(printed_at, done));
  }
}

}  // namespace
}  // namespace strata::promql
