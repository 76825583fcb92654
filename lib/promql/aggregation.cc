// Aggregation operators (sum, avg, topk, quantile, count_values, ...), as
// Prometheus 2.42's engine.go aggregation().
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "promql/evaluator.h"
#include "promql/histogram_math.h"
#include "promql/quantile.h"
#include "util/go_format.h"
#include "util/strings.h"

namespace strata::promql::internal {
namespace {

// Go's container/heap over samples with a custom "less", so that topk and
// bottomk pick and order samples exactly as Prometheus does.
template <typename Less>
void HeapUp(StepVector& h, int j, Less less) {
  while (true) {
    int i = (j - 1) / 2;
    if (i == j || !less(h[j], h[i])) break;
    std::swap(h[i], h[j]);
    j = i;
  }
}

template <typename Less>
void HeapDown(StepVector& h, int i, int n, Less less) {
  while (true) {
    int j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    int j = j1;
    if (int j2 = j1 + 1; j2 < n && less(h[j2], h[j1])) j = j2;
    if (!less(h[j], h[i])) break;
    std::swap(h[i], h[j]);
    i = j;
  }
}

template <typename Less>
void HeapPush(StepVector& h, const StepSample& s, Less less) {
  h.push_back(s);
  HeapUp(h, static_cast<int>(h.size()) - 1, less);
}

template <typename Less>
void HeapPop(StepVector& h, Less less) {
  const int n = static_cast<int>(h.size()) - 1;
  std::swap(h[0], h[n]);
  HeapDown(h, 0, n, less);
  h.pop_back();
}

// Prometheus's vectorByValueHeap and vectorByReverseValueHeap orders.
bool ByValue(const StepSample& a, const StepSample& b) {
  return std::isnan(a.v) || a.v < b.v;
}
bool ByReverseValue(const StepSample& a, const StepSample& b) {
  return std::isnan(a.v) || a.v > b.v;
}

constexpr double kMaxInt64 = 9223372036854774784.0;
constexpr double kMinInt64 = -9223372036854775808.0;

struct Group {
  const Labels* labels = nullptr;
  double value = 0;
  double mean = 0;
  int64_t count = 0;
  StepVector heap;
  std::vector<double> values;  // quantile
  // sum over native histograms, as 2.42's groupedAggregation: floats and
  // histograms in one group give no result; a histogram joining a group
  // that started with a float is not kept.
  bool has_float = false;
  bool has_histogram = false;
  std::optional<FloatHistogram> histogram;
};

struct SeriesGroup {
  std::string key;
  const Labels* labels = nullptr;
  // Dense number of the group `key` names, shared by the series with the
  // same key; lets each step find a series' group without hashing.
  size_t ordinal = 0;
};

Labels GroupLabels(const Labels& metric,
                   const std::vector<std::string>& grouping, bool without) {
  std::vector<Label> out;
  for (const Label& l : metric) {
    const bool listed =
        std::find(grouping.begin(), grouping.end(), l.name) != grouping.end();
    if (without ? (!listed && l.name != kMetricNameLabel) : listed) {
      out.push_back(l);
    }
  }
  return Labels::FromUnchecked(std::move(out));
}

// A group's state after its first sample.
Group StartGroup(ItemType op, const Labels* labels, const StepSample& s) {
  Group g;
  g.labels = labels;
  g.value = s.v;
  g.mean = s.v;
  g.count = 1;
  if (s.h == nullptr) {
    g.has_float = true;
  } else if (op == ItemType::kSum) {
    g.histogram = *s.h;
    g.has_histogram = true;
  }
  switch (op) {
    case ItemType::kStdvar:
    case ItemType::kStddev:
      g.value = 0;
      break;
    case ItemType::kTopk:
    case ItemType::kBottomk:
      g.heap.push_back(s);
      break;
    case ItemType::kQuantile:
      g.values.push_back(s.v);
      break;
    case ItemType::kGroup:
      g.value = 1;
      break;
    default:
      break;
  }
  return g;
}

// topk/bottomk: keeps the k samples that `less` orders last, with the
// first of them at heap[0] (never empty: a group starts with one sample).
template <typename Less>
void KeepK(StepVector& heap, const StepSample& s, int64_t k, Less less) {
  if (static_cast<int64_t>(heap.size()) >= k && !less(heap[0], s)) return;
  if (static_cast<int64_t>(heap.size()) == k) {
    if (k == 1) {
      heap[0] = s;
      return;
    }
    HeapPop(heap, less);
  }
  HeapPush(heap, s, less);
}

// Avg's running mean, as Prometheus's incremental mean.
void AddToMean(Group& g, double v) {
  ++g.count;
  if (std::isinf(g.mean)) {
    // Inf + finite stays Inf; the formula below would make NaN.
    if (std::isinf(v) && (g.mean > 0) == (v > 0)) return;
    if (!std::isinf(v) && !std::isnan(v)) return;
  }
  // Dividing first avoids overflowing with huge values.
  const auto n = static_cast<double>(g.count);
  g.mean += v / n - g.mean / n;
}

// Folds a further sample of the group into it. `k`: topk/bottomk's
// parameter.
Status Accumulate(ItemType op, int64_t k, const StepSample& s, Group& g) {
  switch (op) {
    case ItemType::kSum:
      if (s.h == nullptr) {
        g.has_float = true;
        g.value += s.v;
        break;
      }
      g.has_histogram = true;
      if (!g.histogram.has_value()) break;
      // The histogram added to must have the lower (or same) schema.
      if (s.h->schema >= g.histogram->schema) {
        HistogramAdd(&*g.histogram, *s.h);
      } else {
        g.histogram = HistogramSum(*g.histogram, *s.h);
      }
      break;
    case ItemType::kAvg:
      AddToMean(g, s.v);
      break;
    case ItemType::kGroup:
      break;
    case ItemType::kMax:
      if (g.value < s.v || std::isnan(g.value)) g.value = s.v;
      break;
    case ItemType::kMin:
      if (g.value > s.v || std::isnan(g.value)) g.value = s.v;
      break;
    case ItemType::kCount:
    case ItemType::kCountValues:
      ++g.count;
      break;
    case ItemType::kStdvar:
    case ItemType::kStddev: {
      ++g.count;
      const double delta = s.v - g.mean;
      g.mean += delta / static_cast<double>(g.count);
      g.value += delta * (s.v - g.mean);
      break;
    }
    case ItemType::kTopk:
      KeepK(g.heap, s, k, ByValue);
      break;
    case ItemType::kBottomk:
      KeepK(g.heap, s, k, ByReverseValue);
      break;
    case ItemType::kQuantile:
      g.values.push_back(s.v);
      break;
    default:
      return Status::Internal("unknown aggregation operator");
  }
  return Status::OK();
}

// Appends the group's result to `out`: one sample, or topk/bottomk's kept
// samples. `param`: quantile's parameter.
void EmitGroup(ItemType op, double param, Group& g, QueryContext* query,
               StepVector* out) {
  double value = g.value;
  switch (op) {
    case ItemType::kAvg:
      value = g.mean;
      break;
    case ItemType::kCount:
    case ItemType::kCountValues:
      value = static_cast<double>(g.count);
      break;
    case ItemType::kStdvar:
      value = g.value / static_cast<double>(g.count);
      break;
    case ItemType::kStddev:
      value = std::sqrt(g.value / static_cast<double>(g.count));
      break;
    case ItemType::kTopk:
    case ItemType::kBottomk: {
      // Highest first for topk, lowest first for bottomk; NaN last.
      const bool top = op == ItemType::kTopk;
      std::stable_sort(g.heap.begin(), g.heap.end(),
                       [top](const StepSample& a, const StepSample& b) {
                         if (std::isnan(b.v)) return !std::isnan(a.v);
                         if (std::isnan(a.v)) return false;
                         return top ? b.v < a.v : a.v < b.v;
                       });
      for (const StepSample& s : g.heap) out->push_back({s.metric, s.v, -1});
      return;
    }
    case ItemType::kQuantile:
      value = Quantile(param, g.values);
      break;
    case ItemType::kSum:
      if (g.has_float && g.has_histogram) return;
      break;
    default:
      break;
  }
  const FloatHistogram* h = nullptr;
  if (g.histogram.has_value())
    h = query->KeepHistogram(*std::move(g.histogram));
  out->push_back({g.labels, value, -1, h});
}

// One aggregation over all its steps: which group each input series falls
// in (worked out once, before the steps), and the groups of the step being
// evaluated. Interned labels live as long as this object.
class Aggregation {
 public:
  // `value_label`: count_values's parameter, else empty.
  Aggregation(const AggregateExpr& agg, std::string value_label,
              QueryContext* query)
      : op_(agg.op),
        grouping_(agg.grouping),
        without_(agg.without),
        value_label_(std::move(value_label)),
        query_(query),
        pool_(query) {
    std::sort(grouping_.begin(), grouping_.end());
    // count_values groups by the value label too.
    count_values_grouping_ = grouping_;
    if (op_ == ItemType::kCountValues && !without_) {
      count_values_grouping_.push_back(value_label_);
      std::sort(count_values_grouping_.begin(), count_values_grouping_.end());
    }
  }

