#include "template/template.h"

#include <utility>

#include "template/builtins.h"
#include "template/exec.h"
#include "template/parser.h"

namespace strata::tmpl {

struct Template::Rep {
  std::string name;
  std::string text;
  Functions functions;
  Trees trees;
};

StatusOr<Template> Template::Parse(std::string_view name, std::string_view text,
                                   Functions functions) {
  auto rep = std::make_shared<Rep>();
  rep->name = std::string(name);
  rep->text = std::string(text);
  rep->functions = std::move(functions);
  const Functions& funcs = rep->functions;
  auto is_function = [&funcs](std::string_view f) {
    return funcs.find(f) != funcs.end() ||
           Builtins().find(f) != Builtins().end();
  };
  STRATA_ASSIGN_OR_RETURN(rep->trees,
                          tmpl::Parse(rep->name, rep->text, is_function));
  return Template(std::move(rep));
}

StatusOr<std::string> Template::Execute(const Value& dot,
                                        const ExecOptions& options) const {
  ExecInput in{rep_->name, rep_->text, &rep_->trees, &rep_->functions,
               options.missing_key_error};
  return tmpl::Execute(in, dot);
}

const std::string& Template::name() const { return rep_->name; }

}  // namespace strata::tmpl
