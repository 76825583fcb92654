#include "promql/evaluator.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "promql/histogram_math.h"
#include "promql/sample_reading.h"
#include "util/strings.h"

namespace strata::promql::internal {
namespace {

void AppendLabelsKey(std::string* out, const Labels& l) {
  for (const Label& p : l) {
    out->append(p.name);
    out->push_back('\xff');
    out->append(p.value);
    out->push_back('\xff');
  }
}

std::string LabelsKey(const Labels& l) {
  std::string key;
  AppendLabelsKey(&key, l);
  return key;
}

// Bytes of a hash map entry with a LabelsKey (key, index, slot overhead).
int64_t KeyEntryBytes(const Labels& l) {
  return LabelsBytes(l) + static_cast<int64_t>(sizeof(std::string) + 16);
}

// Collects the samples of each step into series keyed by their labels,
// charging `query`'s memory budget for what it allocates.
class SeriesAssembler {
 public:
  explicit SeriesAssembler(QueryContext* query) : query_(query) {}

  // False (nothing added) once the memory budget refused.
  bool Add(const Labels* metric, int64_t t, double v, const FloatHistogram* h) {
    size_t idx;
    auto it = by_ptr_.find(metric);
    if (it != by_ptr_.end()) {
      idx = it->second;
    } else {
      auto kit = by_key_.find(LabelsKey(*metric));
      if (kit == by_key_.end()) {
        const int64_t bytes = static_cast<int64_t>(sizeof(Series)) +
                              LabelsBytes(*metric) + KeyEntryBytes(*metric);
        if (!query_->Charge(bytes)) return false;
        kit = by_key_.emplace(LabelsKey(*metric), out_.size()).first;
        out_.push_back(Series{*metric, {}, {}});
      }
      idx = kit->second;
      by_ptr_.emplace(metric, idx);
    }
    if (!query_->AddPoint(&out_[idx], t, v, h)) return false;
    ++points_;
    return true;
  }
  Matrix Take() { return std::move(out_); }
  int64_t points() const { return points_; }

