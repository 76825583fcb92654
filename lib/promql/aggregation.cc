// Aggregation operators (sum, avg, topk, quantile, count_values, ...), as
// Prometheus 2.42's engine.go aggregation().
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "promql/evaluator.h"
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

}  // namespace

StatusOr<Matrix> Evaluator::EvalAggregate(const AggregateExpr& agg) {
  const ItemType op = agg.op;
  std::vector<std::string> grouping = agg.grouping;
  std::sort(grouping.begin(), grouping.end());
  const bool without = agg.without;

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

  LabelsPool pool;
  std::vector<SeriesGroup> series_groups;
  absl::flat_hash_map<std::string, size_t> ordinal_of_key;
  auto prep = [&](size_t arg, size_t series, const Labels& labels) {
    if (arg != 1 || op == ItemType::kCountValues) return;
    if (series_groups.size() <= series) series_groups.resize(series + 1);
    SeriesGroup& g = series_groups[series];
    AppendSignature(&g.key, labels, grouping, /*on=*/!without);
    g.labels = pool.Intern(GroupLabels(labels, grouping, without));
    g.ordinal =
        ordinal_of_key.try_emplace(g.key, ordinal_of_key.size()).first->second;
  };
  // Per step: the index in `groups` of each group ordinal seen so far in
  // the step (kNoGroup otherwise), and the ordinals to reset afterwards.
  constexpr size_t kNoGroup = ~size_t{0};
  std::vector<size_t> group_of_ordinal;
  std::vector<size_t> touched_ordinals;

  // count_values groups by the value label too.
  std::vector<std::string> count_values_grouping = grouping;
  if (op == ItemType::kCountValues && !without) {
    count_values_grouping.push_back(value_label);
    std::sort(count_values_grouping.begin(), count_values_grouping.end());
  }

  absl::flat_hash_map<std::string, size_t> index;
  std::vector<Group> groups;

  auto step = [&](int64_t, std::vector<StepVector>& args,
                  StepVector* out) -> Status {
    const double param = param_expr != nullptr ? args[0][0].v : 0;
    const StepVector& vec = args[1];
    int64_t k = 0;
    if (op == ItemType::kTopk || op == ItemType::kBottomk) {
      if (!(param <= kMaxInt64 && param >= kMinInt64)) {
        return ExecError(Cat("Scalar value ",
                             FormatGoFloat(param, GoFloatFormat::kShortest),
                             " overflows int64"));
      }
      k = static_cast<int64_t>(param);
      if (k < 1) return Status::OK();
    }
    if (op == ItemType::kCountValues && !IsValidLabelName(value_label)) {
      return ExecError(Cat("invalid label name ", GoQuoted(value_label)));
    }
    index.clear();
    groups.clear();
    if (group_of_ordinal.size() < ordinal_of_key.size()) {
      group_of_ordinal.resize(ordinal_of_key.size(), kNoGroup);
    }
    for (size_t o : touched_ordinals) group_of_ordinal[o] = kNoGroup;
    touched_ordinals.clear();
    std::string key;
    for (const StepSample& s : vec) {
      const Labels* group_labels;
      size_t group_index;
      bool inserted;
      if (op == ItemType::kCountValues) {
        std::vector<Label> with_value;
        for (const Label& l : *s.metric) {
          if (l.name != value_label) with_value.push_back(l);
        }
        with_value.push_back(
            {value_label, FormatGoFloat(s.v, GoFloatFormat::kFixed)});
        const Labels* metric =
            pool.Intern(Labels::FromUnchecked(std::move(with_value)));
        key.clear();
        AppendSignature(&key, *metric, count_values_grouping, !without);
        auto it = index.find(key);
        group_labels = it != index.end()
                           ? nullptr
                           : pool.Intern(GroupLabels(
                                 *metric, count_values_grouping, without));
        auto [pos, added] = index.try_emplace(key, groups.size());
        group_index = pos->second;
        inserted = added;
      } else {
        const SeriesGroup& sg = series_groups[s.series];
        group_labels = sg.labels;
        size_t& slot = group_of_ordinal[sg.ordinal];
        inserted = slot == kNoGroup;
        if (inserted) {
          slot = groups.size();
          touched_ordinals.push_back(sg.ordinal);
        }
        group_index = slot;
      }
      if (inserted) {
        Group g;
        g.labels = group_labels;
        g.value = s.v;
        g.mean = s.v;
        g.count = 1;
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
        groups.push_back(std::move(g));
        continue;
      }
      Group& g = groups[group_index];
      switch (op) {
        case ItemType::kSum:
          g.value += s.v;
          break;
        case ItemType::kAvg: {
          ++g.count;
          if (std::isinf(g.mean)) {
            // Inf + finite stays Inf; the formula below would make NaN.
            if (std::isinf(s.v) && (g.mean > 0) == (s.v > 0)) break;
            if (!std::isinf(s.v) && !std::isnan(s.v)) break;
          }
          // Dividing first avoids overflowing with huge values.
          const auto n = static_cast<double>(g.count);
          g.mean += s.v / n - g.mean / n;
          break;
        }
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
          if (static_cast<int64_t>(g.heap.size()) < k || g.heap[0].v < s.v ||
              std::isnan(g.heap[0].v)) {
            if (static_cast<int64_t>(g.heap.size()) == k) {
              if (k == 1) {
                g.heap[0] = s;
                break;
              }
              HeapPop(g.heap, ByValue);
            }
            HeapPush(g.heap, s, ByValue);
          }
          break;
        case ItemType::kBottomk:
          if (static_cast<int64_t>(g.heap.size()) < k || g.heap[0].v > s.v ||
              std::isnan(g.heap[0].v)) {
            if (static_cast<int64_t>(g.heap.size()) == k) {
              if (k == 1) {
                g.heap[0] = s;
                break;
              }
              HeapPop(g.heap, ByReverseValue);
            }
            HeapPush(g.heap, s, ByReverseValue);
          }
          break;
        case ItemType::kQuantile:
          g.values.push_back(s.v);
          break;
        default:
          return Status::Internal("unknown aggregation operator");
      }
    }
    for (Group& g : groups) {
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
          for (const StepSample& s : g.heap)
            out->push_back({s.metric, s.v, -1});
          continue;
        }
        case ItemType::kQuantile:
          value = Quantile(param, g.values);
          break;
        default:
          break;
      }
      out->push_back({g.labels, value, -1});
    }
    return Status::OK();
  };
  return RangeEval({param_expr, agg.expr.get()}, step, prep);
}

}  // namespace strata::promql::internal
