// The PromQL query engine: evaluates PromQL (Prometheus 2.42 semantics)
// against a strata::DB through its public Querier API only.
//
//   promql::Engine engine(promql::EngineOptions{});
//   auto res = engine.Instant(db, "sum by (job) (rate(http_requests[5m]))",
//                             now_ms);
//   if (!res.ok()) { ... promql::ErrorType(res.status()) ... }
//
// Errors map onto Prometheus's API errorType (see ErrorType()): parse and
// query-shape errors are InvalidArgument ("bad_data"), evaluation errors
// FailedPrecondition or ResourceExhausted ("execution"), a timeout
// DeadlineExceeded ("timeout"), cancellation Cancelled ("canceled"), and
// storage failures keep their code ("internal").
//
// Thread-safety: an Engine is immutable; any number of queries may run on
// it concurrently, each on its own thread.
#ifndef STRATA_PROMQL_ENGINE_H_
#define STRATA_PROMQL_ENGINE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "promql/ast.h"
#include "promql/value.h"
#include "strata/db.h"
#include "strata/status.h"
#include "util/memory_budget.h"

namespace strata::promql {

// --query.max-memory-bytes's default: 256 MiB, a sixteenth of a modest
// 4 GiB machine, room for 16M points of a single series.
inline constexpr int64_t kDefaultMaxQueryMemoryBytes = int64_t{256} << 20;

struct EngineOptions {
  // How far back an instant vector selector looks for a sample
  // (--query.lookback-delta); 0 means the default, as in Prometheus.
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // Most samples a query may hold in memory at once (--query.max-samples).
  int64_t max_samples = 50000000;
  // Most bytes a query may hold at once (--query.max-memory-bytes): the
  // points and label bytes of every series it holds (selected, intermediate,
  // subquery and final results, until the result is released), the label
  // sets functions and operators create, and scratch windows. 0: no limit.
  int64_t max_memory_bytes = kDefaultMaxQueryMemoryBytes;
  // Shared by every query evaluated with it (--query.max-total-memory-bytes):
  // each query's bytes are reserved here too. Not owned; null: none.
  MemoryPool* memory_pool = nullptr;
  // Queries running longer fail with DeadlineExceeded (--query.timeout);
  // 0 disables the limit.
  int64_t timeout_ms = 2 * 60 * 1000;
  // The step of subqueries written without one, `x[1h:]` (Prometheus uses
  // the global evaluation interval). 0 means the default.
  int64_t default_subquery_step_ms = 60 * 1000;
};

struct QueryOptions {
  // Polled during evaluation; when it becomes true the query stops with
  // Cancelled. Not owned; may be null.
  const std::atomic<bool>* cancel = nullptr;
  // When the query must have finished (the API's `timeout` parameter, or
  // a deadline that also covers time spent waiting for a slot); unset
  // means EngineOptions::timeout_ms from the start of evaluation. See
  // Engine::Deadline.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Count the samples read per evaluation step too (the API's stats=all).
  bool per_step_stats = false;
};

// What Prometheus's API reports for `stats` (util/stats.BuiltinStats):
// where the time went and how many samples the query touched.
struct QueryStats {
  // Seconds. eval_total covers preparation, inner evaluation and sorting.
  double eval_total = 0;
  double query_preparation = 0;  // Opening the querier.
  double inner_eval = 0;
  double result_sort = 0;
  // Samples read from storage, counted as Prometheus counts them: each
  // step's sample of an instant selector, each step's window of a range
  // selector, a subquery's samples at its last step.
  int64_t total_samples = 0;
  // The most samples held in memory at once (what max_samples bounds).
  int64_t peak_samples = 0;
  // The most bytes held at once (what max_memory_bytes bounds).
  int64_t peak_bytes = 0;
  // total_samples by step, for step i at start_ms + i * step_ms; empty
  // unless QueryOptions::per_step_stats.
  std::vector<int64_t> samples_per_step;
  int64_t start_ms = 0;
  int64_t step_ms = 0;
};

// A query's value. Exactly the member matching `type` is meaningful.
struct Result {
  // The query's memory account, still holding the result's bytes: they
  // count against the limits until the Result is destroyed (after the API
  // has sent it). Declared first, so destroyed after the values it counts.
  std::unique_ptr<MemoryBudget> memory;
  // Owns the native histograms that points and samples refer to (their
  // `h`); their bytes are counted in `memory`. Keep it while reading the
  // `h` of values moved out of this Result.
  std::shared_ptr<HistogramStore> histograms;
  ValueType type = ValueType::kNone;
  // kVector: in the order Prometheus returns them (evaluation order; sort
  // functions and topk decide it). Every sample's t is the query time.
  Vector vector;
  // kMatrix: series sorted by labels, points by time.
  Matrix matrix;
  // kScalar / kString, at time `t`.
  double scalar = 0;
  std::string string;
  int64_t t = 0;
  QueryStats stats;
  // Storage warnings (Querier::Warnings: damaged data skipped), which the
  // HTTP API returns in "warnings" with status "success", as Prometheus.
  std::vector<std::string> warnings;
};

// Opens a querier over [mint, maxt], as DB::NewQuerier: the seam through
// which tests (and any other storage) hand the engine series without a DB.
using QuerierFactory = std::function<StatusOr<std::unique_ptr<Querier>>(
    int64_t mint, int64_t maxt)>;

class Engine {
 public:
  explicit Engine(EngineOptions options = {});

  // Evaluates `query` at `t_ms`. The result is a vector, scalar, string, or
  // (for range vector expressions) a matrix.
  StatusOr<Result> Instant(DB& db, std::string_view query, int64_t t_ms,
                           const QueryOptions& options = {}) const;
  // Evaluates at start, start+step, ... <= end. The expression must be a
  // scalar or an instant vector; the result is always a matrix.
  StatusOr<Result> Range(DB& db, std::string_view query, int64_t start_ms,
                         int64_t end_ms, int64_t step_ms,
                         const QueryOptions& options = {}) const;

  // The same for an already parsed (and type-checked) expression.
  StatusOr<Result> InstantExpr(DB& db, const Expr& expr, int64_t t_ms,
                               const QueryOptions& options = {}) const;
  StatusOr<Result> RangeExpr(DB& db, const Expr& expr, int64_t start_ms,
                             int64_t end_ms, int64_t step_ms,
                             const QueryOptions& options = {}) const;

  // The same over any storage: `queriers` is called at most once per
  // query, on the calling thread.
  StatusOr<Result> InstantExpr(const QuerierFactory& queriers, const Expr& expr,
                               int64_t t_ms,
                               const QueryOptions& options = {}) const;
  StatusOr<Result> RangeExpr(const QuerierFactory& queriers, const Expr& expr,
                             int64_t start_ms, int64_t end_ms, int64_t step_ms,
                             const QueryOptions& options = {}) const;

  // The deadline for a query starting now whose own limit is `timeout_ms`
  // (0: none): the tighter of that and EngineOptions::timeout_ms; unset if
  // neither limits it.
  std::optional<std::chrono::steady_clock::time_point> Deadline(
      int64_t timeout_ms) const;

  const EngineOptions& options() const { return options_; }

 private:
  StatusOr<Result> Run(const QuerierFactory& queriers, const Expr& expr,
                       int64_t start, int64_t end, int64_t interval,
                       const QueryOptions& options) const;

  const EngineOptions options_;
};

// Prometheus's API errorType for a failed query: "bad_data", "execution",
// "timeout", "canceled" or "internal".
std::string_view ErrorType(const Status& status);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_ENGINE_H_