 private:
  QueryContext* const query_;
  Matrix out_;
  absl::flat_hash_map<const Labels*, size_t> by_ptr_;
  absl::flat_hash_map<std::string, size_t> by_key_;
  int64_t points_ = 0;
};

int64_t TotalPoints(const Matrix& m) {
  int64_t n = 0;
  for (const Series& s : m) n += static_cast<int64_t>(s.points.size());
  return n;
}

// Prometheus's createLabelsForAbsentFunction: the equality matchers'
// labels, minus any label matched more than once or not by equality.
Labels AbsentLabels(const Expr& arg) {
  const Expr& e = UnwrapParens(arg);
  const std::vector<Matcher>* matchers = nullptr;
  if (e.kind() == NodeKind::kVectorSelector) {
    matchers = &e.As<VectorSelector>().matchers;
  } else if (e.kind() == NodeKind::kMatrixSelector) {
    matchers = &e.As<MatrixSelector>().selector().matchers;
  } else {
    return Labels();
  }
  std::vector<Label> set;
  std::vector<std::string> drop;
  for (const Matcher& m : *matchers) {
    if (m.name() == kMetricNameLabel) continue;
    auto has = std::find_if(set.begin(), set.end(),
                            [&](const Label& l) { return l.name == m.name(); });
    if (m.type() == Matcher::Type::kEqual && has == set.end()) {
      set.push_back({m.name(), m.value()});
    } else {
      drop.push_back(m.name());
    }
  }
  std::erase_if(set, [&](const Label& l) {
    return std::find(drop.begin(), drop.end(), l.name) != drop.end();
  });
  return Labels::FromUnchecked(std::move(set));
}

// Points a series is given room for before its first point, and how much
// of its capacity may stay unused before it is trimmed to its size.
constexpr size_t kMinPointsCapacity = 16;
constexpr size_t kMaxReservedPoints = 1 << 14;

// Gives back the unused capacity of a series that filled less than half of
// what was reserved for it, and the bytes to the budget.
template <typename T>
void TrimVector(QueryContext* query, std::vector<T>* v) {
  if (v->size() >= v->capacity() / 2) return;
  const int64_t before = static_cast<int64_t>(v->capacity());
  v->shrink_to_fit();
  query->Charge(-(before - static_cast<int64_t>(v->capacity())) *
                static_cast<int64_t>(sizeof(T)));
}

void TrimPoints(QueryContext* query, Series* s) {
  TrimVector(query, &s->points);
  TrimVector(query, &s->histograms);
}

}  // namespace

int64_t LabelsBytes(const Labels& l) {
  int64_t n = sizeof(Labels);
  for (const Label& p : l) {
    n += static_cast<int64_t>(sizeof(Label) + p.name.size() + p.value.size());
  }
  return n;
}

int64_t SeriesBytes(const Series& s) {
  return static_cast<int64_t>(sizeof(Series)) + LabelsBytes(s.metric) +
         static_cast<int64_t>(s.points.capacity() * sizeof(Point) +
                              s.histograms.capacity() *
                                  sizeof(s.histograms[0]));
}

int64_t MatrixBytes(const Matrix& m) {
  int64_t n = static_cast<int64_t>(m.capacity() * sizeof(Series));
  for (const Series& s : m) n += SeriesBytes(s) - sizeof(Series);
  return n;
}

bool QueryContext::ReservePoint(std::vector<Point>* points) {
  if (points->size() < points->capacity()) return true;
  const auto old_bytes =
      static_cast<int64_t>(points->capacity() * sizeof(Point));
  const size_t grow = std::max(points->capacity(), kMinPointsCapacity);
  // While growing, the old buffer and the new one are both allocated.
  if (!Charge(old_bytes + static_cast<int64_t>(grow * sizeof(Point)))) {
    return false;
  }
  points->reserve(points->capacity() + grow);
  Charge(-old_bytes);
  return true;
}

bool QueryContext::AddPointSlow(Series* s, int64_t t, double v,
                                const FloatHistogram* h) {
  if (!ReservePoint(&s->points)) return false;
  std::vector<const FloatHistogram*>& hs = s->histograms;
  if ((h != nullptr || !hs.empty()) && hs.capacity() < s->points.capacity()) {
    const auto old_bytes = static_cast<int64_t>(hs.capacity() * sizeof(h));
    // While growing, the old buffer and the new one are both allocated.
    if (!Charge(old_bytes +
                static_cast<int64_t>(s->points.capacity() * sizeof(h)))) {
      return false;
    }
    hs.reserve(s->points.capacity());
    Charge(-old_bytes);
  }
  s->Add(t, v, h);
  return true;
}

Status QueryContext::SetHeld(int64_t bytes) {
  if (!memory->Set(bytes + histogram_bytes)) return TooMuchMemory();
  return Status::OK();
}

const FloatHistogram* QueryContext::KeepHistogram(FloatHistogram h) {
  const int64_t bytes = HistogramBytes(h);
  histogram_bytes += bytes;
  Charge(bytes);
  return histograms->Add(std::move(h));
}

Status QueryContext::TooMuchMemory() const {
  return MemoryExceededError(*memory);
}

Status MemoryExceededError(const MemoryBudget& budget) {
  if (budget.exceeded_reason() == MemoryBudget::Exceeded::kPoolLimit) {
    return Status::ResourceExhausted(
        Cat("query processing would use too much memory in query "
            "execution: the queries and remote reads running at once would "
            "hold more than ",
            budget.pool()->limit(), " bytes (--query.max-total-memory-bytes)"));
  }
  return Status::ResourceExhausted(
      Cat("query processing would use too much memory in query execution: "
          "more than ",
          budget.limit(), " bytes (--query.max-memory-bytes)"));
}

Status QueryContext::CheckInterrupted() const {
  if (memory != nullptr && memory->exceeded()) return TooMuchMemory();
  if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
    return Status::Cancelled("query was canceled in expression evaluation");
  }
  if (deadline.has_value() && std::chrono::steady_clock::now() > *deadline) {
    return Status::DeadlineExceeded("query timed out in expression evaluation");
  }
  return Status::OK();
}

Status QueryContext::TooManySamples() const {
  return Status::ResourceExhausted(
      "query processing would load too many samples into memory in query "
      "execution");
}

Status ExecError(std::string msg) {
  return Status::FailedPrecondition(std::move(msg));
}

const Labels* LabelsPool::Intern(Labels labels) {
  std::string key = LabelsKey(labels);
  auto it = by_key_.find(key);
  if (it != by_key_.end()) return it->second;
  // A refusal is seen by the next CheckInterrupted; the labels are kept
  // so the caller's step still finishes consistently.
  query_->Charge(LabelsBytes(labels) + KeyEntryBytes(labels));
  store_.push_back(std::move(labels));
  const Labels* p = &store_.back();
  by_key_.emplace(std::move(key), p);
  return p;
}

const Labels* LabelsPool::DropMetricName(const Labels* labels) {
  if (labels->MetricName().empty()) return labels;
  auto it = dropped_name_.find(labels);
  if (it != dropped_name_.end()) return it->second;
  const Labels* out = Intern(internal::DropMetricName(*labels));
  dropped_name_.emplace(labels, out);
  return out;
}

const Labels* EmptyLabels() {
  static const Labels* empty = new Labels();
  return empty;
}

const std::string& InstantCall::StringArg(size_t i) const {
  return UnwrapParens(*call.args[i]).As<StringLiteral>().val;
}

