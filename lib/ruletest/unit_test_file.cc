#include "ruletest/unit_test_file.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <limits>

#include "util/duration.h"
#include "util/strings.h"
#include "yaml-cpp/yaml.h"

namespace strata::ruletest {
namespace {

int LineOf(const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().is_null()) return 0;
  return node.Mark().line + 1;
}

bool IsPlain(const YAML::Node& node) { return node.Tag() != "!"; }

// yaml.v2's resolution of a plain scalar to an int (strconv.ParseInt with
// base 0, underscores removed).
bool ResolveInt(std::string_view text, double* out) {
  std::string plain;
  for (char c : text) {
    if (c != '_') plain.push_back(c);
  }
  if (plain.empty()) return false;
  std::string digits = plain;
  bool negative = false;
  if (digits[0] == '+' || digits[0] == '-') {
    negative = digits[0] == '-';
    digits.erase(0, 1);
  }
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0') {
    const char p = digits[1];
    if (p == 'x' || p == 'X') base = 16;
    if (p == 'o' || p == 'O') base = 8;
    if (p == 'b' || p == 'B') base = 2;
    if (base != 10) digits.erase(0, 2);
  } else if (digits.size() > 1 && digits[0] == '0') {
    base = 8;
  }
  if (digits.empty()) return false;
  for (char c : digits) {
    const bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c))
                               : (c >= '0' && c < '0' + base);
    if (!ok) return false;
  }
  errno = 0;
  const unsigned long long v = std::strtoull(digits.c_str(), nullptr, base);
  if (errno != 0) return false;
  *out = negative ? -static_cast<double>(v) : static_cast<double>(v);
  return true;
}

