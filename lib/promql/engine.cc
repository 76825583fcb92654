#include "promql/engine.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

#include "promql/evaluator.h"
#include "promql/parser.h"
#include "util/strings.h"

namespace strata::promql {
namespace {

using internal::Evaluator;
using internal::QueryContext;

std::optional<int64_t> ResolveAt(const std::optional<int64_t>& ts,
                                 AtPreprocessor pre, int64_t start,
                                 int64_t end) {
  if (ts.has_value()) return ts;
  if (pre == AtPreprocessor::kStart) return start;
  if (pre == AtPreprocessor::kEnd) return end;
  return std::nullopt;
}

// The time range of samples the query can read, like Prometheus's
// findMinMaxTime. Returns false if the query selects no series at all.
bool FindMinMaxTime(const Expr& expr, int64_t start, int64_t end,
                    int64_t lookback, int64_t* mint, int64_t* maxt) {
  *mint = std::numeric_limits<int64_t>::max();
  *maxt = std::numeric_limits<int64_t>::min();
  bool any = false;
  Inspect(const_cast<Expr&>(expr), [&](Expr& node,
                                       const std::vector<Expr*>& path) {
    if (node.kind() != NodeKind::kVectorSelector) return;
    const auto& vs = node.As<VectorSelector>();
    int64_t subq_offset = 0, subq_range = 0;
    std::optional<int64_t> subq_ts;
    for (const Expr* p : path) {
      if (p->kind() != NodeKind::kSubquery) continue;
      const auto& sq = p->As<SubqueryExpr>();
      subq_offset += sq.original_offset_ms;
      subq_range += sq.range_ms;
      if (auto at = ResolveAt(sq.timestamp_ms, sq.start_or_end, start, end)) {
        // An @ on a subquery resets what encloses it.
        subq_offset = sq.original_offset_ms;
        subq_range = sq.range_ms;
        subq_ts = at;
      }
    }
    int64_t s = subq_ts ? *subq_ts : start;
    int64_t e = subq_ts ? *subq_ts : end;
    if (auto at = ResolveAt(vs.timestamp_ms, vs.start_or_end, start, end)) {
      s = e = *at;
    } else {
      s -= subq_offset + subq_range;
      e -= subq_offset;
    }
    if (!path.empty() && path.back()->kind() == NodeKind::kMatrixSelector) {
      s -= path.back()->As<MatrixSelector>().range_ms;
    } else {
      s -= lookback;
    }
    s -= vs.original_offset_ms;
    e -= vs.original_offset_ms;
    *mint = std::min(*mint, s);
    *maxt = std::max(*maxt, e);
    any = true;
  });
  return any;
}

}  // namespace

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

EngineOptions WithDefaults(EngineOptions o) {
  // As Prometheus: a zero lookback delta means the default.
  if (o.lookback_delta_ms <= 0)
    o.lookback_delta_ms = EngineOptions().lookback_delta_ms;
  if (o.default_subquery_step_ms <= 0) {
    o.default_subquery_step_ms = EngineOptions().default_subquery_step_ms;
  }
  return o;
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(WithDefaults(options)) {}

StatusOr<Result> Engine::Instant(DB& db, std::string_view query, int64_t t_ms,
                                 const QueryOptions& options) const {
  STRATA_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr(query));
  return InstantExpr(db, *expr, t_ms, options);
}

StatusOr<Result> Engine::Range(DB& db, std::string_view query, int64_t start_ms,
                               int64_t end_ms, int64_t step_ms,
                               const QueryOptions& options) const {
  STRATA_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr(query));
  return RangeExpr(db, *expr, start_ms, end_ms, step_ms, options);
}

namespace {

QuerierFactory DbQueriers(DB& db) {
  return
      [&db](int64_t mint, int64_t maxt) { return db.NewQuerier(mint, maxt); };
}

}  // namespace

StatusOr<Result> Engine::InstantExpr(DB& db, const Expr& expr, int64_t t_ms,
                                     const QueryOptions& options) const {
  return InstantExpr(DbQueriers(db), expr, t_ms, options);
}

StatusOr<Result> Engine::RangeExpr(DB& db, const Expr& expr, int64_t start_ms,
                                   int64_t end_ms, int64_t step_ms,
                                   const QueryOptions& options) const {
  return RangeExpr(DbQueriers(db), expr, start_ms, end_ms, step_ms, options);
}

