#include "rules/rule_file.h"

#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>

#include "goyaml/decoder.h"
#include "promql/parser.h"
#include "rules/template_check.h"
#include "util/strings.h"
#include "yaml-cpp/yaml.h"

namespace strata::rules {
namespace {

using goyaml::IsAbsent;
using goyaml::Position;
using goyaml::PositionOf;

// go-yaml v3 drops a null item of a sequence of structs (a null group or
// rule is not there at all); the validation pass sees the same items.
std::vector<YAML::Node> StructItems(const YAML::Node& sequence) {
  std::vector<YAML::Node> out;
  if (!sequence.IsSequence()) return out;
  for (const YAML::Node& item : sequence) {
    if (!IsAbsent(item)) out.push_back(item);
  }
  return out;
}

// First pass: the shape of the file, strictly, as yaml.v3's decoder with
// KnownFields(true) checks it. Problems are collected as its "unmarshal
// errors" lines; a file with any of them is not validated further.
// record, alert and expr are yaml.Node fields in rulefmt.RuleNode: any node
// decodes, and the rule sees its Value, "" unless a scalar. (A null scalar's
// Value is its text, "~" or "null", in Go; here "".)
std::string NodeValue(const YAML::Node& node) {
  return node.IsDefined() && node.IsScalar() ? node.Scalar() : "";
}

class Decoder {
 public:
  RuleFile Decode(const YAML::Node& root) {
    RuleFile file;
    if (!yaml_.IsMap(root, "rulefmt.RuleGroups")) return file;
    yaml_.CheckFields(root, {"groups"}, "rulefmt.RuleGroups");
    const YAML::Node groups = root["groups"];
    if (!yaml_.IsSequence(groups, "[]rulefmt.RuleGroup")) return file;
    for (const YAML::Node& group : StructItems(groups)) {
      file.groups.push_back(DecodeGroup(group));
    }
    return file;
  }

  // The value error, else the "yaml: unmarshal errors:" text, else "".
  std::string ErrorText() const { return yaml_.ErrorText(); }

 private:
  RuleGroupSpec DecodeGroup(const YAML::Node& node) {
    RuleGroupSpec group;
    if (!yaml_.IsMap(node, "rulefmt.RuleGroup")) return group;
    yaml_.CheckFields(node, {"name", "interval", "limit", "rules"},
                      "rulefmt.RuleGroup");
    group.name = yaml_.String(node["name"]);
    group.interval_ms = yaml_.Duration(node["interval"]);
    group.limit = yaml_.Int(node["limit"]);
    const YAML::Node rules = node["rules"];
    if (yaml_.IsSequence(rules, "[]rulefmt.RuleNode")) {
      for (const YAML::Node& rule : StructItems(rules)) {
        group.rules.push_back(DecodeRule(rule));
      }
    }
    return group;
  }

  RuleSpec DecodeRule(const YAML::Node& node) {
    RuleSpec rule;
    const Position at = PositionOf(node);
    rule.line = at.line;
    rule.column = at.column;
    if (!yaml_.IsMap(node, "rulefmt.RuleNode")) return rule;
    yaml_.CheckFields(node,
                      {"record", "alert", "expr", "for", "keep_firing_for",
                       "labels", "annotations"},
                      "rulefmt.RuleNode");
    rule.record = NodeValue(node["record"]);
    rule.alert = NodeValue(node["alert"]);
    rule.expr = NodeValue(node["expr"]);
    rule.for_ms = yaml_.Duration(node["for"]);
    rule.keep_firing_for_ms = yaml_.Duration(node["keep_firing_for"]);
    rule.labels = yaml_.StringMap(node["labels"]);
    rule.annotations = yaml_.StringMap(node["annotations"]);
    return rule;
  }

  goyaml::Decoder yaml_{goyaml::Version::kV3};
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
  const std::vector<YAML::Node> groups = StructItems(root["groups"]);
  for (size_t g = 0; g < file.groups.size(); ++g) {
    const RuleGroupSpec& group = file.groups[g];
    const YAML::Node& group_node = groups[g];
    const Position at = PositionOf(group_node);
    if (group.name.empty()) {
      errors.push_back(
          Cat(at.line, ":", at.column, ": Groupname must not be empty"));
    }
    if (!names.insert(group.name).second) {
      errors.push_back(Cat(at.line, ":", at.column, ": groupname: \"",
                           group.name, "\" is repeated in the same file"));
    }
    const std::vector<YAML::Node> rules = StructItems(group_node["rules"]);
    for (size_t r = 0; r < group.rules.size(); ++r) {
      const YAML::Node& rule_node = rules[r];
      const RulePositions positions{PositionOf(rule_node["record"]),
                                    PositionOf(rule_node["alert"]),
                                    PositionOf(rule_node["expr"])};
      ValidateRule(group, r, group.rules[r], positions, &errors);
    }
  }
  return errors;
}

// rulefmt.Parse decodes the file twice: strictly into RuleGroups (Decoder
// above), then with yaml.Unmarshal into ruleGroups{Groups []yaml.Node} for
// the positions. The second fails only on the document's or `groups`'
// shape (and on a syntax error, which both report), with its own types.
std::string NodePassError(const YAML::Node& root) {
  goyaml::Decoder yaml(goyaml::Version::kV3);
  if (yaml.IsMap(root, "rulefmt.ruleGroups")) {
    const YAML::Node& const_root = root;
    yaml.IsSequence(const_root["groups"], "[]yaml.Node");
  }
  return yaml.ErrorText();
}

}  // namespace

ParsedRuleFile ParseRuleFile(std::string_view yaml) {
  ParsedRuleFile parsed;
  // yaml-cpp reports errors by throwing; nothing escapes this function.
  try {
    StatusOr<YAML::Node> root = goyaml::Load(yaml);
    if (!root.ok()) {
      // Both of rulefmt.Parse's passes report it.
      parsed.errors.assign(2, std::string(root.status().message()));
      return parsed;
    }
    Decoder decoder;
    parsed.file = decoder.Decode(*root);
    std::string error = decoder.ErrorText();
    std::string node_error = NodePassError(*root);
    if (!error.empty()) parsed.errors.push_back(std::move(error));
    if (!node_error.empty()) parsed.errors.push_back(std::move(node_error));
    if (!parsed.errors.empty()) return parsed;
    if (root->IsMap()) parsed.errors = Validate(parsed.file, *root);
  } catch (const YAML::Exception& e) {
    parsed.errors.assign(2, std::string(goyaml::SyntaxError(e).message()));
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
