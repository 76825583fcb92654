// Random mutations of Prometheus's test expressions must never crash the
// parser or the engine: every input either fails with a clean error or
// evaluates, and whatever parses prints back to something that parses.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "promql/engine.h"
#include "promql/parser.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_env.h"
#include "test_script.h"
#include "util/log.h"

namespace strata::promql {
namespace {

std::vector<std::string> ConformanceExpressions() {
  std::vector<std::string> out;
  const char* src = std::getenv("STRATA_SOURCE_DIR");
#ifdef STRATA_PROMQL_TEST_SOURCE_DIR
  if (src == nullptr || *src == '\0') src = STRATA_PROMQL_TEST_SOURCE_DIR;
#endif
  if (src == nullptr) return out;
  auto dir =
      std::filesystem::path(src) / ".." / "shared" / "conformance" / "promql";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".test") continue;
    std::ifstream in(entry.path());
    std::stringstream buf;
    buf << in.rdbuf();
    auto cmds = testing::ParseTestScript(buf.str());
    if (!cmds.ok()) continue;
    for (const testing::Command& c : *cmds) {
      if (c.kind == testing::Command::Kind::kEval) out.push_back(c.eval.expr);
    }
  }
  return out;
}

std::string Mutate(const std::string& s, std::mt19937& rng) {
  static const std::string kPieces[] = {
      "(",
      ")",
      "[",
      "]",
      "{",
      "}",
      ",",
      " ",
      "-",
      "+",
      "*",
      "/",
      "^",
      "%",
      "@",
      ":",
      "\"",
      "'",
      "`",
      "\\",
      "5m",
      "1",
      "0",
      "-1",
      "NaN",
      "Inf",
      "offset",
      "by",
      "without",
      "on",
      "ignoring",
      "group_left",
      "bool",
      "and",
      "or",
      "unless",
      "sum",
      "rate",
      "start()",
      "end()",
      "x",
      "=~",
      "!=",
      "1e309",
      "0x",
      "#",
      "\n",
      "\xff",
      "[5m:]",
      "[1m:10s]",
      "le",
      "__name__",
      "\"(\"",
      "1y",
      "0s",
      " @ 9223372036854775 ",
      " @ -9223372036854775.807 ",
      " offset 292y ",
      " offset -292y ",
      "[292y]",
      "[1ms:1ms]",
  };
  std::string out = s;
  std::uniform_int_distribution<int> op(0, 3);
  const int n = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < n; ++i) {
    const size_t pos = out.empty() ? 0 : rng() % (out.size() + 1);
    switch (op(rng)) {
      case 0:  // Delete a run.
        if (!out.empty() && pos < out.size()) {
          out.erase(pos, 1 + rng() % 4);
        }
        break;
      case 1:  // Insert a token.
        out.insert(pos, kPieces[rng() % std::size(kPieces)]);
        break;
      case 2:  // Truncate.
        out.resize(pos);
        break;
      default:  // Duplicate a slice.
        if (!out.empty()) {
          const size_t from = rng() % out.size();
          out.insert(pos, out.substr(from, 1 + rng() % 8));
        }
        break;
    }
  }
  return out;
}

constexpr int kIterations = 10000;

TEST(RobustnessTest, MutatedQueriesFailCleanlyOrEvaluate) {
  std::vector<std::string> exprs = ConformanceExpressions();
  if (exprs.empty()) STRATA_SKIP_OR_FAIL_IF_MISSING("../shared/conformance");
  SetLogLevel(LogLevel::kWarn);
  strata::testing::TempDir tmp("strata-promql-robust");
  const std::string& dir = tmp.path();
  {
    Options options;
    options.block_duration_ms = 100LL * 365 * kMillisPerDay;
    options.retention_ms = 0;
    auto db = DB::Open(options, dir);
    ASSERT_TRUE(db.ok());
    auto app = (*db)->NewAppender();
    for (int64_t t = 0; t <= 3600 * 1000; t += 15000) {
      for (int i = 0; i < 4; ++i) {
        Labels l = Labels::Of({{"__name__", i % 2 ? "x" : "http_requests"},
                               {"job", i < 2 ? "a" : "b"},
                               {"le", i == 3 ? "+Inf" : "0.5"}});
        ASSERT_TRUE(app->Append(l, t, t / 1000.0 * (i + 1)).ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());

    EngineOptions eo;
    eo.max_samples = 200000;
    eo.timeout_ms = 2000;
    Engine engine(eo);
    std::mt19937 rng(42);
    int parsed = 0, evaluated = 0;
    for (int iter = 0; iter < kIterations; ++iter) {
      const std::string q = Mutate(exprs[rng() % exprs.size()], rng);
      StatusOr<ExprPtr> e = ParseExpr(q);
      if (!e.ok()) {
        EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << q;
        EXPECT_NE(e.status().message().find("parse error"), std::string::npos)
            << q << ": " << e.status().message();
        continue;
      }
      ++parsed;
      const std::string printed = (*e)->String();
      StatusOr<ExprPtr> again = ParseExpr(printed);
      ASSERT_TRUE(again.ok()) << q << " printed as " << printed << ": "
                              << again.status().ToString();
      EXPECT_EQ((*again)->String(), printed) << q;
      StatusOr<Result> r = engine.InstantExpr(**db, **e, 1800 * 1000);
      if (r.ok()) ++evaluated;
      if (r.ok() && r->type == ValueType::kVector) {
        EXPECT_EQ((*e)->Type(), ValueType::kVector) << q;
      }
      const ValueType t = (*e)->Type();
      if (t == ValueType::kVector || t == ValueType::kScalar) {
        StatusOr<Result> rr =
            engine.RangeExpr(**db, **e, 600 * 1000, 1200 * 1000, 47000);
        if (rr.ok()) {
          EXPECT_EQ(rr->type, ValueType::kMatrix);
        } else {
          EXPECT_NE(ErrorType(rr.status()), "internal")
              << q << ": " << rr.status().ToString();
        }
      }
    }
    std::printf("%d of %d mutated queries parsed, %d evaluated\n", parsed,
                kIterations, evaluated);
    EXPECT_GT(parsed, kIterations / 10);
  }
}

}  // namespace
}  // namespace strata::promql
