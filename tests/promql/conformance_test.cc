// Runs Prometheus 2.42's PromQL test scripts (promql/testdata/*.test, kept
// in ../shared/conformance/promql) against strata::DB and the PromQL engine,
// the way Prometheus's own harness (promql/test.go) runs them: every eval
// also runs as a range query around its time, and (unless the expression
// uses a time-dependent function) again with `@ <time>` pinned on every
// selector and evaluated at other times.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
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

namespace strata::promql::testing {
namespace {

// The floors this test enforces; raise them as the engine improves.
struct FileFloor {
  const char* file;
  int min_passed;
};
constexpr FileFloor kFiles[] = {
    {"aggregators.test", 83},    {"at_modifier.test", 33},
    {"collision.test", 2},       {"functions.test", 207},
    {"histograms.test", 38},     {"literals.test", 20},
    {"operators.test", 94},      {"selectors.test", 31},
    {"staleness.test", 14},      {"subquery.test", 25},
    {"trig_functions.test", 19},
};
constexpr int kMinPassed = 566;
constexpr int kTotalEvals = 566;

std::optional<std::filesystem::path> ConformanceDir() {
  const char* src = std::getenv("STRATA_SOURCE_DIR");
#ifdef STRATA_PROMQL_TEST_SOURCE_DIR
  if (src == nullptr || *src == '\0') src = STRATA_PROMQL_TEST_SOURCE_DIR;
#endif
  if (src == nullptr) return std::nullopt;
  std::filesystem::path dir =
      std::filesystem::path(src) / ".." / "shared" / "conformance" / "promql";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

using strata::testing::TempDir;

// Prometheus's almostEqual: relative tolerance 1e-6, NaN equals NaN.
bool AlmostEqual(double a, double b) {
  constexpr double kEpsilon = 0.000001;
  const double min_normal = std::bit_cast<double>(uint64_t{0x0010000000000000});
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || diff < min_normal)
    return diff < kEpsilon * min_normal;
  return diff / (std::fabs(a) + std::fabs(b)) < kEpsilon;
}

std::string Fmt(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

Status CompareVector(const EvalCmd& cmd, const Vector& got) {
  std::vector<bool> seen(cmd.expected.size(), false);
  for (size_t pos = 0; pos < got.size(); ++pos) {
    const Sample& s = got[pos];
    auto it = std::find_if(
        cmd.expected.begin(), cmd.expected.end(),
        [&](const EvalCmd::Expected& e) { return e.labels == s.metric; });
    if (it == cmd.expected.end()) {
      return Status::FailedPrecondition("unexpected metric " +
                                        s.metric.ToString() + " in result");
    }
    if (cmd.ordered && it->pos != static_cast<int>(pos) + 1) {
      return Status::FailedPrecondition(
          "expected metric " + s.metric.ToString() + " at position " +
          std::to_string(it->pos) + " but was at " + std::to_string(pos + 1));
    }
    if (!AlmostEqual(it->value, s.v)) {
      return Status::FailedPrecondition("expected " + Fmt(it->value) + " for " +
                                        s.metric.ToString() + " but got " +
                                        Fmt(s.v));
    }
    seen[it - cmd.expected.begin()] = true;
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) {
      return Status::FailedPrecondition("expected metric " +
                                        cmd.expected[i].labels.ToString() +
                                        " not found");
    }
  }
  if (cmd.scalar.has_value()) {
    return Status::FailedPrecondition("expected scalar " + Fmt(*cmd.scalar) +
                                      " but got a vector");
  }
  return Status::OK();
}

Status CompareResult(const EvalCmd& cmd, const Result& r) {
  switch (r.type) {
    case ValueType::kVector:
      return CompareVector(cmd, r.vector);
    case ValueType::kScalar:
      if (!cmd.scalar.has_value()) {
        return Status::FailedPrecondition("got scalar " + Fmt(r.scalar) +
                                          " but expected a vector");
      }
      if (!AlmostEqual(*cmd.scalar, r.scalar)) {
        return Status::FailedPrecondition("expected scalar " +
                                          Fmt(*cmd.scalar) + " but got " +
                                          Fmt(r.scalar));
      }
      return Status::OK();
    case ValueType::kMatrix:
      return Status::FailedPrecondition(
          "received range result on instant evaluation");
    default:
      return Status::FailedPrecondition("unexpected result type");
  }
}

struct Query {
  ExprPtr expr;
  int64_t t;
};

// test.go's atModifierTestCases: pin `@ <eval time>` on every selector and
// subquery not inside a subquery that has one, then evaluate at other
// times; skipped for expressions using time-dependent functions.
std::vector<Query> AtModifierTestCases(const Expr& expr, int64_t ts) {
  ExprPtr e = expr.Clone();
  bool unsafe = false;
  Inspect(*e, [&](Expr& node, const std::vector<Expr*>& path) {
    for (const Expr* p : path) {
      if (p->kind() == NodeKind::kSubquery &&
          p->As<SubqueryExpr>().timestamp_ms.has_value()) {
        return;
      }
    }
    switch (node.kind()) {
      case NodeKind::kVectorSelector: {
        auto& vs = node.As<VectorSelector>();
        if (!vs.timestamp_ms) vs.timestamp_ms = ts;
        break;
      }
      case NodeKind::kMatrixSelector: {
        auto& vs = node.As<MatrixSelector>().selector();
        if (!vs.timestamp_ms) vs.timestamp_ms = ts;
        break;
      }
      case NodeKind::kSubquery: {
        auto& sq = node.As<SubqueryExpr>();
        if (!sq.timestamp_ms) sq.timestamp_ms = ts;
        break;
      }
      case NodeKind::kCall:
        if (IsAtModifierUnsafe(node.As<Call>().func->id)) unsafe = true;
        break;
      default:
        break;
    }
  });
  std::vector<Query> out;
  if (unsafe) return out;
  std::vector<int64_t> times = {-10 * ts, 0, ts / 5, ts, 10 * ts};
  if (ts == 0) times = {-1000, 0, 1000};
  for (int64_t t : times) out.push_back({e->Clone(), t});
  return out;
}

// Queries run so far (instant and range), for the report.
int64_t g_queries = 0;

Status RunEval(const Engine& engine, DB& db, const EvalCmd& cmd) {
  StatusOr<ExprPtr> parsed = ParseExpr(cmd.expr);
  if (!parsed.ok()) return parsed.status();
  std::vector<Query> queries;
  queries.push_back({(*parsed)->Clone(), cmd.at_ms});
  for (Query& q : AtModifierTestCases(**parsed, cmd.at_ms)) {
    queries.push_back(std::move(q));
  }
  for (const Query& q : queries) {
    const std::string where =
        " (query " + q.expr->String() + " at " + std::to_string(q.t) + "ms)";
    ++g_queries;
    StatusOr<Result> res = engine.InstantExpr(db, *q.expr, q.t);
    if (!res.ok()) {
      if (cmd.fail) continue;
      return res.status().WithContext("error evaluating" + where);
    }
    if (cmd.fail) {
      return Status::FailedPrecondition("expected an error but got none" +
                                        where);
    }
    Status s = CompareResult(cmd, *res);
    if (!s.ok()) return s.WithContext("instant" + where);

    // The same at the middle step of a range query.
    ++g_queries;
    StatusOr<Result> range =
        engine.RangeExpr(db, *q.expr, q.t - 60000, q.t + 60000, 60000);
    if (!range.ok()) {
      return range.status().WithContext("error in range mode" + where);
    }
    if (cmd.ordered) continue;  // Range results have no defined order.
    Vector vec;
    for (const Series& series : range->matrix) {
      for (const Point& p : series.points) {
        if (p.t == q.t) {
          vec.push_back({series.metric, p.t, p.v});
          break;
        }
      }
    }
    Result as_instant;
    if (res->type == ValueType::kScalar) {
      if (vec.empty()) {
        return Status::FailedPrecondition("no scalar in range mode" + where);
      }
      as_instant.type = ValueType::kScalar;
      as_instant.scalar = vec[0].v;
    } else {
      as_instant.type = ValueType::kVector;
      as_instant.vector = std::move(vec);
    }
    s = CompareResult(cmd, as_instant);
    if (!s.ok()) return s.WithContext("range mode" + where);
  }
  return Status::OK();
}

struct FileResult {
  int passed = 0;
  int failed = 0;
  std::vector<std::string> failures;
};

class TestDB {
 public:
  Status Reset() {
    db_.reset();
    dir_ = std::make_unique<TempDir>();
    Options options;
    // Old samples must never be out of the head's bounds.
    options.block_duration_ms = 100LL * 365 * kMillisPerDay;
    options.retention_ms = 0;
    options.wal_compression = false;
    StatusOr<std::unique_ptr<DB>> db = DB::Open(options, dir_->path());
    if (!db.ok()) return db.status();
    db_ = *std::move(db);
    return Status::OK();
  }
  DB& db() { return *db_; }

