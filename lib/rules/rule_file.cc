#include "rules/rule_file.h"

#include <cerrno>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "promql/parser.h"
#include "rules/template_check.h"
#include "util/duration.h"
#include "util/strings.h"
#include "yaml-cpp/yaml.h"

namespace strata::rules {
namespace {

// A position as Go's yaml.v3 reports it: 1-based, and 0:0 for a field the
// file does not have.
struct Position {
  int line = 0;
  int column = 0;
};

Position PositionOf(const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().is_null()) return {};
  return {node.Mark().line + 1, node.Mark().column + 1};
}

// First pass: the shape of the file, strictly, as yaml.v3's decoder with
// KnownFields(true) checks it. Problems are collected as its "unmarshal
// errors" lines; a file with any of them is not validated further.
class Decoder {
 public:
  RuleFile Decode(const YAML::Node& root) {
    RuleFile file;
    if (!root.IsDefined() || root.IsNull()) return file;
    if (!root.IsMap()) {
      TypeError(root, "rulefmt.RuleGroups");
      return file;
    }
    CheckFields(root, {"groups"}, "rulefmt.RuleGroups");
    const YAML::Node groups = root["groups"];
    if (!groups.IsDefined() || groups.IsNull()) return file;
    if (!groups.IsSequence()) {
      TypeError(groups, "[]rulefmt.RuleGroup");
      return file;
    }
    for (const YAML::Node& group : groups) {
      file.groups.push_back(DecodeGroup(group));
    }
    return file;
  }

  const std::vector<std::string>& unmarshal_errors() const { return lines_; }
  const std::string& value_error() const { return value_error_; }

 private:
  RuleGroupSpec DecodeGroup(const YAML::Node& node) {
    RuleGroupSpec group;
    if (!node.IsMap()) {
      TypeError(node, "rulefmt.RuleGroup");
      return group;
    }
    CheckFields(node, {"name", "interval", "limit", "rules"},
                "rulefmt.RuleGroup");
    group.name = ScalarText(node["name"], "string");
    group.interval_ms = DurationValue(node["interval"]);
    group.limit = IntValue(node["limit"]);
    const YAML::Node rules = node["rules"];
    if (rules.IsDefined() && !rules.IsNull()) {
      if (!rules.IsSequence()) {
        TypeError(rules, "[]rulefmt.RuleNode");
      } else {
        for (const YAML::Node& rule : rules) {
          group.rules.push_back(DecodeRule(rule));
        }
      }
    }
    return group;
  }

  RuleSpec DecodeRule(const YAML::Node& node) {
    RuleSpec rule;
    const Position at = PositionOf(node);
    rule.line = at.line;
    rule.column = at.column;
    if (!node.IsMap()) {
      TypeError(node, "rulefmt.RuleNode");
      return rule;
    }
    CheckFields(node,
                {"record", "alert", "expr", "for", "keep_firing_for", "labels",
                 "annotations"},
                "rulefmt.RuleNode");
    rule.record = ScalarText(node["record"], "string");
    rule.alert = ScalarText(node["alert"], "string");
    rule.expr = ScalarText(node["expr"], "string");
    rule.for_ms = DurationValue(node["for"]);
    rule.keep_firing_for_ms = DurationValue(node["keep_firing_for"]);
    rule.labels = StringMap(node["labels"]);
    rule.annotations = StringMap(node["annotations"]);
    return rule;
  }

  void CheckFields(const YAML::Node& map,
                   std::initializer_list<std::string_view> known,
                   std::string_view type) {
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      bool found = false;
      for (std::string_view k : known) found = found || k == key;
      if (!found) {
        lines_.push_back(Cat("line ", PositionOf(entry.first).line, ": field ",
                             key, " not found in type ", type));
      }
    }
  }

  void TypeError(const YAML::Node& node, std::string_view type) {
    lines_.push_back(Cat("line ", PositionOf(node).line, ": cannot unmarshal ",
                         KindTag(node), " into ", type));
  }

