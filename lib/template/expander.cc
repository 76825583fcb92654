#include "template/expander.h"

#include <optional>
#include <utility>

#include "util/strings.h"

namespace strata::tmpl {

StatusOr<std::string> Expand(std::string_view name, std::string_view text,
                             const Value& data, const Functions& functions,
                             const ExecOptions& options) {
  StatusOr<Template> t = Template::Parse(name, text, functions);
  if (!t.ok()) {
    return Status::InvalidArgument(
        Cat("error parsing template ", name, ": ", t.status().message()));
  }
  StatusOr<std::string> out = t->Execute(data, options);
  if (!out.ok()) {
    return Status::InvalidArgument(
        Cat("error executing template ", name, ": ", out.status().message()));
  }
  return out;
}

Value AlertTemplateValue(const AlertData& data) {
  return Value::Struct(
      {{"Labels", Value::StringMap(data.labels)},
       {"ExternalLabels", Value::StringMap(data.external_labels)},
       {"ExternalURL", Value::String(data.external_url)},
       {"Value", Value::Float(data.value)}},
      std::string(kAlertDataType));
}

std::string ExpandAlertTemplate(std::string_view rule_name,
                                std::string_view text, const AlertData& data,
                                QueryFunc query) {
  std::string name = Cat("__alert_", rule_name);
  std::string full = Cat(kAlertTemplatePrefix, text);
  StatusOr<std::string> out =
      Expand(name, full, AlertTemplateValue(data),
             PrometheusFunctions(std::move(query),
                                 data.manager_external_url_unset
                                     ? std::nullopt
                                     : std::optional(data.external_url)));
  if (!out.ok()) {
    return Cat("<error expanding template: ", out.status().message(), ">");
  }
  return std::move(out).value();
}

}  // namespace strata::tmpl