StatusOr<Result> Engine::InstantExpr(const QuerierFactory& queriers,
                                     const Expr& expr, int64_t t_ms,
                                     const QueryOptions& options) const {
  const Expr& unwrapped = UnwrapParens(expr);
  if (unwrapped.kind() == NodeKind::kString) {
    Result r;
    r.type = ValueType::kString;
    r.string = unwrapped.As<StringLiteral>().val;
    r.t = t_ms;
    return r;
  }
  // Prometheus runs an instant query as a range query with one step.
  STRATA_ASSIGN_OR_RETURN(Result r,
                          Run(queriers, expr, t_ms, t_ms, 1, options));
  Result out;
  out.memory = std::move(r.memory);
  out.histograms = std::move(r.histograms);
  out.stats = std::move(r.stats);
  out.warnings = std::move(r.warnings);
  out.type = expr.Type();
  switch (out.type) {
    case ValueType::kVector:
      if (!out.memory->Add(
              static_cast<int64_t>(r.matrix.size() * sizeof(Sample)))) {
        return internal::MemoryExceededError(*out.memory);
      }
      out.vector.reserve(r.matrix.size());
      for (Series& s : r.matrix) {
        out.vector.push_back(
            Sample{std::move(s.metric), t_ms, s.points.front().v, s.H(0)});
      }
      break;
    case ValueType::kScalar:
      out.t = t_ms;
      out.scalar = r.matrix.empty() || r.matrix[0].points.empty()
                       ? std::numeric_limits<double>::quiet_NaN()
                       : r.matrix[0].points[0].v;
      break;
    case ValueType::kMatrix:
      out.matrix = std::move(r.matrix);
      break;
    default:
      return Status::Internal("unexpected expression type");
  }
  return out;
}

StatusOr<Result> Engine::RangeExpr(const QuerierFactory& queriers,
                                   const Expr& expr, int64_t start_ms,
                                   int64_t end_ms, int64_t step_ms,
                                   const QueryOptions& options) const {
  const ValueType type = expr.Type();
  if (type != ValueType::kVector && type != ValueType::kScalar) {
    return Status::InvalidArgument(
        Cat("invalid expression type \"", DocumentedType(type),
            "\" for range query, must be Scalar or instant Vector"));
  }
  if (step_ms <= 0) {
    return Status::InvalidArgument(
        "zero or negative query resolution step widths are not accepted. Try "
        "a positive integer");
  }
  if (end_ms < start_ms) {
    return Status::InvalidArgument(
        "end timestamp must not be before start time");
  }
  STRATA_ASSIGN_OR_RETURN(
      Result r, Run(queriers, expr, start_ms, end_ms, step_ms, options));
  const auto sort_start = std::chrono::steady_clock::now();
  std::sort(r.matrix.begin(), r.matrix.end(),
            [](const Series& a, const Series& b) {
              return Compare(a.metric, b.metric) < 0;
            });
  r.stats.result_sort = SecondsSince(sort_start);
  r.stats.eval_total += r.stats.result_sort;
  r.type = ValueType::kMatrix;
  return r;
}

StatusOr<Result> Engine::Run(const QuerierFactory& queriers, const Expr& expr,
                             int64_t start, int64_t end, int64_t interval,
                             const QueryOptions& options) const {
  Result r;
  r.memory = std::make_unique<MemoryBudget>(options_.max_memory_bytes,
                                            options_.memory_pool);
  QueryContext ctx;
  ctx.memory = r.memory.get();
  ctx.lookback_ms = options_.lookback_delta_ms;
  ctx.max_samples = options_.max_samples;
  ctx.query_start = start;
  ctx.query_end = end;
  ctx.default_subquery_step_ms = options_.default_subquery_step_ms;
  ctx.cancel = options.cancel;
  ctx.deadline = options.deadline ? options.deadline : Deadline(0);
  STRATA_RETURN_IF_ERROR(ctx.CheckInterrupted());

  const auto start_time = std::chrono::steady_clock::now();
  std::unique_ptr<Querier> querier;
  int64_t mint, maxt;
  if (FindMinMaxTime(expr, start, end, options_.lookback_delta_ms, &mint,
                     &maxt)) {
    STRATA_ASSIGN_OR_RETURN(querier, queriers(mint, maxt));
    ctx.querier = querier.get();
  }
  r.stats.query_preparation = SecondsSince(start_time);
  const auto eval_start = std::chrono::steady_clock::now();
  Evaluator ev(&ctx, start, end, interval);
  if (options.per_step_stats) ev.TrackSamplesPerStep();
  STRATA_ASSIGN_OR_RETURN(r.matrix, ev.Eval(expr));
  STRATA_RETURN_IF_ERROR(ctx.CheckInterrupted());
  r.stats.inner_eval = SecondsSince(eval_start);
  r.stats.eval_total = SecondsSince(start_time);
  r.stats.total_samples = ev.sample_counts().total;
  r.stats.peak_samples = ctx.peak_samples;
  r.stats.peak_bytes = r.memory->peak();
  r.stats.samples_per_step = ev.sample_counts().per_step;
  r.stats.start_ms = start;
  r.stats.step_ms = interval;
  if (querier) r.warnings = querier->Warnings();
  r.histograms = ctx.histograms;
  return r;
}

std::optional<std::chrono::steady_clock::time_point> Engine::Deadline(
    int64_t timeout_ms) const {
  int64_t limit = options_.timeout_ms;
  if (timeout_ms > 0 && (limit <= 0 || timeout_ms < limit)) limit = timeout_ms;
  if (limit <= 0) return std::nullopt;
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(limit);
}

std::string_view ErrorType(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return "bad_data";
    case StatusCode::kFailedPrecondition:
    case StatusCode::kResourceExhausted:
      return "execution";
    case StatusCode::kDeadlineExceeded:
      return "timeout";
    case StatusCode::kCancelled:
      return "canceled";
    default:
      return "internal";
  }
}

}  // namespace strata::promql
