// PromQL parser: query text to a type-checked syntax tree, with Prometheus
// 2.42's grammar, operator precedence and error messages.
//
// Errors are InvalidArgument whose message is Prometheus's, including the
// position: "1:14: parse error: unexpected <op:+> ...". The HTTP API maps
// them to errorType "bad_data".
//
// Thread-safety: pure functions.
#ifndef STRATA_PROMQL_PARSER_H_
#define STRATA_PROMQL_PARSER_H_

#include <string_view>
#include <vector>

#include "promql/ast.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata::promql {

// How deep a syntax tree may nest: a number, string or selector is one
// level; every parenthesis, unary or binary operator, function call,
// aggregation, range or subquery around it adds one. A flat chain such as
// `a + b + c` nests once per operator (its tree leans left), so this also
// bounds the length of operator chains. Prometheus has no such limit (Go's
// goroutine stacks grow); here every walk over the tree (type checks,
// printing, cloning, evaluation, destruction) recurses, and this bound
// keeps it within a thread's stack. Deeper queries fail to parse with
// "<line>:<col>: parse error: expression nests too deeply (more than 1000
// levels)".
inline constexpr int kMaxExprDepth = 1000;

// Parses and type-checks `query`. InvalidArgument with Prometheus's message
// if it is not valid PromQL or nests deeper than kMaxExprDepth.
StatusOr<ExprPtr> ParseExpr(std::string_view query);

// A series selector as in the API's match[] parameter: `up`,
// `{job="x",instance=~"a.*"}`. Returns its matchers (the metric name as a
// trailing `__name__` matcher). Like Prometheus's ParseMetricSelector it
// accepts `{}`; rejecting selectors that match everything is the caller's
// job.
StatusOr<std::vector<Matcher>> ParseMetricSelector(std::string_view input);

// Formats Prometheus's "<line>:<col>: parse error: <msg>" for an error at
// byte offset `pos` of `query`.
std::string FormatParseError(std::string_view query, Pos pos,
                             std::string_view msg);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_PARSER_H_
