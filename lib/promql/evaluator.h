// The PromQL evaluator: computes an expression over a range of evaluation
// steps, following Prometheus 2.42's engine.go. Internal to lib/promql; the
// Engine (engine.h) is the entry point.
//
// Every expression of type scalar or instant vector evaluates to a Matrix
// whose points sit exactly on the evaluator's steps (a scalar is one series
// with empty labels). Range vectors only appear as function arguments, or
// at the top of an instant query.
//
// Thread-safety: an Evaluator and its QueryContext belong to one query on
// one thread.
#ifndef STRATA_PROMQL_EVALUATOR_H_
#define STRATA_PROMQL_EVALUATOR_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "promql/ast.h"
#include "promql/value.h"
#include "re2/re2.h"
#include "strata/querier.h"
#include "strata/status.h"
#include "util/memory_budget.h"

namespace strata::promql::internal {

// State shared by all evaluators of one query.
struct QueryContext {
  Querier* querier = nullptr;  // Null when the query selects no series.
  int64_t lookback_ms = 5 * 60 * 1000;
  int64_t max_samples = 50000000;
  // Samples currently held in memory, counted as Prometheus counts them,
  // and the most held at once (for the query's stats).
  int64_t current_samples = 0;
  int64_t peak_samples = 0;
  // Resolve `@ start()` and `@ end()`.
  int64_t query_start = 0;
  int64_t query_end = 0;
  int64_t default_subquery_step_ms = 60 * 1000;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  const std::atomic<bool>* cancel = nullptr;
  // The query's byte account (see engine.h, max_memory_bytes). Evaluation
  // charges what it is about to allocate and, when a node's result is
  // complete, sets the count back to what was held before the node plus
  // that result (its inputs and scratch are gone by then). Never null
  // during evaluation.
  MemoryBudget* memory = nullptr;

  // DeadlineExceeded / Cancelled once the query must stop;
  // ResourceExhausted once its memory budget refused something.
  Status CheckInterrupted() const;
  // CheckInterrupted on every kPollsPerCheck-th call, for loops whose
  // iterations cost nanoseconds (a step of a selector, a sample of a
  // window): a subquery may have billions of steps, so every loop over
  // steps or samples polls, and the query stops within microseconds of its
  // deadline without reading the clock at each iteration.
  Status PollInterrupted() {
    if (++polls_since_check < kPollsPerCheck) return Status::OK();
    polls_since_check = 0;
    return CheckInterrupted();
  }
  static constexpr int kPollsPerCheck = 1024;
  int polls_since_check = 0;
  Status TooManySamples() const;
  // The error for a refused memory budget, naming the limit hit.
  Status TooMuchMemory() const;
  void UpdatePeak() { peak_samples = std::max(peak_samples, current_samples); }

  // The histograms the query's points refer to (Point::h); handed to the
  // Result with the values. `histogram_bytes` of them are charged to
  // `memory` and stay held until the query ends: SetHeld adds them to what
  // it is told, HeldBytes leaves them out.
  std::shared_ptr<HistogramStore> histograms =
      std::make_shared<HistogramStore>();
  int64_t histogram_bytes = 0;
  // Stores `h`, charging its bytes (a refusal shows in CheckInterrupted).
  const FloatHistogram* KeepHistogram(FloatHistogram h);
  // The bytes held, histograms left out (see SetHeld).
  int64_t HeldBytes() const { return memory->used() - histogram_bytes; }

