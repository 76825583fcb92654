// Go text/template's parser (text/template/parse/parse.go): tokens to a
// tree per template name, the main one and each {{define}}/{{block}}.
// Errors read as Go's: "template: <name>:<line>: <message>".
//
// Thread-safety: pure function.
#ifndef STRATA_TEMPLATE_PARSER_H_
#define STRATA_TEMPLATE_PARSER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "strata/status.h"
#include "template/node.h"

namespace strata::tmpl {

using Trees = std::map<std::string, std::shared_ptr<const Node>>;

// `is_function` says whether an identifier names a function; Go rejects
// calls of unknown functions at parse time ("function %q not defined").
StatusOr<Trees> Parse(std::string_view name, std::string_view text,
                      const std::function<bool(std::string_view)>& is_function);

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_PARSER_H_
