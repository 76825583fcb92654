#include "ruletest/unit_test_file.h"

#include "goyaml/decoder.h"
#include "yaml-cpp/yaml.h"

namespace strata::ruletest {
namespace {

// Decodes into promtool's structs as yaml.v2's UnmarshalStrict does,
// collecting its "unmarshal errors" lines; a custom unmarshaller's error
// (model.Duration) ends decoding as is.
class Decoder {
 public:
  UnitTestFile Decode(const YAML::Node& root) {
    UnitTestFile file;
    if (!yaml_.IsMap(root, "main.unitTestFile")) return file;
    yaml_.CheckFields(
        root,
        {"rule_files", "evaluation_interval", "group_eval_order", "tests"},
        "main.unitTestFile");
    file.rule_files = yaml_.StringList(root["rule_files"]);
    file.evaluation_interval_ms = yaml_.Duration(root["evaluation_interval"]);
    file.group_eval_order = yaml_.StringList(root["group_eval_order"]);
    for (const YAML::Node& t :
         yaml_.Sequence(root["tests"], "[]main.testGroup")) {
      file.tests.push_back(DecodeGroup(t));
    }
    return file;
  }

  Status Result() const { return yaml_.Result(); }

 private:
  TestGroup DecodeGroup(const YAML::Node& node) {
    TestGroup g;
    if (!yaml_.IsMap(node, "main.testGroup")) return g;
    yaml_.CheckFields(
        node,
        {"interval", "input_series", "alert_rule_test", "promql_expr_test",
         "external_labels", "external_url", "name"},
        "main.testGroup");
    g.interval_ms = yaml_.Duration(node["interval"]);
    for (const YAML::Node& s :
         yaml_.Sequence(node["input_series"], "[]main.series")) {
      if (!yaml_.IsMap(s, "main.series")) continue;
      yaml_.CheckFields(s, {"series", "values"}, "main.series");
      g.input_series.push_back(
          {yaml_.String(s["series"]), yaml_.String(s["values"])});
    }
    for (const YAML::Node& a :
         yaml_.Sequence(node["alert_rule_test"], "[]main.alertTestCase")) {
      g.alert_rule_tests.push_back(DecodeAlertTest(a));
    }
    for (const YAML::Node& p :
         yaml_.Sequence(node["promql_expr_test"], "[]main.promqlTestCase")) {
      g.promql_expr_tests.push_back(DecodePromqlTest(p));
    }
    std::vector<Label> external;
    for (auto& [name, value] : yaml_.StringMap(node["external_labels"])) {
      external.push_back({name, value});
    }
    g.external_labels = Labels::FromUnchecked(std::move(external));
    g.external_url = yaml_.String(node["external_url"]);
    g.name = yaml_.String(node["name"]);
    return g;
  }

  AlertTestCase DecodeAlertTest(const YAML::Node& node) {
    AlertTestCase t;
    if (!yaml_.IsMap(node, "main.alertTestCase")) return t;
    yaml_.CheckFields(node, {"eval_time", "alertname", "exp_alerts"},
                      "main.alertTestCase");
    t.eval_time_ms = yaml_.Duration(node["eval_time"]);
    t.alertname = yaml_.String(node["alertname"]);
    for (const YAML::Node& a :
         yaml_.Sequence(node["exp_alerts"], "[]main.alert")) {
      if (!yaml_.IsMap(a, "main.alert")) continue;
      yaml_.CheckFields(a, {"exp_labels", "exp_annotations"}, "main.alert");
      t.exp_alerts.push_back({yaml_.StringMap(a["exp_labels"]),
                              yaml_.StringMap(a["exp_annotations"])});
    }
    return t;
  }

  PromqlTestCase DecodePromqlTest(const YAML::Node& node) {
    PromqlTestCase t;
    if (!yaml_.IsMap(node, "main.promqlTestCase")) return t;
    yaml_.CheckFields(node, {"expr", "eval_time", "exp_samples"},
                      "main.promqlTestCase");
    t.expr = yaml_.String(node["expr"]);
    t.eval_time_ms = yaml_.Duration(node["eval_time"]);
    for (const YAML::Node& s :
         yaml_.Sequence(node["exp_samples"], "[]main.sample")) {
      if (!yaml_.IsMap(s, "main.sample")) continue;
      yaml_.CheckFields(s, {"labels", "value"}, "main.sample");
      t.exp_samples.push_back(
          {yaml_.String(s["labels"]), yaml_.Float(s["value"])});
    }
    return t;
  }

  goyaml::Decoder yaml_{goyaml::Version::kV2};
};

}  // namespace

StatusOr<UnitTestFile> ParseUnitTestFile(std::string_view yaml) {
  StatusOr<YAML::Node> root = goyaml::Load(yaml);
  if (!root.ok()) return root.status();
  Decoder decoder;
  UnitTestFile file;
  // yaml-cpp reports errors by throwing; nothing escapes this function.
  try {
    file = decoder.Decode(*root);
  } catch (const YAML::Exception& e) {
    return goyaml::SyntaxError(e);
  }
  STRATA_RETURN_IF_ERROR(decoder.Result());
  return file;
}

}  // namespace strata::ruletest
