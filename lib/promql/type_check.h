// Type checks of a parsed PromQL tree, as Prometheus's checkAST: operand
// and argument types, vector matching, the metric name set twice, empty
// selectors. The parser runs it once per query (ParseExpr).
//
// Thread-safety: stateless; `root` must not be shared while it runs (it
// normalises vector matching of set operators in place, as Prometheus).
#ifndef STRATA_PROMQL_TYPE_CHECK_H_
#define STRATA_PROMQL_TYPE_CHECK_H_

#include <optional>
#include <string>
#include <string_view>

#include "promql/ast.h"

namespace strata::promql {

// Where in the query and what.
struct ParseError {
  Pos pos = 0;
  std::string msg;
};

// The first type error of the tree parsed from `input`, if any (`input`
// gives operator positions for the messages).
std::optional<ParseError> CheckTypes(std::string_view input, Expr& root);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_TYPE_CHECK_H_
