#include "promql/ast.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "util/duration.h"
#include "util/go_format.h"
#include "util/strings.h"

namespace strata::promql {
namespace {

std::string OffsetString(int64_t offset_ms) {
  if (offset_ms > 0) return " offset " + FormatDuration(offset_ms);
  if (offset_ms < 0) return " offset -" + FormatDuration(-offset_ms);
  return "";
}

std::string AtString(const std::optional<int64_t>& ts, AtPreprocessor pre) {
  if (ts.has_value()) {
    return absl::StrFormat(" @ %.3f", static_cast<double>(*ts) / 1000.0);
  }
  if (pre == AtPreprocessor::kStart) return " @ start()";
  if (pre == AtPreprocessor::kEnd) return " @ end()";
  return "";
}

// The selector without @ and offset.
std::string SelectorBody(const VectorSelector& vs) {
  std::vector<std::string> parts;
  for (const Matcher& m : vs.matchers) {
    if (m.name() == kMetricNameLabel && m.type() == Matcher::Type::kEqual &&
        m.value() == vs.name) {
      continue;
    }
    parts.push_back(MatcherString(m));
  }
  if (parts.empty()) return vs.name;
  std::sort(parts.begin(), parts.end());
  return Cat(vs.name, "{", absl::StrJoin(parts, ","), "}");
}

ExprPtr CloneOrNull(const ExprPtr& e) { return e ? e->Clone() : nullptr; }

}  // namespace

std::string MatcherString(const Matcher& m) {
  return Cat(m.name(), Matcher::OperatorString(m.type()), GoQuoted(m.value()));
}

std::string NumberLiteral::String() const {
  return FormatGoFloat(val, GoFloatFormat::kShortest);
}

ExprPtr NumberLiteral::Clone() const {
  auto n = std::make_unique<NumberLiteral>();
  n->val = val;
  n->pos = pos;
  return n;
}

std::string StringLiteral::String() const { return GoQuoted(val); }

ExprPtr StringLiteral::Clone() const {
  auto n = std::make_unique<StringLiteral>();
  n->val = val;
  n->pos = pos;
  return n;
}

std::string VectorSelector::String() const {
  return Cat(SelectorBody(*this), AtString(timestamp_ms, start_or_end),
             OffsetString(original_offset_ms));
}

ExprPtr VectorSelector::Clone() const {
  auto n = std::make_unique<VectorSelector>();
  n->name = name;
  n->matchers = matchers;
  n->original_offset_ms = original_offset_ms;
  n->timestamp_ms = timestamp_ms;
  n->start_or_end = start_or_end;
  n->pos = pos;
  return n;
}

std::string MatrixSelector::String() const {
  const VectorSelector& vs = selector();
  return Cat(SelectorBody(vs), "[", FormatDuration(range_ms), "]",
             AtString(vs.timestamp_ms, vs.start_or_end),
             OffsetString(vs.original_offset_ms));
}

ExprPtr MatrixSelector::Clone() const {
  auto n = std::make_unique<MatrixSelector>();
  n->vector_selector = vector_selector->Clone();
  n->range_ms = range_ms;
  n->end_pos = end_pos;
  return n;
}

std::string SubqueryExpr::String() const {
  return Cat(expr->String(), "[", FormatDuration(range_ms), ":",
             step_ms != 0 ? FormatDuration(step_ms) : "", "]",
             AtString(timestamp_ms, start_or_end),
             OffsetString(original_offset_ms));
}

ExprPtr SubqueryExpr::Clone() const {
  auto n = std::make_unique<SubqueryExpr>();
  n->expr = expr->Clone();
  n->range_ms = range_ms;
  n->step_ms = step_ms;
  n->original_offset_ms = original_offset_ms;
  n->timestamp_ms = timestamp_ms;
  n->start_or_end = start_or_end;
  n->end_pos = end_pos;
  return n;
}

std::string ParenExpr::String() const { return Cat("(", expr->String(), ")"); }

ExprPtr ParenExpr::Clone() const {
  auto n = std::make_unique<ParenExpr>();
  n->expr = expr->Clone();
  n->pos = pos;
  return n;
}

std::string UnaryExpr::String() const {
  return Cat(ItemTypeString(op), expr->String());
}

ExprPtr UnaryExpr::Clone() const {
  auto n = std::make_unique<UnaryExpr>();
  n->op = op;
  n->expr = expr->Clone();
  n->start_pos = start_pos;
  return n;
}

ValueType BinaryExpr::Type() const {
  if (lhs->Type() == ValueType::kScalar && rhs->Type() == ValueType::kScalar) {
    return ValueType::kScalar;
  }
  return ValueType::kVector;
}

std::string BinaryExpr::String() const {
  std::string matching_str;
  if (matching.has_value() &&
      (!matching->matching_labels.empty() || matching->on)) {
    matching_str = Cat(matching->on ? " on (" : " ignoring (",
                       absl::StrJoin(matching->matching_labels, ", "), ")");
    if (matching->card == VectorMatching::Card::kManyToOne ||
        matching->card == VectorMatching::Card::kOneToMany) {
      CatTo(&matching_str,
            matching->card == VectorMatching::Card::kManyToOne
                ? " group_left ("
                : " group_right (",
            absl::StrJoin(matching->include, ", "), ")");
    }
  }
  return Cat(lhs->String(), " ", ItemTypeString(op), return_bool ? " bool" : "",
             matching_str, " ", rhs->String());
}

ExprPtr BinaryExpr::Clone() const {
  auto n = std::make_unique<BinaryExpr>();
  n->op = op;
  n->lhs = lhs->Clone();
  n->rhs = rhs->Clone();
  n->matching = matching;
  n->return_bool = return_bool;
  return n;
}

std::string Call::String() const {
  std::vector<std::string> parts;
  for (const ExprPtr& a : args) parts.push_back(a->String());
  return Cat(func->name, "(", absl::StrJoin(parts, ", "), ")");
}

ExprPtr Call::Clone() const {
  auto n = std::make_unique<Call>();
  n->func = func;
  for (const ExprPtr& a : args) n->args.push_back(a->Clone());
  n->pos = pos;
  return n;
}

std::string AggregateExpr::String() const {
  std::string s = ItemTypeString(op);
  if (without) {
    CatTo(&s, " without (", absl::StrJoin(grouping, ", "), ") ");
  } else if (!grouping.empty()) {
    CatTo(&s, " by (", absl::StrJoin(grouping, ", "), ") ");
  }
  s.push_back('(');
  if (IsAggregatorWithParam(op) && param) {
    CatTo(&s, param->String(), ", ");
  }
  CatTo(&s, expr->String(), ")");
  return s;
}

ExprPtr AggregateExpr::Clone() const {
  auto n = std::make_unique<AggregateExpr>();
  n->op = op;
  n->expr = CloneOrNull(expr);
  n->param = CloneOrNull(param);
  n->grouping = grouping;
  n->without = without;
  n->pos = pos;
  return n;
}

const Expr& UnwrapParens(const Expr& e) {
  const Expr* cur = &e;
  while (cur->kind() == NodeKind::kParen) cur = cur->As<ParenExpr>().expr.get();
  return *cur;
}

std::vector<Expr*> Children(Expr& e) {
  std::vector<Expr*> out;
  switch (e.kind()) {
    case NodeKind::kAggregate: {
      auto& a = e.As<AggregateExpr>();
      if (a.expr) out.push_back(a.expr.get());
      if (a.param) out.push_back(a.param.get());
      break;
    }
    case NodeKind::kBinary: {
      auto& b = e.As<BinaryExpr>();
      out = {b.lhs.get(), b.rhs.get()};
      break;
    }
    case NodeKind::kCall:
      for (ExprPtr& a : e.As<Call>().args) out.push_back(a.get());
      break;
    case NodeKind::kMatrixSelector:
      out.push_back(e.As<MatrixSelector>().vector_selector.get());
      break;
    case NodeKind::kSubquery:
      out.push_back(e.As<SubqueryExpr>().expr.get());
      break;
    case NodeKind::kParen:
      out.push_back(e.As<ParenExpr>().expr.get());
      break;
    case NodeKind::kUnary:
      out.push_back(e.As<UnaryExpr>().expr.get());
      break;
    case NodeKind::kNumber:
    case NodeKind::kString:
    case NodeKind::kVectorSelector:
      break;
  }
  return out;
}

std::vector<const Expr*> Children(const Expr& e) {
  std::vector<const Expr*> out;
  for (Expr* c : Children(const_cast<Expr&>(e))) out.push_back(c);
  return out;
}

namespace {

void InspectRec(
    Expr& e, std::vector<Expr*>& path,
    const std::function<void(Expr&, const std::vector<Expr*>&)>& fn) {
  fn(e, path);
  path.push_back(&e);
  for (Expr* c : Children(e)) InspectRec(*c, path, fn);
  path.pop_back();
}

}  // namespace

void Inspect(Expr& e,
             const std::function<void(Expr&, const std::vector<Expr*>&)>& fn) {
  std::vector<Expr*> path;
  InspectRec(e, path, fn);
}

}  // namespace strata::promql