bool ContainsSameLabelset(const StepVector& v) {
  if (v.size() < 2) return false;
  if (v.size() == 2) {
    return v[0].metric == v[1].metric || *v[0].metric == *v[1].metric;
  }
  absl::flat_hash_set<uint64_t> seen;
  seen.reserve(v.size());
  for (const StepSample& s : v) {
    if (!seen.insert(s.metric->Hash()).second) return true;
  }
  return false;
}

bool ContainsSameLabelset(const Matrix& m) {
  if (m.size() < 2) return false;
  absl::flat_hash_set<uint64_t> seen;
  seen.reserve(m.size());
  for (const Series& s : m) {
    if (!seen.insert(s.metric.Hash()).second) return true;
  }
  return false;
}

Labels DropMetricName(const Labels& l) {
  std::vector<Label> out;
  out.reserve(l.size());
  for (const Label& p : l) {
    if (p.name != kMetricNameLabel) out.push_back(p);
  }
  return Labels::FromUnchecked(std::move(out));
}

void AppendSignature(std::string* out, const Labels& l,
                     const std::vector<std::string>& names, bool on) {
  for (const Label& p : l) {
    const bool listed =
        std::find(names.begin(), names.end(), p.name) != names.end();
    if (on ? listed : (!listed && p.name != kMetricNameLabel)) {
      out->append(p.name);
      out->push_back('\xff');
      out->append(p.value);
      out->push_back('\xff');
    }
  }
}

Evaluator::Evaluator(QueryContext* query, int64_t start, int64_t end,
                     int64_t interval)
    : query_(query), start_(start), end_(end), interval_(interval) {}

void Evaluator::TrackSamplesPerStep() {
  // The API allows 11,000 steps; this only guards the engine's other users.
  constexpr int64_t kMaxTrackedSteps = 1 << 20;
  const int64_t steps = Steps();
  if (steps <= kMaxTrackedSteps) counts_.per_step.assign(steps, 0);
}

void Evaluator::CountSamples(int64_t step, int64_t n) {
  counts_.total += n;
  if (step >= 0 && step < static_cast<int64_t>(counts_.per_step.size())) {
    counts_.per_step[step] += n;
  }
}

int64_t Evaluator::Steps() const {
  if (end_ < start_) return 0;
  // Unsigned, so that a range spanning most of int64 cannot overflow.
  const uint64_t span =
      static_cast<uint64_t>(end_) - static_cast<uint64_t>(start_);
  const uint64_t n = span / static_cast<uint64_t>(interval_) + 1;
  return n > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX
                                              : static_cast<int64_t>(n);
}

std::optional<int64_t> Evaluator::AtTime(const std::optional<int64_t>& ts,
                                         AtPreprocessor pre) const {
  if (ts.has_value()) return ts;
  if (pre == AtPreprocessor::kStart) return query_->query_start;
  if (pre == AtPreprocessor::kEnd) return query_->query_end;
  return std::nullopt;
}

Status Evaluator::ForEachSeries(
    const std::vector<Matcher>& matchers,
    const std::function<Status(const Labels&, SampleIterator&)>& fn) {
  if (query_->querier == nullptr) return Status::OK();
  std::unique_ptr<SeriesSet> set = query_->querier->Select(matchers);
  while (set->Next()) {
    STRATA_RETURN_IF_ERROR(query_->CheckInterrupted());
    const strata::Series& s = set->At();
    std::unique_ptr<SampleIterator> it = s.NewIterator();
    STRATA_RETURN_IF_ERROR(fn(s.labels(), *it));
    STRATA_RETURN_IF_ERROR(it->status());
  }
  Status st = set->status();
  if (!st.ok()) return st.WithContext("expanding series");
  return Status::OK();
}

StatusOr<Matrix> Evaluator::Eval(const Expr& e) {
  STRATA_RETURN_IF_ERROR(query_->CheckInterrupted());
  switch (e.kind()) {
    case NodeKind::kAggregate:
      return EvalAggregate(e.As<AggregateExpr>());
    case NodeKind::kBinary:
      return EvalBinary(e.As<BinaryExpr>());
    case NodeKind::kCall:
      return EvalCall(e.As<Call>());
    case NodeKind::kMatrixSelector:
      if (start_ != end_) {
        return Status::Internal(
            "cannot do range evaluation of matrix selector");
      }
      return EvalMatrixSelector(e.As<MatrixSelector>());
    case NodeKind::kSubquery:
      return EvalSubquery(e.As<SubqueryExpr>());
    case NodeKind::kNumber:
      return EvalNumber(e.As<NumberLiteral>().val);
    case NodeKind::kParen:
      return Eval(*e.As<ParenExpr>().expr);
    case NodeKind::kString:
      return Status::Internal("string literal evaluated as a vector");
    case NodeKind::kUnary:
      return EvalUnary(e.As<UnaryExpr>());
    case NodeKind::kVectorSelector:
      return EvalVectorSelector(e.As<VectorSelector>(), false);
  }
  return Status::Internal("unhandled expression");
}

