// Prometheus rule files (the YAML of `rule_files`, model/rulefmt in
// Prometheus 2.42): groups of recording and alerting rules, parsed strictly
// (unknown fields are errors) and validated with promtool's checks and
// wording, so that `check rules` verdicts and messages match promtool's.
//
//   groups:
//   - name: <string>            # unique in the file
//     interval: <duration>      # optional, default global.evaluation_interval
//     limit: <int>              # optional, 0 = no limit
//     rules:
//     - record: <metric name>   # or alert: <string>
//       expr: <PromQL>
//       for: <duration>         # alerting only
//       keep_firing_for: <duration>  # alerting only
//       labels: {<name>: <value>}
//       annotations: {<name>: <template>}  # alerting only
//
// Thread-safety: pure functions.
#ifndef STRATA_RULES_RULE_FILE_H_
#define STRATA_RULES_RULE_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/status.h"

namespace strata::rules {

// One rule as written. Exactly one of `record` and `alert` is set in a
// valid file.
struct RuleSpec {
  std::string record;
  std::string alert;
  std::string expr;
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  // In file order.
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<std::string, std::string>> annotations;
  // 1-based position of the rule in the file (its mapping).
  int line = 0;
  int column = 0;

  bool is_alert() const { return !alert.empty(); }
  const std::string& name() const { return is_alert() ? alert : record; }
};

struct RuleGroupSpec {
  std::string name;
  int64_t interval_ms = 0;  // 0: the global evaluation interval.
  int64_t limit = 0;        // 0: no limit on series per rule.
  std::vector<RuleSpec> rules;
};

struct RuleFile {
  std::vector<RuleGroupSpec> groups;
};

// The parsed file and every problem found, each worded as promtool 2.42
// prints it after "<file>: " (for example `3:5: group "g", rule 1, "x":
// invalid recording rule name: x`). The file is usable only when `errors`
// is empty.
struct ParsedRuleFile {
  RuleFile file;
  std::vector<std::string> errors;
};

// Alerting rules' label and annotation templates are checked to parse as
// Go text/templates with Prometheus's functions (rules/template_check.h).
ParsedRuleFile ParseRuleFile(std::string_view yaml);

// Reads and parses `path`. InvalidArgument carrying every error, one per
// line, each prefixed with "<path>: " as promtool does.
StatusOr<RuleFile> LoadRuleFile(const std::string& path);

}  // namespace strata::rules

#endif  // STRATA_RULES_RULE_FILE_H_
