#include "rules/template_check.h"

#include <string>

#include "template/expander.h"
#include "template/prometheus_functions.h"
#include "template/template.h"

namespace strata::rules {

Status CheckAlertTemplate(std::string_view alert_name, std::string_view text) {
  const std::string name = "__alert_" + std::string(alert_name);
  const std::string full =
      std::string(tmpl::kAlertTemplatePrefix) + std::string(text);
  StatusOr<tmpl::Template> parsed =
      tmpl::Template::Parse(name, full, tmpl::PrometheusFunctions(nullptr, ""));
  return parsed.ok() ? Status::OK() : parsed.status();
}

}  // namespace strata::rules