  Status Load(const LoadCmd& load) {
    struct Pending {
      int64_t t;
      size_t series;
      double v;
    };
    std::vector<Pending> samples;
    for (size_t i = 0; i < load.series.size(); ++i) {
      const auto& values = load.series[i].values;
      for (size_t j = 0; j < values.size(); ++j) {
        if (values[j].omitted) continue;
        samples.push_back(
            {static_cast<int64_t>(j) * load.step_ms, i, values[j].value});
      }
    }
    std::stable_sort(
        samples.begin(), samples.end(),
        [](const Pending& a, const Pending& b) { return a.t < b.t; });
    std::unique_ptr<Appender> app = db_->NewAppender();
    for (const Pending& p : samples) {
      StatusOr<SeriesRef> ref =
          app->Append(load.series[p.series].labels, p.t, p.v);
      if (!ref.ok()) return ref.status();
    }
    return app->Commit();
  }

 private:
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<DB> db_;
};

FileResult RunScript(std::string_view script, const std::string& name) {
  FileResult r;
  StatusOr<std::vector<Command>> cmds = ParseTestScript(script);
  if (!cmds.ok()) {
    r.failures.push_back("script: " + cmds.status().ToString());
    return r;
  }
  EngineOptions options;
  options.max_samples = 10000;
  options.timeout_ms = 100000;
  options.default_subquery_step_ms = 60000;
  Engine engine(options);
  TestDB db;
  Status setup = db.Reset();
  for (const Command& cmd : *cmds) {
    if (cmd.kind == Command::Kind::kClear) {
      setup = db.Reset();
    } else if (cmd.kind == Command::Kind::kLoad) {
      if (setup.ok()) setup = db.Load(cmd.load);
    } else {
      const EvalCmd& eval = cmd.eval;
      Status s = setup.ok() ? RunEval(engine, db.db(), eval) : setup;
      if (s.ok()) {
        ++r.passed;
      } else {
        ++r.failed;
        r.failures.push_back(name + ":" + std::to_string(eval.line) + ": " +
                             eval.expr + "\n    " + s.ToString());
      }
    }
  }
  return r;
}

FileResult RunFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return RunScript(buf.str(), path.filename().string());
}

// Results by file, so that running all tests in one process evaluates each
// file once.
const FileResult& ResultFor(const std::string& file) {
  static auto* cache = new std::map<std::string, FileResult>();
  auto it = cache->find(file);
  if (it != cache->end()) return it->second;
  FileResult r = RunFile(*ConformanceDir() / file);
  return cache->emplace(file, std::move(r)).first->second;
}

void Report(const std::string& file, const FileResult& r) {
  std::printf("%s: %d passed, %d failed\n", file.c_str(), r.passed, r.failed);
  for (const std::string& f : r.failures) std::printf("  FAIL %s\n", f.c_str());
  std::fflush(stdout);
}

class QuietLogs : public ::testing::Environment {
 public:
  void SetUp() override { SetLogLevel(LogLevel::kWarn); }
};
const auto* const kQuietLogs =
    ::testing::AddGlobalTestEnvironment(new QuietLogs());

// The runner itself must notice every kind of mismatch.
TEST(ConformanceRunner, DetectsWrongResults) {
  constexpr std::string_view kScript = R"(
load 5m
  m{a="x"} 0+10x10
  m{a="y"} 0+20x10

# Passes.
eval instant at 10m m
  m{a="x"} 20
  m{a="y"} 40

# Wrong value.
eval instant at 10m m
  m{a="x"} 21
  m{a="y"} 40

# Missing series.
eval instant at 10m m
  m{a="x"} 20

# Extra expected series.
eval instant at 10m m
  m{a="x"} 20
  m{a="y"} 40
  m{a="z"} 60

# Metric name dropped by the operation.
eval instant at 10m m + 1
  m{a="x"} 21
  m{a="y"} 41

# Wrong order.
eval_ordered instant at 10m sort_desc(m)
  m{a="x"} 20
  m{a="y"} 40

# Succeeds although failure is expected.
eval_fail instant at 10m m

# Scalar mismatch.
eval instant at 10m scalar(m{a="x"})
  19

# Vector where a scalar is expected.
eval instant at 10m m{a="x"}
  20

# Passes: relative tolerance and NaN.
eval instant at 10m m{a="x"} / 0.3
  {a="x"} 66.66666667

eval instant at 10m m{a="x"} * NaN
  {a="x"} NaN
)";
  FileResult r = RunScript(kScript, "synthetic");
  for (const std::string& f : r.failures) std::printf("  %s\n", f.c_str());
  EXPECT_EQ(r.passed, 3);
  EXPECT_EQ(r.failed, 8);
}