  // Counts `bytes` more held; false once over budget.
  bool Charge(int64_t bytes) { return memory->Add(bytes); }
  // Makes room for one more point, charging any growth of the capacity
  // first; false (nothing allocated) once over budget.
  bool ReservePoint(std::vector<Point>* points);
  // Series::Add after making room as ReservePoint does (for the
  // histograms too when the series has any); false (nothing added) once
  // over budget.
  bool AddPoint(Series* s, int64_t t, double v, const FloatHistogram* h) {
    if (h == nullptr && s->histograms.empty() &&
        s->points.size() < s->points.capacity()) [[likely]] {
      s->points.push_back({t, v});
      return true;
    }
    return AddPointSlow(s, t, v, h);
  }
  bool AddPointSlow(Series* s, int64_t t, double v, const FloatHistogram* h);
  // Sets the bytes held to `bytes` plus the histograms' (a node's result
  // replacing its inputs; `bytes` counts from HeldBytes).
  Status SetHeld(int64_t bytes);
};

// Estimated heap bytes of values the evaluator holds, for QueryContext's
// memory budget: vectors by capacity, strings by size.
int64_t LabelsBytes(const Labels& l);
int64_t SeriesBytes(const Series& s);
int64_t MatrixBytes(const Matrix& m);

// Samples one evaluator read from storage (Prometheus's
// stats.QuerySamples.TotalSamples and TotalSamplesPerStep).
struct SampleCounts {
  int64_t total = 0;
  std::vector<int64_t> per_step;  // Empty unless tracked.
};

// One sample of an instant vector during a single evaluation step. Labels
// are not copied: they point into an input matrix or into a LabelsPool that
// outlives the step.
struct StepSample {
  const Labels* metric = nullptr;
  double v = 0;
  int series = -1;  // Index of the input series it came from, if any.
  const FloatHistogram* h = nullptr;  // As Point::h.
};
using StepVector = std::vector<StepSample>;

// Owns label sets created while evaluating one node, deduplicated by value
// so that equal label sets share one address.
//
// Each new label set is charged to `query`'s memory budget; a refusal shows
// in QueryContext::CheckInterrupted.
class LabelsPool {
 public:
  explicit LabelsPool(QueryContext* query) : query_(query) {}

  const Labels* Intern(Labels labels);
  // The labels without __name__ (the same pointer if there is none).
  const Labels* DropMetricName(const Labels* labels);

 private:
  QueryContext* const query_;
  std::deque<Labels> store_;
  absl::flat_hash_map<std::string, const Labels*> by_key_;
  absl::flat_hash_map<const Labels*, const Labels*> dropped_name_;
};

const Labels* EmptyLabels();

// Per-node caches that live across the steps of one evaluation, like
// Prometheus's EvalNodeHelper.
struct NodeState {
  explicit NodeState(QueryContext* query) : query(query), pool(query) {}

  QueryContext* const query;
  LabelsPool pool;
  // For functions that rewrite labels: input labels -> output labels.
  absl::flat_hash_map<const Labels*, const Labels*> relabel;
  // Compiled regex of label_replace; created at the first step.
  std::unique_ptr<RE2> regex;

  // histogram_quantile's buckets by series (minus `le`), reused across
  // steps like Prometheus's signatureToMetricWithBuckets.
  struct BucketGroup {
    const Labels* metric = nullptr;
    std::vector<std::pair<double, double>> buckets;  // (upper bound, count)
  };
  absl::flat_hash_map<std::string, size_t> bucket_index;
  std::vector<BucketGroup> bucket_groups;
};

// Arguments of a function on instant vectors and scalars at one step.
struct InstantCall {
  const Call& call;
  int64_t ts;
  std::vector<StepVector>& args;  // One per argument; empty for strings.
  NodeState& state;
  StepVector* out;

  double Scalar(size_t i) const { return args[i].empty() ? 0 : args[i][0].v; }
  const std::string& StringArg(size_t i) const;
};
using InstantFunction = Status (*)(InstantCall& c);

// Arguments of a function over a range vector, for one series at one step.
struct RangeCall {
  std::span<const Point> points;  // The window, oldest first; never empty.
  int64_t ts = 0;                 // The evaluation step.
  int64_t range_start = 0;        // Window bounds, inclusive.
  int64_t range_end = 0;
  int64_t range_ms = 0;
  std::span<const double> scalars;  // Other arguments' values at this step.
  QueryContext* query = nullptr;
  // Empty when no point of the series is a native histogram (float-only
  // functions skip looking for them); else one per point, null for a
  // float (Series::histograms).
  std::span<const FloatHistogram* const> histograms;
  const FloatHistogram* H(size_t i) const {
    return histograms.empty() ? nullptr : histograms[i];
  }
  // Set by a function whose result is a histogram (rate, increase, delta
  // over native histograms); the returned value is then 0.
  mutable const FloatHistogram* result_histogram = nullptr;
};
using RangeFunction = StatusOr<std::optional<double>> (*)(const RangeCall& c);

// Implementations, by function; exactly one of the two is set.
InstantFunction LookupInstantFunction(FuncId id);
RangeFunction LookupRangeFunction(FuncId id);

class Evaluator {
 public:
  // Evaluates at start, start+interval, ... <= end.
  Evaluator(QueryContext* query, int64_t start, int64_t end, int64_t interval);