  // Before the steps: records the group of input series number `series`.
  void PrepareSeries(size_t series, const Labels& labels) {
    if (op_ == ItemType::kCountValues) return;
    if (series_groups_.size() <= series) series_groups_.resize(series + 1);
    SeriesGroup& g = series_groups_[series];
    AppendSignature(&g.key, labels, grouping_, /*on=*/!without_);
    g.labels = pool_.Intern(GroupLabels(labels, grouping_, without_));
    g.ordinal = ordinal_of_key_.try_emplace(g.key, ordinal_of_key_.size())
                    .first->second;
  }

  // Aggregates one step's samples into `out`. `param`: the operator's
  // numeric parameter (topk's k, quantile's q), else 0.
  Status Step(double param, const StepVector& vec, StepVector* out) {
    int64_t k = 0;
    if (op_ == ItemType::kTopk || op_ == ItemType::kBottomk) {
      if (!(param <= kMaxInt64 && param >= kMinInt64)) {
        return ExecError(Cat("Scalar value ",
                             FormatGoFloat(param, GoFloatFormat::kShortest),
                             " overflows int64"));
      }
      k = static_cast<int64_t>(param);
      if (k < 1) return Status::OK();
    }
    if (op_ == ItemType::kCountValues && !IsValidLabelName(value_label_)) {
      return ExecError(Cat("invalid label name ", GoQuoted(value_label_)));
    }
    ResetGroups();
    for (const StepSample& s : vec) {
      const GroupSlot slot = op_ == ItemType::kCountValues
                                 ? CountValuesGroupOf(s)
                                 : SeriesGroupOf(s);
      if (slot.inserted) {
        groups_.push_back(StartGroup(op_, slot.labels, s));
      } else {
        STRATA_RETURN_IF_ERROR(Accumulate(op_, k, s, groups_[slot.index]));
      }
    }
    for (Group& g : groups_) EmitGroup(op_, param, g, query_, out);
    return Status::OK();
  }

