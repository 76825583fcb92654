// Binary operators: arithmetic, comparisons and set operations between
// scalars and instant vectors, with Prometheus's vector matching.
#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "promql/evaluator.h"
#include "promql/histogram_math.h"
#include "promql/lexer.h"
#include "util/strings.h"

namespace strata::promql::internal {
namespace {

bool ShouldDropMetricName(ItemType op) {
  switch (op) {
    case ItemType::kAdd:
    case ItemType::kSub:
    case ItemType::kDiv:
    case ItemType::kMul:
    case ItemType::kPow:
    case ItemType::kMod:
      return true;
    default:
      return false;
  }
}

double Btos(bool b) { return b ? 1 : 0; }

// Prometheus's vectorElemBinop: the value, and whether to keep the sample
// (comparisons filter).
std::pair<double, bool> ElemBinop(ItemType op, double lhs, double rhs) {
  switch (op) {
    case ItemType::kAdd:
      return {lhs + rhs, true};
    case ItemType::kSub:
      return {lhs - rhs, true};
    case ItemType::kMul:
      return {lhs * rhs, true};
    case ItemType::kDiv:
      return {lhs / rhs, true};
    case ItemType::kPow:
      return {std::pow(lhs, rhs), true};
    case ItemType::kMod:
      return {std::fmod(lhs, rhs), true};
    case ItemType::kEqlc:
      return {lhs, lhs == rhs};
    case ItemType::kNeq:
      return {lhs, lhs != rhs};
    case ItemType::kGtr:
      return {lhs, lhs > rhs};
    case ItemType::kLss:
      return {lhs, lhs < rhs};
    case ItemType::kGte:
      return {lhs, lhs >= rhs};
    case ItemType::kLte:
      return {lhs, lhs <= rhs};
    case ItemType::kAtan2:
      return {std::atan2(lhs, rhs), true};
    default:
      return {0, false};
  }
}

double ScalarBinop(ItemType op, double lhs, double rhs) {
  if (IsComparisonOperator(op)) {
    switch (op) {
      case ItemType::kEqlc:
        return Btos(lhs == rhs);
      case ItemType::kNeq:
        return Btos(lhs != rhs);
      case ItemType::kGtr:
        return Btos(lhs > rhs);
      case ItemType::kLss:
        return Btos(lhs < rhs);
      case ItemType::kGte:
        return Btos(lhs >= rhs);
      default:
        return Btos(lhs <= rhs);
    }
  }
  return ElemBinop(op, lhs, rhs).first;
}

// Prometheus's Labels.MatchLabels: the labels a match group consists of.
Labels MatchLabels(const Labels& l, bool on,
                   const std::vector<std::string>& names) {
  std::vector<Label> out;
  for (const Label& p : l) {
    const bool listed =
        std::find(names.begin(), names.end(), p.name) != names.end();
    if (on == listed && (on || p.name != kMetricNameLabel)) out.push_back(p);
  }
  return Labels::FromUnchecked(std::move(out));
}

struct BinopState {
  explicit BinopState(QueryContext* query) : query(query), pool(query) {}