class ConformanceTest : public ::testing::TestWithParam<FileFloor> {};

TEST_P(ConformanceTest, File) {
  if (!ConformanceDir())
    STRATA_SKIP_OR_FAIL_IF_MISSING("../shared/conformance");
  const FileResult& r = ResultFor(GetParam().file);
  Report(GetParam().file, r);
  EXPECT_GE(r.passed, GetParam().min_passed) << GetParam().file;
}

INSTANTIATE_TEST_SUITE_P(Prometheus242, ConformanceTest,
                         ::testing::ValuesIn(kFiles),
                         [](const ::testing::TestParamInfo<FileFloor>& info) {
                           std::string name = info.param.file;
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

TEST(ConformanceTotal, AllFiles) {
  if (!ConformanceDir())
    STRATA_SKIP_OR_FAIL_IF_MISSING("../shared/conformance");
  int passed = 0, failed = 0;
  for (const FileFloor& f : kFiles) {
    const FileResult& r = ResultFor(f.file);
    std::printf("%s: %d passed, %d failed\n", f.file, r.passed, r.failed);
    passed += r.passed;
    failed += r.failed;
  }
  std::printf("(%lld queries run)\n", static_cast<long long>(g_queries));
  std::printf("%d passed, %d failed\n", passed, failed);
  EXPECT_EQ(passed + failed, kTotalEvals);
  EXPECT_GE(passed, kMinPassed);
}

}  // namespace
}  // namespace strata::promql::testing