  static std::string_view KindTag(const YAML::Node& node) {
    if (node.IsSequence()) return "!!seq";
    if (node.IsMap()) return "!!map";
    return "!!str";
  }

  std::string ScalarText(const YAML::Node& node, std::string_view type) {
    if (!node.IsDefined() || node.IsNull()) return "";
    if (!node.IsScalar()) {
      TypeError(node, type);
      return "";
    }
    return node.Scalar();
  }

  int64_t IntValue(const YAML::Node& node) {
    const std::string text = ScalarText(node, "int");
    if (text.empty()) return 0;
    int64_t value = 0;
    if (!YAML::convert<int64_t>::decode(node, value)) {
      lines_.push_back(Cat("line ", PositionOf(node).line,
                           ": cannot unmarshal !!str `", text, "` into int"));
    }
    return value;
  }

  // model.Duration's own unmarshaller: its error ends decoding as is.
  int64_t DurationValue(const YAML::Node& node) {
    const std::string text = ScalarText(node, "model.Duration");
    if (text.empty()) return 0;
    StatusOr<int64_t> ms = ParseDuration(text);
    if (!ms.ok()) {
      if (value_error_.empty()) {
        value_error_ = Cat("not a valid duration string: ", GoQuoted(text));
      }
      return 0;
    }
    return *ms;
  }

  std::vector<std::pair<std::string, std::string>> StringMap(
      const YAML::Node& node) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsMap()) {
      TypeError(node, "map[string]string");
      return out;
    }
    for (const auto& entry : node) {
      out.emplace_back(entry.first.Scalar(),
                       ScalarText(entry.second, "string"));
    }
    return out;
  }

  std::vector<std::string> lines_;
  std::string value_error_;
};

// A rule's problem, worded as rulefmt.Error prints it.
std::string RuleError(const RuleGroupSpec& group, size_t index,
                      const RuleSpec& rule, std::string_view message,
                      const Position* at, const Position* alt = nullptr) {
  std::string out;
  if (at != nullptr) CatTo(&out, at->line, ":", at->column, ": ");
  if (alt != nullptr) CatTo(&out, alt->line, ":", alt->column, ": ");
  CatTo(&out, "group ", GoQuoted(group.name), ", rule ", index + 1, ", ",
        GoQuoted(rule.name()), ": ", message);
  return out;
}

// Positions of a rule's record, alert and expr values (0:0 when absent).
struct RulePositions {
  Position record, alert, expr;
};

// rulefmt.RuleNode.Validate, in its order.
void ValidateRule(const RuleGroupSpec& group, size_t index,
                  const RuleSpec& rule, const RulePositions& at,
                  std::vector<std::string>* errors) {
  auto add = [&](std::string_view message, const Position* pos,
                 const Position* alt = nullptr) {
    errors->push_back(RuleError(group, index, rule, message, pos, alt));
  };
  if (!rule.record.empty() && !rule.alert.empty()) {
    add("only one of 'record' and 'alert' must be set", &at.record, &at.alert);
  }
  if (rule.record.empty() && rule.alert.empty()) {
    add("one of 'record' or 'alert' must be set", &at.record);
  }
  if (rule.expr.empty()) {
    add("field 'expr' must be set in rule", &at.expr);
  } else if (StatusOr<promql::ExprPtr> parsed = promql::ParseExpr(rule.expr);
             !parsed.ok()) {
    add(Cat("could not parse expression: ", parsed.status().message()),
        &at.expr);
  }
  if (!rule.record.empty()) {
    if (!rule.annotations.empty()) {
      add("invalid field 'annotations' in recording rule", &at.record);
    }
    if (rule.for_ms != 0) {
      add("invalid field 'for' in recording rule", &at.record);
    }
    if (rule.keep_firing_for_ms != 0) {
      add("invalid field 'keep_firing_for' in recording rule", &at.record);
    }
    if (!IsValidMetricName(rule.record)) {
      add(Cat("invalid recording rule name: ", rule.record), &at.record);
    }
  }
  for (const auto& [name, value] : rule.labels) {
    if (!IsValidLabelName(name) || name == "__name__") {
      add(Cat("invalid label name: ", name), nullptr);
    }
    if (!IsValidUtf8(value)) add(Cat("invalid label value: ", value), nullptr);
  }
  for (const auto& [name, value] : rule.annotations) {
    if (!IsValidLabelName(name)) {
      add(Cat("invalid annotation name: ", name), nullptr);
    }
  }
  if (rule.alert.empty()) return;
  for (const auto& [name, text] : rule.labels) {
    if (Status s = CheckAlertTemplate(rule.alert, text); !s.ok()) {
      add(Cat("label ", GoQuoted(name), ": ", s.message()), nullptr);
    }
  }
  for (const auto& [name, text] : rule.annotations) {
    if (Status s = CheckAlertTemplate(rule.alert, text); !s.ok()) {
      add(Cat("annotation ", GoQuoted(name), ": ", s.message()), nullptr);
    }
  }
}