StatusOr<Matrix> Evaluator::RangeEval(const std::vector<const Expr*>& exprs,
                                      const StepFunc& fn,
                                      const PrepFunc& prep) {
  const int64_t original = query_->current_samples;
  const int64_t original_bytes = query_->HeldBytes();
  std::vector<Matrix> inputs(exprs.size());
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (exprs[i] == nullptr || exprs[i]->Type() == ValueType::kString) continue;
    STRATA_ASSIGN_OR_RETURN(inputs[i], Eval(*exprs[i]));
  }
  StatusOr<Matrix> out = RangeEvalInputs(std::move(inputs), fn, prep);
  query_->UpdatePeak();
  if (!out.ok()) return out;
  query_->current_samples = original + TotalPoints(*out);
  STRATA_RETURN_IF_ERROR(query_->SetHeld(original_bytes + MatrixBytes(*out)));
  return out;
}

StatusOr<Matrix> Evaluator::RangeEvalInputs(std::vector<Matrix> inputs,
                                            const StepFunc& fn,
                                            const PrepFunc& prep) {
  if (prep) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      for (size_t si = 0; si < inputs[i].size(); ++si) {
        prep(i, si, inputs[i][si].metric);
      }
    }
  }
  std::vector<std::vector<size_t>> cursor(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    cursor[i].assign(inputs[i].size(), 0);
  std::vector<StepVector> args(inputs.size());
  StepVector result;
  SeriesAssembler assembler(query_);
  int64_t temp_samples = query_->current_samples;
  const int64_t max = query_->max_samples;
  const int64_t steps = Steps();
  int64_t ts = start_;
  for (int64_t step = 0; step < steps; ++step, ts += interval_) {
    STRATA_RETURN_IF_ERROR(query_->CheckInterrupted());
    query_->current_samples = temp_samples;
    for (size_t i = 0; i < inputs.size(); ++i) {
      args[i].clear();
      for (size_t si = 0; si < inputs[i].size(); ++si) {
        const Series& s = inputs[i][si];
        size_t& c = cursor[i][si];
        if (c < s.points.size() && s.points[c].t == ts) {
          if (query_->current_samples >= max) return query_->TooManySamples();
          args[i].push_back(
              {&s.metric, s.points[c].v, static_cast<int>(si), s.H(c)});
          ++c;
          ++query_->current_samples;
        }
      }
    }
    result.clear();
    STRATA_RETURN_IF_ERROR(fn(ts, args, &result));
    if (ContainsSameLabelset(result)) {
      return ExecError("vector cannot contain metrics with the same labelset");
    }
    query_->current_samples += static_cast<int64_t>(result.size());
    temp_samples += static_cast<int64_t>(result.size());
    query_->UpdatePeak();
    if (query_->current_samples > max) return query_->TooManySamples();
    if (start_ == end_) return InstantResult(ts, result);
    for (const StepSample& s : result) {
      if (!assembler.Add(s.metric, ts, s.v, s.h)) {
        return query_->TooMuchMemory();
      }
    }
  }
  return assembler.Take();
}

StatusOr<Matrix> Evaluator::InstantResult(int64_t ts,
                                          const StepVector& result) {
  // An instant evaluation keeps the order the function produced.
  int64_t bytes = static_cast<int64_t>(result.size() * sizeof(Series));
  for (const StepSample& s : result) {
    bytes += LabelsBytes(*s.metric) + static_cast<int64_t>(sizeof(Point));
    if (s.h != nullptr) bytes += static_cast<int64_t>(sizeof(s.h));
  }
  if (!query_->Charge(bytes)) return query_->TooMuchMemory();
  Matrix m;
  m.reserve(result.size());
  for (const StepSample& s : result) {
    m.push_back(Series{*s.metric, {}, {}});
    m.back().points.reserve(1);
    m.back().Add(ts, s.v, s.h);
  }
  return m;
}

StatusOr<Matrix> Evaluator::EvalNumber(double v) {
  return RangeEval({}, [v](int64_t, std::vector<StepVector>&, StepVector* out) {
    out->push_back({EmptyLabels(), v, -1});
    return Status::OK();
  });
}

StatusOr<Matrix> Evaluator::EvalUnary(const UnaryExpr& u) {
  STRATA_ASSIGN_OR_RETURN(Matrix m, Eval(*u.expr));
  if (u.op == ItemType::kSub) {
    for (Series& s : m) {
      s.metric = DropMetricName(s.metric);
      for (Point& p : s.points) p.v = -p.v;
    }
    if (ContainsSameLabelset(m)) {
      return ExecError("vector cannot contain metrics with the same labelset");
    }
  }
  return m;
}

