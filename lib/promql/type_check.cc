#include "promql/type_check.h"

#include <utility>

#include "absl/strings/str_format.h"
#include "promql/lexer.h"
#include "promql/value.h"
#include "util/strings.h"

namespace strata::promql {
namespace {

// One pass over a parsed tree; keeps the first error only.
class TypeChecker {
 public:
  explicit TypeChecker(std::string_view input) : input_(input) {}

  // Type checks as Prometheus's checkAST, recording the first error.
  // Returns the node's type, computed from its children's (Expr::Type of a
  // binary, unary or parenthesized expression walks the whole subtree,
  // which would make this quadratic in the length of an operator chain).
  ValueType CheckAST(Expr& node) {
    ValueType type = ValueType::kNone;
    switch (node.kind()) {
      case NodeKind::kBinary:
      case NodeKind::kParen:
      case NodeKind::kUnary:
        break;
      default:
        type = node.Type();
        break;
    }
    switch (node.kind()) {
      case NodeKind::kAggregate: {
        auto& n = node.As<AggregateExpr>();
        ExpectType(*n.expr, ValueType::kVector, "aggregation expression");
        if (n.op == ItemType::kTopk || n.op == ItemType::kBottomk ||
            n.op == ItemType::kQuantile) {
          ExpectType(*n.param, ValueType::kScalar, "aggregation parameter");
        }
        if (n.op == ItemType::kCountValues) {
          ExpectType(*n.param, ValueType::kString, "aggregation parameter");
        }
        break;
      }
      case NodeKind::kBinary:
        type = CheckBinary(node.As<BinaryExpr>());
        break;
      case NodeKind::kCall:
        CheckCall(node.As<Call>());
        break;
      case NodeKind::kParen:
        type = CheckAST(*node.As<ParenExpr>().expr);
        break;
      case NodeKind::kUnary: {
        auto& n = node.As<UnaryExpr>();
        ValueType t = CheckAST(*n.expr);
        type = t;
        if (t != ValueType::kScalar && t != ValueType::kVector) {
          Fail(n.Range().start,
               Cat("unary expression only allowed on expressions of "
                   "type scalar or instant vector, got ",
                   GoQuoted(DocumentedType(t))));
        }
        break;
      }
      case NodeKind::kSubquery: {
        auto& n = node.As<SubqueryExpr>();
        ValueType t = CheckAST(*n.expr);
        if (t != ValueType::kVector) {
          Fail(n.Range().start,
               Cat("subquery is only allowed on instant vector, got ",
                   ValueTypeName(t), " instead"));
        }
        break;
      }
      case NodeKind::kMatrixSelector:
        CheckAST(*node.As<MatrixSelector>().vector_selector);
        break;
      case NodeKind::kVectorSelector:
        CheckVectorSelector(node.As<VectorSelector>());
        break;
      case NodeKind::kNumber:
      case NodeKind::kString:
        break;
    }
    return type;
  }

  void ExpectType(Expr& node, ValueType want, std::string_view context) {
    ValueType t = CheckAST(node);
    if (t != want) {
      Fail(node.Range().start,
           Cat("expected type ", DocumentedType(want), " in ", context,
               ", got ", DocumentedType(t)));
    }
  }

  // The position of the operator between the operands, for error messages.
  Pos OperatorPos(const BinaryExpr& n) const {
    Pos p = n.lhs->Range().end;
    while (p < static_cast<Pos>(input_.size()) &&
           (input_[p] == ' ' || input_[p] == '\t' || input_[p] == '\n' ||
            input_[p] == '\r')) {
      ++p;
    }
    return p;
  }