// rulefmt.RuleGroups.Validate: group names, then each rule.
std::vector<std::string> Validate(const RuleFile& file,
                                  const YAML::Node& root) {
  std::vector<std::string> errors;
  std::set<std::string> names;
  const YAML::Node groups = root["groups"];
  for (size_t g = 0; g < file.groups.size(); ++g) {
    const RuleGroupSpec& group = file.groups[g];
    const YAML::Node group_node = groups[g];
    const Position at = PositionOf(group_node);
    if (group.name.empty()) {
      errors.push_back(
          Cat(at.line, ":", at.column, ": Groupname must not be empty"));
    }
    if (!names.insert(group.name).second) {
      errors.push_back(Cat(at.line, ":", at.column, ": groupname: \"",
                           group.name, "\" is repeated in the same file"));
    }
    const YAML::Node rules = group_node["rules"];
    for (size_t r = 0; r < group.rules.size(); ++r) {
      const YAML::Node rule_node = rules[r];
      const RulePositions positions{PositionOf(rule_node["record"]),
                                    PositionOf(rule_node["alert"]),
                                    PositionOf(rule_node["expr"])};
      ValidateRule(group, r, group.rules[r], positions, &errors);
    }
  }
  return errors;
}

}  // namespace

ParsedRuleFile ParseRuleFile(std::string_view yaml) {
  ParsedRuleFile parsed;
  // yaml-cpp reports errors by throwing; nothing escapes this function.
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    Decoder decoder;
    parsed.file = decoder.Decode(root);
    if (!decoder.value_error().empty()) {
      parsed.errors.push_back(decoder.value_error());
      return parsed;
    }
    if (!decoder.unmarshal_errors().empty()) {
      std::string message = "yaml: unmarshal errors:";
      for (const std::string& line : decoder.unmarshal_errors()) {
        CatTo(&message, "\n  ", line);
      }
      parsed.errors.push_back(std::move(message));
      return parsed;
    }
    if (root.IsMap()) {
      parsed.errors = Validate(parsed.file, root);
    }
  } catch (const YAML::Exception& e) {
    parsed.errors.push_back(Cat("yaml: line ", e.mark.line + 1, ": ", e.msg));
  }
  return parsed;
}

StatusOr<RuleFile> LoadRuleFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    const int err = errno;
    if (err == ENOENT) {
      return Status::NotFound(
          Cat(path, ": open ", path, ": no such file or directory"));
    }
    return Status::FromErrno(err, Cat(path, ": open ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  ParsedRuleFile parsed = ParseRuleFile(text.str());
  if (parsed.errors.empty()) return std::move(parsed.file);
  std::string message;
  for (const std::string& error : parsed.errors) {
    CatTo(&message, message.empty() ? "" : "\n", path, ": ", error);
  }
  return Status::InvalidArgument(message);
}

}  // namespace strata::rules