StatusOr<Matrix> Evaluator::EvalVectorSelector(const VectorSelector& vs,
                                               bool sample_timestamps) {
  const std::optional<int64_t> at = AtTime(vs.timestamp_ms, vs.start_or_end);
  const int64_t offset = vs.original_offset_ms;
  const int64_t lookback = query_->lookback_ms;
  const int64_t first_ref = (at ? *at : start_) - offset;
  const int64_t steps = Steps();
  const int64_t original_bytes = query_->HeldBytes();
  // Most series have a point at most steps: allocate once (up to a bound;
  // a subquery may have billions of steps).
  const size_t reserve = static_cast<size_t>(
      std::min<int64_t>(steps, static_cast<int64_t>(kMaxReservedPoints)));
  Matrix out;
  STRATA_RETURN_IF_ERROR(ForEachSeries(
      vs.matchers, [&](const Labels& labels, SampleIterator& it) -> Status {
        if (!query_->Charge(
                static_cast<int64_t>(sizeof(Series) + reserve * sizeof(Point)) +
                LabelsBytes(labels))) {
          return query_->TooMuchMemory();
        }
        Series series{labels, {}, {}};
        series.points.reserve(reserve);
        SampleCursor cursor(it, (at ? *at : end_) - offset);
        bool have_prev = false, have_next = cursor.Seek(first_ref - lookback);
        // Two slots; moving on swaps the pointers.
        SelectedSample slots[2];
        SelectedSample *prev = &slots[0], *next = &slots[1];
        if (have_next) next->Read(cursor);
        int64_t ts = start_;
        for (int64_t step = 0; step < steps; ++step, ts += interval_) {
          STRATA_RETURN_IF_ERROR(query_->PollInterrupted());
          const int64_t ref = (at ? *at : ts) - offset;
          if (have_next && next->t < ref - lookback) {
            have_prev = false;
            have_next = cursor.Seek(ref - lookback);
            if (have_next) next->Read(cursor);
          }
          while (have_next && next->t <= ref) {
            std::swap(prev, next);
            have_prev = true;
            have_next = cursor.Next();
            if (have_next) next->Read(cursor);
          }
          if (!have_prev || prev->t < ref - lookback || prev->IsStale()) {
            continue;
          }
          if (query_->current_samples >= query_->max_samples) {
            return query_->TooManySamples();
          }
          ++query_->current_samples;
          CountSamples(step, 1);
          const bool added =
              sample_timestamps
                  ? query_->AddPoint(&series, ts,
                                     static_cast<double>(prev->t) / 1000,
                                     nullptr)
                  : query_->AddPoint(&series, ts, prev->v,
                                     prev->Stored(query_));
          if (!added) return query_->TooMuchMemory();
        }
        STRATA_RETURN_IF_ERROR(it.status());
        return KeepSeries(std::move(series), &out);
      }));
  query_->UpdatePeak();
  STRATA_RETURN_IF_ERROR(query_->SetHeld(original_bytes + MatrixBytes(out)));
  return out;
}

Status Evaluator::KeepSeries(Series series, Matrix* out) {
  if (series.points.empty()) {
    query_->Charge(-SeriesBytes(series));
    return Status::OK();
  }
  TrimPoints(query_, &series);
  if (out->size() == out->capacity()) {
    const size_t grow = std::max<size_t>(out->capacity(), 4);
    if (!query_->Charge(static_cast<int64_t>(grow * sizeof(Series)))) {
      return query_->TooMuchMemory();
    }
    out->reserve(out->capacity() + grow);
  }
  out->push_back(std::move(series));
  return Status::OK();
}

StatusOr<Matrix> Evaluator::EvalMatrixSelector(const MatrixSelector& ms) {
  const VectorSelector& vs = ms.selector();
  const std::optional<int64_t> at = AtTime(vs.timestamp_ms, vs.start_or_end);
  const int64_t maxt = (at ? *at : start_) - vs.original_offset_ms;
  const int64_t mint = maxt - ms.range_ms;
  const int64_t original_bytes = query_->HeldBytes();
  Matrix out;
  STRATA_RETURN_IF_ERROR(ForEachSeries(
      vs.matchers, [&](const Labels& labels, SampleIterator& it) -> Status {
        if (!query_->Charge(static_cast<int64_t>(sizeof(Series)) +
                            LabelsBytes(labels))) {
          return query_->TooMuchMemory();
        }
        Series series{labels, {}, {}};
        Point p;
        const FloatHistogram *h, *at_end;
        SampleCursor cursor(it, maxt);
        for (bool ok = cursor.Seek(mint); ok && cursor.t() <= maxt;
             ok = cursor.Next()) {
          STRATA_RETURN_IF_ERROR(query_->PollInterrupted());
          if (!ReadPoint(
                  cursor, &p, &h,
                  [this](FloatHistogram fh) {
                    return query_->KeepHistogram(std::move(fh));
                  },
                  &at_end)) {
            continue;
          }
          if (at_end != nullptr && p.t == maxt) h = at_end;
          if (query_->current_samples >= query_->max_samples) {
            return query_->TooManySamples();
          }
          ++query_->current_samples;
          if (!query_->AddPoint(&series, p.t, p.v, h)) {
            return query_->TooMuchMemory();
          }
        }
        // As Prometheus, at the first step.
        CountSamples(0, static_cast<int64_t>(series.points.size()));
        return KeepSeries(std::move(series), &out);
      }));
  query_->UpdatePeak();
  STRATA_RETURN_IF_ERROR(query_->SetHeld(original_bytes + MatrixBytes(out)));
  return out;
}