  QueryContext* const query;
  LabelsPool pool;
  absl::flat_hash_map<std::pair<const Labels*, const Labels*>, const Labels*>
      result_metric;
};

// The labels of an arithmetic/comparison result between two matched
// samples; `lhs` is the "many" side.
const Labels* ResultMetric(const Labels* lhs, const Labels* rhs, ItemType op,
                           const VectorMatching& m, BinopState& st) {
  auto key = std::make_pair(lhs, rhs);
  auto it = st.result_metric.find(key);
  if (it != st.result_metric.end()) return it->second;
  std::vector<Label> b(lhs->begin(), lhs->end());
  auto erase = [&b](std::string_view name) {
    std::erase_if(b, [&](const Label& l) { return l.name == name; });
  };
  if (ShouldDropMetricName(op)) erase(kMetricNameLabel);
  if (m.card == VectorMatching::Card::kOneToOne) {
    const auto& names = m.matching_labels;
    std::erase_if(b, [&](const Label& l) {
      const bool listed =
          std::find(names.begin(), names.end(), l.name) != names.end();
      return m.on ? !listed : listed;
    });
  }
  for (const std::string& ln : m.include) {
    std::string_view v = rhs->Get(ln);
    erase(ln);
    if (!v.empty()) b.push_back({ln, std::string(v)});
  }
  const Labels* out = st.pool.Intern(Labels::FromUnchecked(std::move(b)));
  st.result_metric.emplace(key, out);
  return out;
}

Status VectorBinop(ItemType op, const StepVector* lhs, const StepVector* rhs,
                   const VectorMatching& m, bool return_bool,
                   const std::vector<std::string>* lsigs,
                   const std::vector<std::string>* rsigs, BinopState& st,
                   StepVector* out) {
  if (lhs->empty() || rhs->empty()) return Status::OK();
  const bool one_to_many = m.card == VectorMatching::Card::kOneToMany;
  if (one_to_many) {
    std::swap(lhs, rhs);
    std::swap(lsigs, rsigs);
  }
  absl::flat_hash_map<std::string_view, const StepSample*> right;
  right.reserve(rhs->size());
  for (const StepSample& rs : *rhs) {
    const std::string& sig = (*rsigs)[rs.series];
    auto [it, inserted] = right.emplace(sig, &rs);
    if (!inserted) {
      return ExecError(
          Cat("found duplicate series for the match group ",
              GoLabelsString(MatchLabels(*rs.metric, m.on, m.matching_labels)),
              " on the ", one_to_many ? "left" : "right",
              " hand-side of the operation: [", GoLabelsString(*rs.metric),
              ", ", GoLabelsString(*it->second->metric),
              "];many-to-many matching not allowed: matching labels must be "
              "unique on one side"));
    }
  }
  absl::flat_hash_set<std::string_view> matched_one;
  absl::flat_hash_map<std::string_view, absl::flat_hash_set<const Labels*>>
      matched_many;
  for (const StepSample& ls : *lhs) {
    const std::string& sig = (*lsigs)[ls.series];
    auto it = right.find(sig);
    if (it == right.end()) continue;
    const StepSample& rs = *it->second;
    double vl = ls.v, vr = rs.v;
    const FloatHistogram *hl = ls.h, *hr = rs.h;
    if (one_to_many) {
      std::swap(vl, vr);
      std::swap(hl, hr);
    }
    // Prometheus 2.42's vectorElemBinop: only `+` of two histograms gives
    // a histogram; every other operator sees their value 0. A histogram
    // matched with a float gives nothing (after the matching checks).
    auto [value, keep] = ElemBinop(op, vl, vr);
    const FloatHistogram* histogram = nullptr;
    if (op == ItemType::kAdd && hl != nullptr && hr != nullptr) {
      value = 0;
      histogram = st.query->KeepHistogram(HistogramSum(*hl, *hr));
    }
    if (return_bool) {
      value = Btos(keep);
    } else if (!keep) {
      continue;
    }
    const Labels* metric = ResultMetric(ls.metric, rs.metric, op, m, st);
    if (return_bool) metric = st.pool.DropMetricName(metric);
    if (m.card == VectorMatching::Card::kOneToOne) {
      if (!matched_one.insert(sig).second) {
        return ExecError(
            "multiple matches for labels: many-to-one matching must be "
            "explicit (group_left/group_right)");
      }
    } else if (!matched_many[sig].insert(metric).second) {
      return ExecError(
          "multiple matches for labels: grouping labels must ensure unique "
          "matches");
    }
    if ((hl == nullptr) == (hr == nullptr)) {
      out->push_back({metric, value, -1, histogram});
    }
  }
  return Status::OK();
}

void VectorAnd(const StepVector& lhs, const StepVector& rhs,
               const std::vector<std::string>& lsigs,
               const std::vector<std::string>& rsigs, StepVector* out) {
  if (lhs.empty() || rhs.empty()) return;
  absl::flat_hash_set<std::string_view> right;
  for (const StepSample& s : rhs) right.insert(rsigs[s.series]);
  for (const StepSample& s : lhs) {
    if (right.contains(lsigs[s.series])) out->push_back(s);
  }
}

void VectorOr(const StepVector& lhs, const StepVector& rhs,
              const std::vector<std::string>& lsigs,
              const std::vector<std::string>& rsigs, StepVector* out) {
  if (lhs.empty() || rhs.empty()) {
    out->insert(out->end(), lhs.begin(), lhs.end());
    out->insert(out->end(), rhs.begin(), rhs.end());
    return;
  }
  absl::flat_hash_set<std::string_view> left;
  for (const StepSample& s : lhs) {
    left.insert(lsigs[s.series]);
    out->push_back(s);
  }
  for (const StepSample& s : rhs) {
    if (!left.contains(rsigs[s.series])) out->push_back(s);
  }
}

void VectorUnless(const StepVector& lhs, const StepVector& rhs,
                  const std::vector<std::string>& lsigs,
                  const std::vector<std::string>& rsigs, StepVector* out) {
  if (lhs.empty() || rhs.empty()) {
    out->insert(out->end(), lhs.begin(), lhs.end());
    return;
  }
  absl::flat_hash_set<std::string_view> right;
  for (const StepSample& s : rhs) right.insert(rsigs[s.series]);
  for (const StepSample& s : lhs) {
    if (!right.contains(lsigs[s.series])) out->push_back(s);
  }
}

void VectorScalarBinop(ItemType op, const StepVector& vec, double scalar,
                       bool swap, bool return_bool, LabelsPool& pool,
                       StepVector* out) {
  for (const StepSample& s : vec) {
    double lv = s.v, rv = scalar;
    if (swap) std::swap(lv, rv);
    auto [value, keep] = ElemBinop(op, lv, rv);
    // A comparison keeps the vector's value even when it is on the right.
    if (IsComparisonOperator(op) && swap) value = rv;
    if (return_bool) {
      value = Btos(keep);
      keep = true;
    }
    if (!keep) continue;
    const Labels* metric = s.metric;
    if (ShouldDropMetricName(op) || return_bool) {
      metric = pool.DropMetricName(metric);
    }
    // As 2.42's VectorscalarBinop: the operator sees a histogram's value
    // 0, and the sample keeps its histogram, unchanged.
    out->push_back({metric, value, -1, s.h});
  }
}

}  // namespace

std::string GoLabelsString(const Labels& l) {
  std::string out = "{";
  bool first = true;
  for (const Label& p : l) {
    if (!first) out.append(", ");
    first = false;
    CatTo(&out, p.name, "=", GoQuoted(p.value));
  }
  out.push_back('}');
  return out;
}

StatusOr<Matrix> Evaluator::EvalBinary(const BinaryExpr& bin) {
  const ValueType lt = bin.lhs->Type();
  const ValueType rt = bin.rhs->Type();
  const ItemType op = bin.op;
  const std::vector<const Expr*> exprs = {bin.lhs.get(), bin.rhs.get()};

  if (lt == ValueType::kScalar && rt == ValueType::kScalar) {
    return RangeEval(
        exprs, [op](int64_t, std::vector<StepVector>& args, StepVector* out) {
          out->push_back(
              {EmptyLabels(), ScalarBinop(op, args[0][0].v, args[1][0].v), -1});
          return Status::OK();
        });
  }

  if (lt == ValueType::kVector && rt == ValueType::kVector) {
    if (!bin.matching.has_value()) {
      return Status::Internal("vector matching missing");
    }
    const VectorMatching& m = *bin.matching;
    std::vector<std::string> sigs[2];
    auto prep = [&](size_t arg, size_t series, const Labels& labels) {
      if (sigs[arg].size() <= series) sigs[arg].resize(series + 1);
      AppendSignature(&sigs[arg][series], labels, m.matching_labels, m.on);
    };
    BinopState st(query_);
    const bool return_bool = bin.return_bool;
    return RangeEval(
        exprs,
        [&](int64_t, std::vector<StepVector>& args, StepVector* out) -> Status {
          switch (op) {
            case ItemType::kLand:
              VectorAnd(args[0], args[1], sigs[0], sigs[1], out);
              return Status::OK();
            case ItemType::kLor:
              VectorOr(args[0], args[1], sigs[0], sigs[1], out);
              return Status::OK();
            case ItemType::kLunless:
              VectorUnless(args[0], args[1], sigs[0], sigs[1], out);
              return Status::OK();
            default:
              return VectorBinop(op, &args[0], &args[1], m, return_bool,
                                 &sigs[0], &sigs[1], st, out);
          }
        },
        prep);
  }

  LabelsPool pool(query_);
  const bool scalar_left = lt == ValueType::kScalar;
  const bool return_bool = bin.return_bool;
  return RangeEval(
      exprs, [&](int64_t, std::vector<StepVector>& args, StepVector* out) {
        const StepVector& vec = scalar_left ? args[1] : args[0];
        const double scalar = scalar_left ? args[0][0].v : args[1][0].v;
        VectorScalarBinop(op, vec, scalar, scalar_left, return_bool, pool, out);
        return Status::OK();
      });
}

}  // namespace strata::promql::internal
