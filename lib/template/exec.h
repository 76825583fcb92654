// Go text/template's executor (text/template/exec.go) over parse trees and
// template Values: evaluates pipelines, variables, fields, function calls
// and control structures, writing the output. Errors read as Go's:
//   template: <name>:<line>:<col>: executing "<name>" at <node>: <msg>
// Missing map keys read as the map's zero value (Prometheus's
// missingkey=zero), or fail with missing_key_error (missingkey=error).
//
// Thread-safety: pure function over immutable inputs.
#ifndef STRATA_TEMPLATE_EXEC_H_
#define STRATA_TEMPLATE_EXEC_H_

#include <string>
#include <string_view>

#include "strata/status.h"
#include "template/function.h"
#include "template/parser.h"
#include "template/value.h"

namespace strata::tmpl {

struct ExecInput {
  std::string_view name;  // The template to run and the parse name.
  std::string_view text;  // The source, for error positions.
  const Trees* trees;
  const Functions* functions;  // Builtins are looked up after these.
  bool missing_key_error = false;
};

StatusOr<std::string> Execute(const ExecInput& in, const Value& dot);

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_EXEC_H_