StatusOr<Matrix> Evaluator::EvalSubquery(const SubqueryExpr& sq,
                                         bool shift_at) {
  const std::optional<int64_t> at = AtTime(sq.timestamp_ms, sq.start_or_end);
  const int64_t step =
      sq.step_ms != 0 ? sq.step_ms : query_->default_subquery_step_ms;
  const int64_t first =
      (at ? *at : start_) - sq.original_offset_ms - sq.range_ms;
  int64_t last = (at ? *at : end_) - sq.original_offset_ms;
  if (at && shift_at) last += end_ - start_;
  // The first step-aligned time at or after the start of the first range.
  int64_t inner_start = step * (first / step);
  if (inner_start < first) inner_start += step;
  Evaluator inner(query_, inner_start, last, step);
  StatusOr<Matrix> out = inner.Eval(*sq.expr);
  // Prometheus counts a subquery's samples at the enclosing last step.
  CountSamples(Steps() - 1, inner.sample_counts().total);
  return out;
}

StatusOr<Matrix> Evaluator::EvalCall(const Call& call) {
  const FuncId id = call.func->id;
  if (id == FuncId::kTimestamp) {
    // On a selector, timestamp() reports the samples' own times, which the
    // usual evaluation replaces by the step time.
    const Expr& arg = UnwrapParens(*call.args[0]);
    if (arg.kind() == NodeKind::kVectorSelector) {
      const int64_t original = query_->current_samples;
      const int64_t original_bytes = query_->HeldBytes();
      std::vector<Matrix> inputs(1);
      STRATA_ASSIGN_OR_RETURN(
          inputs[0], EvalVectorSelector(arg.As<VectorSelector>(), true));
      LabelsPool pool(query_);
      StatusOr<Matrix> out = RangeEvalInputs(
          std::move(inputs),
          [&pool](int64_t, std::vector<StepVector>& args, StepVector* out) {
            for (const StepSample& s : args[0]) {
              out->push_back({pool.DropMetricName(s.metric), s.v, -1});
            }
            return Status::OK();
          },
          nullptr);
      query_->UpdatePeak();
      if (!out.ok()) return out;
      query_->current_samples = original + TotalPoints(*out);
      STRATA_RETURN_IF_ERROR(
          query_->SetHeld(original_bytes + MatrixBytes(*out)));
      return out;
    }
  }
  for (size_t i = 0; i < call.args.size(); ++i) {
    const NodeKind k = UnwrapParens(*call.args[i]).kind();
    if (k == NodeKind::kMatrixSelector || k == NodeKind::kSubquery) {
      return EvalRangeFunctionCall(call, i);
    }
  }
  InstantFunction fn = LookupInstantFunction(id);
  if (fn == nullptr) return Status::Internal("function has no implementation");
  std::vector<const Expr*> exprs;
  for (const ExprPtr& a : call.args) exprs.push_back(a.get());
  NodeState state(query_);
  return RangeEval(
      exprs, [&](int64_t ts, std::vector<StepVector>& args, StepVector* out) {
        InstantCall c{call, ts, args, state, out};
        return fn(c);
      });
}

