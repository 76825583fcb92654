// A parsed Go text/template: Template::Parse, then Execute against a dot
// value as often as needed. See README.md for the supported language.
//
//   STRATA_ASSIGN_OR_RETURN(tmpl::Template t,
//       tmpl::Template::Parse("x", "{{ .a | printf \"%.2f\" }}", funcs));
//   STRATA_ASSIGN_OR_RETURN(std::string out, t.Execute(dot));
//
// Thread-safety: a Template is immutable; Execute may run concurrently if
// the functions it was given allow it.
#ifndef STRATA_TEMPLATE_TEMPLATE_H_
#define STRATA_TEMPLATE_TEMPLATE_H_

#include <memory>
#include <string>
#include <string_view>

#include "strata/status.h"
#include "template/function.h"
#include "template/value.h"

namespace strata::tmpl {

struct ExecOptions {
  // Go's Option("missingkey=error"); Prometheus uses missingkey=zero.
  bool missing_key_error = false;
};

class Template {
 public:
  // Parses `text` under `name`, with `functions` callable beside Go's
  // builtins (and overriding them). Errors read as Go's:
  // "template: <name>:<line>: <message>".
  static StatusOr<Template> Parse(std::string_view name, std::string_view text,
                                  Functions functions);

  // Runs the template with `dot` as "." and "$". Errors read as Go's:
  // "template: <name>:<line>:<col>: executing "<name>" at <node>: <msg>".
  StatusOr<std::string> Execute(const Value& dot,
                                const ExecOptions& options = {}) const;

  const std::string& name() const;

 private:
  struct Rep;
  explicit Template(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
  std::shared_ptr<const Rep> rep_;
};

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_TEMPLATE_H_