// yaml.v2's float resolution: `.inf`, `.nan` and the yamlStyleFloat syntax
// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
bool ResolveFloat(std::string_view text, double* out) {
  for (std::string_view inf :
       {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
    if (text == inf) {
      *out = std::numeric_limits<double>::infinity();
      return true;
    }
  }
  for (std::string_view inf : {"-.inf", "-.Inf", "-.INF"}) {
    if (text == inf) {
      *out = -std::numeric_limits<double>::infinity();
      return true;
    }
  }
  for (std::string_view nan : {".nan", ".NaN", ".NAN"}) {
    if (text == nan) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
  }
  std::string plain;
  for (char c : text) {
    if (c != '_') plain.push_back(c);
  }
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < plain.size() && plain[i] >= '0' && plain[i] <= '9') ++i;
    return i - start;
  };
  if (i < plain.size() && (plain[i] == '+' || plain[i] == '-')) ++i;
  if (i < plain.size() && plain[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < plain.size() && plain[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < plain.size() && (plain[i] == 'e' || plain[i] == 'E')) {
    ++i;
    if (i < plain.size() && (plain[i] == '+' || plain[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  if (i != plain.size()) return false;
  *out = std::strtod(plain.c_str(), nullptr);
  return true;
}

// yaml.v2's tag for a scalar as its type errors name it.
std::string_view ScalarTag(const YAML::Node& node) {
  if (!IsPlain(node)) return "!!str";
  const std::string& s = node.Scalar();
  double unused;
  if (ResolveInt(s, &unused)) return "!!int";
  if (ResolveFloat(s, &unused)) return "!!float";
  for (std::string_view b :
       {"y",     "Y",     "yes",   "Yes", "YES", "true", "True", "TRUE",
        "on",    "On",    "ON",    "n",   "N",   "no",   "No",   "NO",
        "false", "False", "FALSE", "off", "Off", "OFF"}) {
    if (s == b) return "!!bool";
  }
  return "!!str";
}

// Decodes into promtool's structs as yaml.v2's UnmarshalStrict does,
// collecting its "unmarshal errors" lines; a custom unmarshaller's error
// (model.Duration) ends decoding as is.
class Decoder {
 public:
  UnitTestFile Decode(const YAML::Node& root) {
    UnitTestFile file;
    if (!root.IsDefined() || root.IsNull()) return file;
    if (!Expect(root, YAML::NodeType::Map, "main.unitTestFile")) return file;
    CheckFields(
        root,
        {"rule_files", "evaluation_interval", "group_eval_order", "tests"},
        "main.unitTestFile");
    file.rule_files = Strings(root["rule_files"]);
    file.evaluation_interval_ms = Duration(root["evaluation_interval"]);
    file.group_eval_order = Strings(root["group_eval_order"]);
    for (const YAML::Node& t : Sequence(root["tests"], "[]main.testGroup")) {
      file.tests.push_back(DecodeGroup(t));
    }
    return file;
  }

  Status Result() const {
    if (!value_error_.empty()) return Status::InvalidArgument(value_error_);
    if (lines_.empty()) return Status::OK();
    std::string msg = "yaml: unmarshal errors:";
    for (const std::string& l : lines_) CatTo(&msg, "\n  ", l);
    return Status::InvalidArgument(msg);
  }

 private:
  TestGroup DecodeGroup(const YAML::Node& node) {
    TestGroup g;
    if (!Expect(node, YAML::NodeType::Map, "main.testGroup")) return g;
    CheckFields(node,
                {"interval", "input_series", "alert_rule_test",
                 "promql_expr_test", "external_labels", "external_url", "name"},
                "main.testGroup");
    g.interval_ms = Duration(node["interval"]);
    for (const YAML::Node& s :
         Sequence(node["input_series"], "[]main.series")) {
      if (!Expect(s, YAML::NodeType::Map, "main.series")) continue;
      CheckFields(s, {"series", "values"}, "main.series");
      g.input_series.push_back({String(s["series"]), String(s["values"])});
    }
    for (const YAML::Node& a :
         Sequence(node["alert_rule_test"], "[]main.alertTestCase")) {
      g.alert_rule_tests.push_back(DecodeAlertTest(a));
    }
    for (const YAML::Node& p :
         Sequence(node["promql_expr_test"], "[]main.promqlTestCase")) {
      g.promql_expr_tests.push_back(DecodePromqlTest(p));
    }
    std::vector<Label> external;
    for (auto& [name, value] : StringMap(node["external_labels"])) {
      external.push_back({name, value});
    }
    g.external_labels = Labels::FromUnchecked(std::move(external));
    g.external_url = String(node["external_url"]);
    g.name = String(node["name"]);
    return g;
  }

  AlertTestCase DecodeAlertTest(const YAML::Node& node) {
    AlertTestCase t;
    if (!Expect(node, YAML::NodeType::Map, "main.alertTestCase")) return t;
    CheckFields(node, {"eval_time", "alertname", "exp_alerts"},
                "main.alertTestCase");
    t.eval_time_ms = Duration(node["eval_time"]);
    t.alertname = String(node["alertname"]);
    for (const YAML::Node& a : Sequence(node["exp_alerts"], "[]main.alert")) {
      if (!Expect(a, YAML::NodeType::Map, "main.alert")) continue;
      CheckFields(a, {"exp_labels", "exp_annotations"}, "main.alert");
      t.exp_alerts.push_back(
          {StringMap(a["exp_labels"]), StringMap(a["exp_annotations"])});
    }
    return t;
  }

  PromqlTestCase DecodePromqlTest(const YAML::Node& node) {
    PromqlTestCase t;
    if (!Expect(node, YAML::NodeType::Map, "main.promqlTestCase")) return t;
    CheckFields(node, {"expr", "eval_time", "exp_samples"},
                "main.promqlTestCase");
    t.expr = String(node["expr"]);
    t.eval_time_ms = Duration(node["eval_time"]);
    for (const YAML::Node& s : Sequence(node["exp_samples"], "[]main.sample")) {
      if (!Expect(s, YAML::NodeType::Map, "main.sample")) continue;
      CheckFields(s, {"labels", "value"}, "main.sample");
      t.exp_samples.push_back({String(s["labels"]), Float(s["value"])});
    }
    return t;
  }

  // False (and a type error) unless `node` is of `type`; null counts as
  // absent, as in yaml.v2.
  bool Expect(const YAML::Node& node, YAML::NodeType::value type,
              std::string_view go_type) {
    if (!node.IsDefined() || node.IsNull()) return false;
    if (node.Type() == type) return true;
    TypeError(node, go_type);
    return false;
  }

  void TypeError(const YAML::Node& node, std::string_view go_type) {
    std::string what;
    if (node.IsSequence()) {
      what = "!!seq";
    } else if (node.IsMap()) {
      what = "!!map";
    } else {
      const std::string& v = node.Scalar();
      what = Cat(ScalarTag(node), " `",
                 v.size() > 10 ? Cat(v.substr(0, 7), "...") : v, "`");
    }
    lines_.push_back(Cat("line ", LineOf(node), ": cannot unmarshal ", what,
                         " into ", go_type));
  }

  void CheckFields(const YAML::Node& map,
                   std::initializer_list<std::string_view> known,
                   std::string_view go_type) {
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      bool found = false;
      for (std::string_view k : known) found = found || k == key;
      if (!found) {
        lines_.push_back(Cat("line ", LineOf(entry.first), ": field ", key,
                             " not found in type ", go_type));
      }
    }
  }

  std::vector<YAML::Node> Sequence(const YAML::Node& node,
                                   std::string_view go_type) {
    std::vector<YAML::Node> out;
    if (!Expect(node, YAML::NodeType::Sequence, go_type)) return out;
    for (const YAML::Node& n : node) out.push_back(n);
    return out;
  }

  std::string String(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return "";
    if (!node.IsScalar()) {
      TypeError(node, "string");
      return "";
    }
    return node.Scalar();
  }

  std::vector<std::string> Strings(const YAML::Node& node) {
    std::vector<std::string> out;
    for (const YAML::Node& n : Sequence(node, "[]string")) {
      out.push_back(String(n));
    }
    return out;
  }

  double Float(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return 0;
    double v = 0;
    if (!node.IsScalar() || !IsPlain(node) ||
        !(ResolveInt(node.Scalar(), &v) || ResolveFloat(node.Scalar(), &v))) {
      TypeError(node, "float64");
      return 0;
    }
    return v;
  }

  int64_t Duration(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return 0;
    if (!node.IsScalar()) {
      TypeError(node, "string");
      return 0;
    }
    const std::string& text = node.Scalar();
    StatusOr<int64_t> ms = ParseDuration(text);
    if (!ms.ok()) {
      if (value_error_.empty()) {
        value_error_ = Cat("not a valid duration string: ", GoQuoted(text));
      }
      return 0;
    }
    return *ms;
  }

  StringPairs StringMap(const YAML::Node& node) {
    StringPairs out;
    if (!Expect(node, YAML::NodeType::Map, "map[string]string")) return out;
    for (const auto& entry : node) {
      out.emplace_back(entry.first.Scalar(), String(entry.second));
    }
    return out;
  }

  std::vector<std::string> lines_;
  std::string value_error_;
};

}  // namespace

StatusOr<UnitTestFile> ParseUnitTestFile(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        Cat("yaml: line ", e.mark.line + 1, ": ", e.msg));
  }
  Decoder decoder;
  UnitTestFile file;
  try {
    file = decoder.Decode(root);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        Cat("yaml: line ", e.mark.line + 1, ": ", e.msg));
  }
  Status st = decoder.Result();
  if (!st.ok()) return st;
  return file;
}

}  // namespace strata::ruletest