StatusOr<Matrix> Evaluator::EvalRangeFunctionCall(const Call& call,
                                                  size_t matrix_arg) {
  const FuncId id = call.func->id;
  RangeFunction fn = LookupRangeFunction(id);
  if (fn == nullptr) return Status::Internal("function has no implementation");
  const int64_t original = query_->current_samples;
  const int64_t original_bytes = query_->HeldBytes();

  // Scalar arguments, evaluated over all steps.
  std::vector<Matrix> others(call.args.size());
  for (size_t j = 0; j < call.args.size(); ++j) {
    if (j == matrix_arg || call.args[j]->Type() == ValueType::kString) continue;
    STRATA_ASSIGN_OR_RETURN(others[j], Eval(*call.args[j]));
  }

  const Expr& arg = UnwrapParens(*call.args[matrix_arg]);
  int64_t range_ms, offset_ms;
  std::optional<int64_t> at;
  Matrix subquery_result;
  const VectorSelector* selector = nullptr;
  if (arg.kind() == NodeKind::kMatrixSelector) {
    const auto& ms = arg.As<MatrixSelector>();
    selector = &ms.selector();
    range_ms = ms.range_ms;
    offset_ms = selector->original_offset_ms;
    at = AtTime(selector->timestamp_ms, selector->start_or_end);
  } else {
    const auto& sq = arg.As<SubqueryExpr>();
    range_ms = sq.range_ms;
    offset_ms = sq.original_offset_ms;
    at = AtTime(sq.timestamp_ms, sq.start_or_end);
    STRATA_ASSIGN_OR_RETURN(subquery_result,
                            EvalSubquery(sq, IsAtModifierUnsafe(id)));
  }
  // Prometheus 2.42 evaluates `@` by rewriting it into an offset relative to
  // the evaluation start. Functions whose result depends on the evaluation
  // time (only predict_linear takes a range) are not step invariant, so
  // their `@` window moves along with the steps of a range query: at step
  // ts it ends at @ - offset + (ts - start). Reproduced for fidelity.
  const bool shift_at = at.has_value() && IsAtModifierUnsafe(id);
  const int64_t subquery_samples = TotalPoints(subquery_result);

  const bool keep_name = id == FuncId::kLastOverTime;
  const int64_t steps = Steps();
  std::vector<double> scalars(call.args.size(), 0);
  Matrix out;
  // One series' samples over all the windows (its labels unused).
  Series window;
  ScratchHistograms window_histograms(query_);
  // Per window point (empty if none has one): the chunk iterator's form
  // of an integer histogram where it differs from the ring's (ReadPoint).
  std::vector<const FloatHistogram*> at_ends;
  std::vector<const FloatHistogram*> exact_histograms;
  // Prometheus's windows (matrixIterSlice) keep the points of the previous
  // step still inside, each in the form it was read in: read as the
  // sample exactly at a step's window end, the iterator's form, else the
  // ring's. ExactWindow builds a step's histograms that way in
  // exact_histograms.
  std::vector<char> use_at_end;
  size_t prev_lo = 0, prev_hi = 0;
  auto ExactWindow = [&](const Series& samples, size_t lo, size_t hi,
                         int64_t mint, int64_t maxt) {
    const std::vector<Point>& points = samples.points;
    const bool overlap = prev_hi > prev_lo && points[prev_hi - 1].t >= mint;
    for (size_t i = overlap ? std::max(prev_hi, lo) : lo; i < hi; ++i) {
      use_at_end[i] = points[i].t == maxt;
    }
    prev_lo = lo;
    prev_hi = hi;
    exact_histograms.assign(samples.histograms.begin() + lo,
                            samples.histograms.begin() + hi);
    for (size_t i = lo; i < hi && i < at_ends.size(); ++i) {
      if (use_at_end[i] && at_ends[i] != nullptr) {
        exact_histograms[i - lo] = at_ends[i];
      }
    }
  };
  int64_t window_samples = 0;

  auto process = [&](const Labels& labels, const Series& input) -> Status {
    const std::vector<Point>& samples = input.points;
    Series series{keep_name ? labels : DropMetricName(labels), {}, {}};
    if (!query_->Charge(SeriesBytes(series))) return query_->TooMuchMemory();
    // The scratch of ExactWindow, for the rare series that needs it.
    const int64_t exact_bytes =
        at_ends.empty()
            ? 0
            : static_cast<int64_t>(samples.size() *
                                   (sizeof(FloatHistogram*) + sizeof(char)));
    if (!query_->Charge(exact_bytes)) return query_->TooMuchMemory();
    use_at_end.assign(at_ends.empty() ? 0 : samples.size(), 0);
    prev_lo = prev_hi = 0;
    size_t lo = 0, hi = 0;
    int64_t ts = start_;
    for (int64_t step = 0; step < steps; ++step, ts += interval_) {
      STRATA_RETURN_IF_ERROR(query_->PollInterrupted());
      for (size_t j = 0; j < others.size(); ++j) {
        if (!others[j].empty()) scalars[j] = others[j][0].points[step].v;
      }
      const int64_t maxt =
          (at ? *at : ts) - offset_ms + (shift_at ? ts - start_ : 0);
      const int64_t mint = maxt - range_ms;
      while (hi < samples.size() && samples[hi].t <= maxt) ++hi;
      while (lo < hi && samples[lo].t < mint) ++lo;
      const auto n = static_cast<int64_t>(hi - lo);
      query_->current_samples += n - window_samples;
      window_samples = n;
      query_->UpdatePeak();
      if (query_->current_samples > query_->max_samples) {
        return query_->TooManySamples();
      }
      if (!at_ends.empty()) ExactWindow(input, lo, hi, mint, maxt);
      if (n == 0) continue;
      CountSamples(step, n);
      RangeCall c;
      c.points = std::span<const Point>(samples.data() + lo, hi - lo);
      if (!at_ends.empty()) {
        c.histograms = exact_histograms;
      } else if (!input.histograms.empty()) {
        c.histograms = std::span<const FloatHistogram* const>(
            input.histograms.data() + lo, hi - lo);
      }
      c.ts = ts;
      c.range_start = mint;
      c.range_end = maxt;
      c.range_ms = range_ms;
      c.scalars = scalars;
      c.query = query_;
      STRATA_ASSIGN_OR_RETURN(std::optional<double> v, fn(c));
      if (!v.has_value()) continue;
      if (!query_->AddPoint(&series, ts, *v, c.result_histogram)) {
        return query_->TooMuchMemory();
      }
    }
    if (!series.points.empty()) {
      const auto n = static_cast<int64_t>(series.points.size());
      if (query_->current_samples + n > query_->max_samples) {
        return query_->TooManySamples();
      }
      query_->current_samples += n;
      query_->UpdatePeak();
    }
    query_->Charge(-exact_bytes);
    return KeepSeries(std::move(series), &out);
  };

  if (selector != nullptr) {
    const int64_t first = (at ? *at : start_) - offset_ms - range_ms;
    const int64_t last =
        (at ? *at : end_) - offset_ms + (shift_at ? end_ - start_ : 0);
    STRATA_RETURN_IF_ERROR(ForEachSeries(
        selector->matchers,
        [&](const Labels& labels, SampleIterator& it) -> Status {
          window.points.clear();
          window.histograms.clear();
          at_ends.clear();
          window_histograms.Clear();
          Point p;
          const FloatHistogram *h, *at_end;
          SampleCursor cursor(it, last);
          for (bool ok = cursor.Seek(first); ok && cursor.t() <= last;
               ok = cursor.Next()) {
            STRATA_RETURN_IF_ERROR(query_->PollInterrupted());
            if (!ReadPoint(
                    cursor, &p, &h,
                    [&](FloatHistogram fh) {
                      return window_histograms.Add(std::move(fh));
                    },
                    &at_end)) {
              continue;
            }
            if (!query_->AddPoint(&window, p.t, p.v, h)) {
              return query_->TooMuchMemory();
            }
            if (at_end != nullptr) {
              const size_t before = at_ends.size();
              const size_t size = window.points.size();
              if (!query_->Charge(
                      static_cast<int64_t>((size - before) * sizeof(at_end)))) {
                return query_->TooMuchMemory();
              }
              at_ends.resize(size);
              at_ends.back() = at_end;
            }
          }
          STRATA_RETURN_IF_ERROR(it.status());
          STRATA_RETURN_IF_ERROR(process(labels, window));
          query_->Charge(-static_cast<int64_t>(at_ends.size() *
                                               sizeof(const FloatHistogram*)));
          at_ends = {};
          return Status::OK();
        }));
  } else {
    for (const Series& s : subquery_result) {
      STRATA_RETURN_IF_ERROR(query_->CheckInterrupted());
      window.points.clear();
      window.histograms.clear();
      for (size_t i = 0; i < s.points.size(); ++i) {
        STRATA_RETURN_IF_ERROR(query_->PollInterrupted());
        const Point& p = s.points[i];
        if (IsStaleNaN(p.v)) continue;
        if (!query_->AddPoint(&window, p.t, p.v, s.H(i))) {
          return query_->TooMuchMemory();
        }
      }
      STRATA_RETURN_IF_ERROR(process(s.metric, window));
    }
  }
  window_histograms.Clear();
  query_->current_samples -= window_samples + subquery_samples;

  if (id == FuncId::kAbsentOverTime) {
    // One series with 1 at the steps where no input series had samples.
    absl::flat_hash_set<int64_t> found;
    for (const Series& s : out) {
      for (const Point& p : s.points) found.insert(p.t);
    }
    Series absent{
        arg.kind() == NodeKind::kMatrixSelector ? AbsentLabels(arg) : Labels(),
        {}};
    if (static_cast<int64_t>(found.size()) < steps) {
      int64_t ts = start_;
      for (int64_t step = 0; step < steps; ++step, ts += interval_) {
        STRATA_RETURN_IF_ERROR(query_->PollInterrupted());
        if (found.contains(ts)) continue;
        if (!query_->ReservePoint(&absent.points)) {
          return query_->TooMuchMemory();
        }
        absent.points.push_back({ts, 1});
      }
    }
    query_->current_samples = original;
    Matrix result;
    if (!absent.points.empty()) {
      query_->current_samples += static_cast<int64_t>(absent.points.size());
      result.push_back(std::move(absent));
    }
    STRATA_RETURN_IF_ERROR(
        query_->SetHeld(original_bytes + MatrixBytes(result)));
    return result;
  }
  if (ContainsSameLabelset(out)) {
    return ExecError("vector cannot contain metrics with the same labelset");
  }
  query_->current_samples = original + TotalPoints(out);
  STRATA_RETURN_IF_ERROR(query_->SetHeld(original_bytes + MatrixBytes(out)));
  return out;
}

}  // namespace strata::promql::internal
