// A function a template can call ({{ humanize $value }}): its parameter
// types, which the executor checks with Go's messages before the call
// ("wrong number of args for humanize: want 1 got 2", "wrong type for
// value; expected string; got int"), and its body. An error the body
// returns is printed as Go prints it: "error calling <name>: <message>".
//
// Thread-safety: a Functions map is immutable once built; bodies must be
// safe to call concurrently if templates execute concurrently.
#ifndef STRATA_TEMPLATE_FUNCTION_H_
#define STRATA_TEMPLATE_FUNCTION_H_

#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "strata/status.h"
#include "template/value.h"

namespace strata::tmpl {

// A parameter's Go type; kAny is interface{}.
enum class ParamType { kAny, kString, kFloat, kInt, kSample, kQueryResult };

struct Function {
  // One entry per parameter; with `variadic`, the last entry is the type of
  // the "..." tail, which may be empty.
  std::vector<ParamType> params;
  bool variadic = false;
  // Called with arguments already checked against `params` (an int
  // constant passed for a kFloat parameter arrives as a float).
  std::function<StatusOr<Value>(std::span<const Value> args)> call;
};

using Functions = std::map<std::string, Function, std::less<>>;

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_FUNCTION_H_
