// The PromQL syntax tree, mirroring Prometheus's promql/parser/ast.go.
//
// Nodes own their children. String() prints an expression the way
// Prometheus's printer does, so a printed expression parses back to an
// equal tree.
//
// Thread-safety: trees are immutable after parsing and may be shared;
// Clone() makes a private copy to modify.
#ifndef STRATA_PROMQL_AST_H_
#define STRATA_PROMQL_AST_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "promql/function_table.h"
#include "promql/lexer.h"
#include "promql/value.h"
#include "strata/labels.h"

namespace strata::promql {

struct PosRange {
  Pos start = 0;
  Pos end = 0;
};

enum class NodeKind {
  kAggregate,
  kBinary,
  kCall,
  kMatrixSelector,
  kSubquery,
  kNumber,
  kParen,
  kString,
  kUnary,
  kVectorSelector,
};

// `@ start()` / `@ end()`, resolved when a query runs.
enum class AtPreprocessor { kNone, kStart, kEnd };

class Expr {
 public:
  explicit Expr(NodeKind kind) : kind_(kind) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  NodeKind kind() const { return kind_; }
  virtual ValueType Type() const = 0;
  virtual PosRange Range() const = 0;
  virtual std::string String() const = 0;
  virtual std::unique_ptr<Expr> Clone() const = 0;

  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    return static_cast<T&>(*this);
  }

 private:
  const NodeKind kind_;
};

using ExprPtr = std::unique_ptr<Expr>;

struct VectorMatching {
  enum class Card { kOneToOne, kManyToOne, kOneToMany, kManyToMany };
  Card card = Card::kOneToOne;
  // Labels listed in on(...) or ignoring(...).
  std::vector<std::string> matching_labels;
  bool on = false;
  // Labels listed in group_left(...) / group_right(...).
  std::vector<std::string> include;
};

class NumberLiteral final : public Expr {
 public:
  NumberLiteral() : Expr(NodeKind::kNumber) {}
  ValueType Type() const override { return ValueType::kScalar; }
  PosRange Range() const override { return pos; }
  std::string String() const override;
  ExprPtr Clone() const override;

  double val = 0;
  PosRange pos;
};

class StringLiteral final : public Expr {
 public:
  StringLiteral() : Expr(NodeKind::kString) {}
  ValueType Type() const override { return ValueType::kString; }
  PosRange Range() const override { return pos; }
  std::string String() const override;
  ExprPtr Clone() const override;

  std::string val;
  PosRange pos;
};

class VectorSelector final : public Expr {
 public:
  VectorSelector() : Expr(NodeKind::kVectorSelector) {}
  ValueType Type() const override { return ValueType::kVector; }
  PosRange Range() const override { return pos; }
  std::string String() const override;
  ExprPtr Clone() const override;

  std::string name;
  // All matchers, including `__name__="<name>"` (last) when name is set.
  std::vector<Matcher> matchers;
  int64_t original_offset_ms = 0;
  std::optional<int64_t> timestamp_ms;  // From `@ <time>`.
  AtPreprocessor start_or_end = AtPreprocessor::kNone;
  PosRange pos;
};

class MatrixSelector final : public Expr {
 public:
  MatrixSelector() : Expr(NodeKind::kMatrixSelector) {}
  ValueType Type() const override { return ValueType::kMatrix; }
  PosRange Range() const override {
    return {vector_selector->Range().start, end_pos};
  }
  std::string String() const override;
  ExprPtr Clone() const override;

  const VectorSelector& selector() const {
    return vector_selector->As<VectorSelector>();
  }
  VectorSelector& selector() { return vector_selector->As<VectorSelector>(); }

  // A VectorSelector in any tree that passed parsing.
  ExprPtr vector_selector;
  int64_t range_ms = 0;
  Pos end_pos = 0;
};

class SubqueryExpr final : public Expr {
 public:
  SubqueryExpr() : Expr(NodeKind::kSubquery) {}
  ValueType Type() const override { return ValueType::kMatrix; }
  PosRange Range() const override { return {expr->Range().start, end_pos}; }
  std::string String() const override;
  ExprPtr Clone() const override;

  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0: the engine's default subquery step.
  int64_t original_offset_ms = 0;
  std::optional<int64_t> timestamp_ms;
  AtPreprocessor start_or_end = AtPreprocessor::kNone;
  Pos end_pos = 0;
};

class ParenExpr final : public Expr {
 public:
  ParenExpr() : Expr(NodeKind::kParen) {}
  ValueType Type() const override { return expr->Type(); }
  PosRange Range() const override { return pos; }
  std::string String() const override;
  ExprPtr Clone() const override;

  ExprPtr expr;
  PosRange pos;
};

class UnaryExpr final : public Expr {
 public:
  UnaryExpr() : Expr(NodeKind::kUnary) {}
  ValueType Type() const override { return expr->Type(); }
  PosRange Range() const override { return {start_pos, expr->Range().end}; }
  std::string String() const override;
  ExprPtr Clone() const override;

  ItemType op = ItemType::kSub;
  ExprPtr expr;
  Pos start_pos = 0;
};

class BinaryExpr final : public Expr {
 public:
  BinaryExpr() : Expr(NodeKind::kBinary) {}
  ValueType Type() const override;
  PosRange Range() const override {
    return {lhs->Range().start, rhs->Range().end};
  }
  std::string String() const override;
  ExprPtr Clone() const override;

  ItemType op = ItemType::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  // Set iff both sides are instant vectors.
  std::optional<VectorMatching> matching;
  bool return_bool = false;
};

class Call final : public Expr {
 public:
  Call() : Expr(NodeKind::kCall) {}
  ValueType Type() const override { return func->return_type; }
  PosRange Range() const override { return pos; }
  std::string String() const override;
  ExprPtr Clone() const override;

  const Function* func = nullptr;
  std::vector<ExprPtr> args;
  PosRange pos;
};

class AggregateExpr final : public Expr {
 public:
  AggregateExpr() : Expr(NodeKind::kAggregate) {}
  ValueType Type() const override { return ValueType::kVector; }
  PosRange Range() const override { return pos; }
  std::string String() const override;
  ExprPtr Clone() const override;

  ItemType op = ItemType::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk/bottomk/quantile/count_values only.
  std::vector<std::string> grouping;
  bool without = false;
  PosRange pos;
};

// Strips any number of enclosing parentheses.
const Expr& UnwrapParens(const Expr& e);

// The direct children of a node, in Prometheus's order.
std::vector<Expr*> Children(Expr& e);
std::vector<const Expr*> Children(const Expr& e);

// Visits `e` and all its descendants in pre-order. `path` holds the
// ancestors of the visited node, root first. Children are listed after the
// callback returns, so it may modify the node it is given.
void Inspect(
    Expr& e,
    const std::function<void(Expr& node, const std::vector<Expr*>& path)>& fn);

// Prometheus's printing of a label matcher: name, operator, Go-quoted value.
std::string MatcherString(const Matcher& m);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_AST_H_