  // Returns the expression's type (BinaryExpr::Type).
  ValueType CheckBinary(BinaryExpr& n) {
    const ValueType lt = CheckAST(*n.lhs);
    const ValueType rt = CheckAST(*n.rhs);
    if (n.return_bool && !IsComparisonOperator(n.op)) {
      Fail(OperatorPos(n),
           "bool modifier can only be used on comparison operators");
    }
    if (IsComparisonOperator(n.op) && !n.return_bool &&
        rt == ValueType::kScalar && lt == ValueType::kScalar) {
      Fail(OperatorPos(n),
           "comparisons between scalars must use BOOL modifier");
    }
    if (IsSetOperator(n.op) && n.matching.has_value() &&
        n.matching->card == VectorMatching::Card::kOneToOne) {
      n.matching->card = VectorMatching::Card::kManyToMany;
    }
    if (n.matching.has_value() && n.matching->on) {
      for (const std::string& l1 : n.matching->matching_labels) {
        for (const std::string& l2 : n.matching->include) {
          if (l1 == l2) {
            Fail(OperatorPos(n),
                 Cat("label ", GoQuoted(l1),
                     " must not occur in ON and GROUP clause at once"));
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      Fail(n.lhs->Range().start,
           "binary expression must contain only scalar and instant vector "
           "types");
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      Fail(n.rhs->Range().start,
           "binary expression must contain only scalar and instant vector "
           "types");
    }
    if ((lt != ValueType::kVector || rt != ValueType::kVector) &&
        n.matching.has_value()) {
      if (!n.matching->matching_labels.empty()) {
        Fail(n.Range().start,
             "vector matching only allowed between instant vectors");
      }
      n.matching.reset();
    } else if (IsSetOperator(n.op) && n.matching.has_value()) {
      if (n.matching->card == VectorMatching::Card::kOneToMany ||
          n.matching->card == VectorMatching::Card::kManyToOne) {
        Fail(n.Range().start, Cat("no grouping allowed for \"",
                                  ItemTypeString(n.op), "\" operation"));
      }
      if (n.matching->card != VectorMatching::Card::kManyToMany) {
        Fail(n.Range().start, "set operations must always be many-to-many");
      }
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) &&
        IsSetOperator(n.op)) {
      Fail(n.Range().start, Cat("set operator ", GoQuoted(ItemTypeString(n.op)),
                                " not allowed in binary scalar expression"));
    }
    return lt == ValueType::kScalar && rt == ValueType::kScalar
               ? ValueType::kScalar
               : ValueType::kVector;
  }

  void CheckCall(Call& n) {
    const int nargs = static_cast<int>(n.func->arg_types.size());
    const int got = static_cast<int>(n.args.size());
    if (n.func->variadic == 0) {
      if (nargs != got) {
        Fail(n.pos.start,
             absl::StrFormat("expected %d argument(s) in call to %s, got %d",
                             nargs, GoQuoted(n.func->name), got));
      }
    } else {
      const int na = nargs - 1;
      if (na > got) {
        Fail(n.pos.start,
             absl::StrFormat(
                 "expected at least %d argument(s) in call to %s, got %d", na,
                 GoQuoted(n.func->name), got));
      } else if (n.func->variadic > 0 && na + n.func->variadic < got) {
        Fail(n.pos.start,
             absl::StrFormat(
                 "expected at most %d argument(s) in call to %s, got %d",
                 na + n.func->variadic, GoQuoted(n.func->name), got));
      }
    }
    for (int i = 0; i < got; ++i) {
      int ti = i;
      if (ti >= nargs) {
        if (n.func->variadic == 0) break;
        ti = nargs - 1;
      }
      ExpectType(*n.args[i], n.func->arg_types[ti],
                 Cat("call to function ", GoQuoted(n.func->name)));
    }
  }

  void CheckVectorSelector(const VectorSelector& n) {
    if (!n.name.empty()) {
      for (size_t i = 0; i + 1 < n.matchers.size(); ++i) {
        if (n.matchers[i].name() == kMetricNameLabel) {
          Fail(n.pos.start,
               Cat("metric name must not be set twice: ", GoQuoted(n.name),
                   " or ", GoQuoted(n.matchers[i].value())));
        }
      }
      return;
    }
    for (const Matcher& m : n.matchers) {
      if (!m.Matches("")) return;
    }
    Fail(n.pos.start,
         "vector selector must contain at least one non-empty matcher");
  }

  std::optional<ParseError> TakeError() { return std::move(error_); }

 private:
  void Fail(Pos pos, std::string msg) {
    if (!error_.has_value()) error_ = ParseError{pos, std::move(msg)};
  }

  std::string_view input_;
  std::optional<ParseError> error_;
};

}  // namespace

std::optional<ParseError> CheckTypes(std::string_view input, Expr& root) {
  TypeChecker checker(input);
  checker.CheckAST(root);
  return checker.TakeError();
}

}  // namespace strata::promql