  StatusOr<Matrix> Eval(const Expr& e);

  // Counts samples per step as well as in total from now on (not for
  // more than kMaxTrackedSteps steps).
  void TrackSamplesPerStep();
  const SampleCounts& sample_counts() const { return counts_; }

  int64_t start() const { return start_; }
  int64_t end() const { return end_; }
  int64_t interval() const { return interval_; }

 private:
  using StepFunc = std::function<Status(
      int64_t ts, std::vector<StepVector>& args, StepVector* out)>;
  // Called once per input series before the steps run.
  using PrepFunc =
      std::function<void(size_t arg, size_t series, const Labels& labels)>;

  // Prometheus's rangeEval: evaluates the expressions (null or string-typed
  // ones yield empty arguments), then calls `fn` at each step with the
  // samples of that step and assembles its outputs into series.
  StatusOr<Matrix> RangeEval(const std::vector<const Expr*>& exprs,
                             const StepFunc& fn,
                             const PrepFunc& prep = nullptr);
  StatusOr<Matrix> RangeEvalInputs(std::vector<Matrix> inputs,
                                   const StepFunc& fn, const PrepFunc& prep);

  // The single step of an instant evaluation as a matrix, in the order
  // the step produced it.
  StatusOr<Matrix> InstantResult(int64_t ts, const StepVector& result);
  // Appends a series built with its bytes charged to `out`, trimming its
  // unused capacity, or releases its bytes if it has no points.
  Status KeepSeries(Series series, Matrix* out);

  StatusOr<Matrix> EvalVectorSelector(const VectorSelector& vs,
                                      bool sample_timestamps);
  StatusOr<Matrix> EvalMatrixSelector(const MatrixSelector& ms);
  // `shift_at`: see EvalRangeFunctionCall; extends an `@` subquery's end by
  // the length of this evaluator's range.
  StatusOr<Matrix> EvalSubquery(const SubqueryExpr& sq, bool shift_at = false);
  StatusOr<Matrix> EvalCall(const Call& call);
  StatusOr<Matrix> EvalRangeFunctionCall(const Call& call, size_t matrix_arg);
  StatusOr<Matrix> EvalAggregate(const AggregateExpr& agg);
  StatusOr<Matrix> EvalBinary(const BinaryExpr& bin);
  StatusOr<Matrix> EvalUnary(const UnaryExpr& u);
  StatusOr<Matrix> EvalNumber(double v);

  // The number of evaluation steps. Loops count steps rather than compare
  // times, so that steps near the ends of int64 cannot wrap around forever.
  int64_t Steps() const;

  // Resolves `@`, including start()/end().
  std::optional<int64_t> AtTime(const std::optional<int64_t>& ts,
                                AtPreprocessor pre) const;

  // Calls fn for each series matching `matchers`, in label order, with an
  // iterator over its samples (stale markers included).
  Status ForEachSeries(
      const std::vector<Matcher>& matchers,
      const std::function<Status(const Labels&, SampleIterator&)>& fn);

  // `n` samples read from storage for step `step`.
  void CountSamples(int64_t step, int64_t n);

  QueryContext* query_;
  const int64_t start_;
  const int64_t end_;
  const int64_t interval_;
  SampleCounts counts_;
};

// Prometheus's errors during evaluation.
Status ExecError(std::string msg);
// ResourceExhausted for a refused memory budget, naming the limit it hit
// (the query's own or the one shared with other queries).
Status MemoryExceededError(const MemoryBudget& budget);

// Whether two or more samples have the same labels.
bool ContainsSameLabelset(const StepVector& v);
bool ContainsSameLabelset(const Matrix& m);

// Prometheus's labels.Labels.String(): `{__name__="up", job="x"}`.
std::string GoLabelsString(const Labels& l);

// Label helpers, as Prometheus's labels.Builder operations.
Labels DropMetricName(const Labels& l);
// Signature of the labels named (on) or of all others but __name__ (!on).
void AppendSignature(std::string* out, const Labels& l,
                     const std::vector<std::string>& names, bool on);

}  // namespace strata::promql::internal

#endif  // STRATA_PROMQL_EVALUATOR_H_