 private:
  // Where a sample's group is in groups_. When `inserted`, the sample
  // starts a group that goes at `index` with `labels`.
  struct GroupSlot {
    size_t index = 0;
    bool inserted = false;
    const Labels* labels = nullptr;
  };

  static constexpr size_t kNoGroup = ~size_t{0};

  void ResetGroups() {
    count_values_index_.clear();
    groups_.clear();
    if (group_of_ordinal_.size() < ordinal_of_key_.size()) {
      group_of_ordinal_.resize(ordinal_of_key_.size(), kNoGroup);
    }
    for (size_t o : touched_ordinals_) group_of_ordinal_[o] = kNoGroup;
    touched_ordinals_.clear();
  }

  // count_values: the group follows from the sample's value, so it is
  // looked up by signature at each step.
  GroupSlot CountValuesGroupOf(const StepSample& s) {
    std::vector<Label> with_value;
    for (const Label& l : *s.metric) {
      if (l.name != value_label_) with_value.push_back(l);
    }
    with_value.push_back(
        {value_label_, FormatGoFloat(s.v, GoFloatFormat::kFixed)});
    const Labels* metric =
        pool_.Intern(Labels::FromUnchecked(std::move(with_value)));
    key_.clear();
    AppendSignature(&key_, *metric, count_values_grouping_, !without_);
    GroupSlot slot;
    auto it = count_values_index_.find(key_);
    slot.labels = it != count_values_index_.end()
                      ? nullptr
                      : pool_.Intern(GroupLabels(
                            *metric, count_values_grouping_, without_));
    auto [pos, added] = count_values_index_.try_emplace(key_, groups_.size());
    slot.index = pos->second;
    slot.inserted = added;
    return slot;
  }

  // Every other operator: the group of the sample's input series, found
  // without hashing through its ordinal.
  GroupSlot SeriesGroupOf(const StepSample& s) {
    const SeriesGroup& sg = series_groups_[s.series];
    GroupSlot slot;
    slot.labels = sg.labels;
    size_t& index = group_of_ordinal_[sg.ordinal];
    slot.inserted = index == kNoGroup;
    if (slot.inserted) {
      index = groups_.size();
      touched_ordinals_.push_back(sg.ordinal);
    }
    slot.index = index;
    return slot;
  }

  // Constant after construction.
  const ItemType op_;
  std::vector<std::string> grouping_;  // Sorted.
  const bool without_;
  const std::string value_label_;
  std::vector<std::string> count_values_grouping_;  // Sorted.

  QueryContext* const query_;
  LabelsPool pool_;
  // Set by PrepareSeries.
  std::vector<SeriesGroup> series_groups_;
  absl::flat_hash_map<std::string, size_t> ordinal_of_key_;

  // Per step: the index in groups_ of each group ordinal seen so far in
  // the step (kNoGroup otherwise), and the ordinals to reset afterwards.
  std::vector<size_t> group_of_ordinal_;
  std::vector<size_t> touched_ordinals_;
  // count_values's groups of this step by signature.
  absl::flat_hash_map<std::string, size_t> count_values_index_;
  std::vector<Group> groups_;
  std::string key_;  // Scratch.
};

}  // namespace

StatusOr<Matrix> Evaluator::EvalAggregate(const AggregateExpr& agg) {
  const Expr* param_expr = nullptr;
  std::string value_label;
  if (agg.param) {
    const Expr& p = UnwrapParens(*agg.param);
    if (p.kind() == NodeKind::kString) {
      value_label = p.As<StringLiteral>().val;
    } else {
      param_expr = agg.param.get();
    }
  }
  Aggregation aggregation(agg, std::move(value_label), query_);
  auto prep = [&](size_t arg, size_t series, const Labels& labels) {
    if (arg == 1) aggregation.PrepareSeries(series, labels);
  };
  auto step = [&](int64_t, std::vector<StepVector>& args,
                  StepVector* out) -> Status {
    const double param = param_expr != nullptr ? args[0][0].v : 0;
    return aggregation.Step(param, args[1], out);
  };
  return RangeEval({param_expr, agg.expr.get()}, step, prep);
}

}  // namespace strata::promql::internal
