// Prometheus's template expansion entry points: Expand is
// template.NewTemplateExpander(...).Expand() (text mode, missingkey=zero),
// and ExpandAlertTemplate is how rules/alerting.go expands an alert's
// label and annotation templates.
//
// Thread-safety: as thread-safe as the query callback.
#ifndef STRATA_TEMPLATE_EXPANDER_H_
#define STRATA_TEMPLATE_EXPANDER_H_

#include <map>
#include <string>
#include <string_view>

#include "strata/status.h"
#include "template/function.h"
#include "template/prometheus_functions.h"
#include "template/template.h"
#include "template/value.h"

namespace strata::tmpl {

// Parses and executes `text` with Prometheus's functions. Errors read
// "error parsing template <name>: template: ..." or "error executing
// template <name>: template: ...", as Prometheus reports them.
StatusOr<std::string> Expand(std::string_view name, std::string_view text,
                             const Value& data, const Functions& functions,
                             const ExecOptions& options = {});

// What an alert's templates see as ".": template.AlertTemplateData.
struct AlertData {
  // The alert's sample labels, __name__ included when the series has one.
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> external_labels;
  std::string external_url;
  double value = 0;
  // The externalURL and pathPrefix functions use the rule manager's URL,
  // not the rule's above; promtool's unit tests have none (nil), and
  // there those functions fail.
  bool manager_external_url_unset = false;
};
// A struct value, as Go's AlertTemplateData returns: a misspelled field
// (.Lables) is an error, as in Prometheus.
Value AlertTemplateValue(const AlertData& data);
inline constexpr std::string_view kAlertDataType =
    "struct { Labels map[string]string; ExternalLabels map[string]string; "
    "ExternalURL string; Value float64 }";

// The variables rules/alerting.go defines before each alert template.
inline constexpr std::string_view kAlertTemplatePrefix =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}";

// Expands one label value or annotation of alerting rule `rule_name` as
// Prometheus does: the template "__alert_<rule_name>" is
// kAlertTemplatePrefix + text, and an error becomes the text
// "<error expanding template: <error>>".
std::string ExpandAlertTemplate(std::string_view rule_name,
                                std::string_view text, const AlertData& data,
                                QueryFunc query);

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_EXPANDER_H_
