// relabel::Relabeler against Prometheus 2.42's model/relabel semantics:
// every action, the defaults, $-expansion, and the validation messages,
// which are compared with what the real promtool says for the same
// alert_relabel_configs entry.
#include "relabel/relabel.h"

#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "run_command.h"
#include "temp_dir.h"
#include "test_env.h"
#include "util/strings.h"

namespace strata::relabel {
namespace {

Labels Process(const std::vector<Config>& configs, const Labels& in,
               bool* kept) {
  auto r = Relabeler::Compile(configs);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  Labels out = in;
  *kept = r->Process(&out);
  return out;
}

Labels Kept(const std::vector<Config>& configs, const Labels& in) {
  bool kept = false;
  Labels out = Process(configs, in, &kept);
  EXPECT_TRUE(kept) << in.ToString();
  return out;
}

bool Dropped(const std::vector<Config>& configs, const Labels& in) {
  bool kept = true;
  Process(configs, in, &kept);
  return !kept;
}

Config Replace(std::vector<std::string> sources, std::string regex,
               std::string target, std::string replacement) {
  Config c;
  c.source_labels = std::move(sources);
  c.regex = std::move(regex);
  c.target_label = std::move(target);
  c.replacement = std::move(replacement);
  return c;
}

Config WithAction(Action action, std::vector<std::string> sources,
                  std::string regex, std::string target = "") {
  Config c;
  c.action = action;
  c.source_labels = std::move(sources);
  c.regex = std::move(regex);
  c.target_label = std::move(target);
  return c;
}

TEST(RelabelTest, ActionNamesRoundTripAndParseCaseInsensitively) {
  for (Action a : {Action::kReplace, Action::kKeep, Action::kDrop,
                   Action::kKeepEqual, Action::kDropEqual, Action::kHashMod,
                   Action::kLabelMap, Action::kLabelDrop, Action::kLabelKeep,
                   Action::kLowercase, Action::kUppercase}) {
    auto parsed = ParseAction(ActionName(a));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, a);
  }
  EXPECT_EQ(*ParseAction("LabelMap"), Action::kLabelMap);
  EXPECT_EQ(ParseAction("Nope").status().message(),
            "unknown relabel action \"Nope\"");
}

TEST(RelabelTest, DefaultsAreDefaultRelabelConfig) {
  const Config c;
  EXPECT_EQ(c.separator, ";");
  EXPECT_EQ(c.regex, "(.*)");
  EXPECT_EQ(c.replacement, "$1");
  EXPECT_EQ(c.modulus, 0u);
  EXPECT_EQ(c.action, Action::kReplace);
  // Replace with defaults needs a target; then copies the joined sources.
  Config copy = c;
  copy.source_labels = {"a", "b"};
  copy.target_label = "c";
  EXPECT_EQ(Kept({copy}, Labels::Of({{"a", "x"}, {"b", "y"}})),
            Labels::Of({{"a", "x"}, {"b", "y"}, {"c", "x;y"}}));
}

TEST(RelabelTest, NoConfigsKeepEverything) {
  Relabeler empty;
  Labels l = Labels::Of({{"a", "b"}});
  EXPECT_TRUE(empty.Process(&l));
  EXPECT_EQ(l, Labels::Of({{"a", "b"}}));
  EXPECT_TRUE(empty.empty());
}

TEST(RelabelTest, ReplaceAnchorsTheRegexAndExpandsGroups) {
  const Labels in = Labels::Of({{"a", "foo"}, {"b", "bar"}, {"c", "baz"}});
  EXPECT_EQ(
      Kept({Replace({"a"}, "f(.*)", "d", "ch${1}-ch${1}")}, in),
      Labels::Of(
          {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "choo-choo"}}));
  // "o" matches only inside "foo": anchored, so no match, nothing changes.
  EXPECT_EQ(Kept({Replace({"a"}, "o", "d", "x")}, in), in);
  // Several sources joined with the separator.
  Config joined = Replace({"a", "b"}, "f(.*);(.*)r", "a", "b${1}${2}m");
  EXPECT_EQ(Kept({joined}, in).Get("a"), "boobam");
  // A missing source label is "".
  EXPECT_EQ(Kept({Replace({"a", "x"}, "(.*);", "d", "$1")}, in).Get("d"),
            "foo");
  // The target label may be expanded too.
  const Labels dashed = Labels::Of({{"a", "some-name-value"}});
  EXPECT_EQ(
      Kept({Replace({"a"}, "some-([^-]+)-([^,]+)", "${1}", "${2}")}, dashed),
      Labels::Of({{"a", "some-name-value"}, {"name", "value"}}));
  // Named groups.
  EXPECT_EQ(Kept({Replace({"a"}, "some-(?P<n>[^-]+)-.*", "x", "$n!")}, dashed)
                .Get("x"),
            "name!");
  // "$$" is a literal dollar; "$1x" is group "1x" (absent): "".
  EXPECT_EQ(Kept({Replace({"a"}, "(f)oo", "d", "$$$1")}, in).Get("d"), "$f");
  EXPECT_FALSE(Kept({Replace({"a"}, "(f)oo", "d", "$1x")}, in).Has("d"));
}

TEST(RelabelTest, ReplaceWithEmptyResultOrInvalidTargetDeletesTheTarget) {
  const Labels in = Labels::Of({{"a", "foo"}, {"b", "bar"}});
  // Empty replacement deletes target_label.
  EXPECT_EQ(Kept({Replace({"a"}, "foo", "b", "")}, in),
            Labels::Of({{"a", "foo"}}));
  // An expanded target that is not a label name deletes target_label as
  // written (here "${1}", which does not exist: nothing to delete).
  const Labels dashed = Labels::Of({{"a", "some-name-0"}});
  EXPECT_EQ(
      Kept({Replace({"a"}, "some-([^-]+)-([^,]+)", "${2}", "${1}")}, dashed),
      dashed);
  // Without a match nothing happens, even with an empty replacement.
  EXPECT_EQ(Kept({Replace({"a"}, "nomatch", "b", "")}, in), in);
}

TEST(RelabelTest, KeepAndDrop) {
  const Labels in = Labels::Of({{"a", "foo"}});
  EXPECT_TRUE(Dropped({WithAction(Action::kDrop, {"a"}, "f.*")}, in));
  EXPECT_EQ(Kept({WithAction(Action::kDrop, {"a"}, "f")}, in), in);
  EXPECT_TRUE(Dropped({WithAction(Action::kKeep, {"a"}, "f")}, in));
  EXPECT_EQ(Kept({WithAction(Action::kKeep, {"a"}, "f.*")}, in), in);
  // An absent source is "", which "(.*)" matches.
  EXPECT_TRUE(Dropped({WithAction(Action::kDrop, {"x"}, "(.*)")}, in));
  EXPECT_TRUE(Dropped({WithAction(Action::kKeep, {"x"}, ".+")}, in));
  // Later configs are not applied after a drop; earlier ones were.
  EXPECT_TRUE(Dropped({Replace({"a"}, "(.*)", "b", "$1"),
                       WithAction(Action::kDrop, {"b"}, "foo")},
                      in));
}

TEST(RelabelTest, KeepEqualAndDropEqual) {
  const Labels in = Labels::Of({{"a", "1"}, {"b", "1"}, {"c", "2"}});
  EXPECT_EQ(Kept({WithAction(Action::kKeepEqual, {"a"}, "(.*)", "b")}, in), in);
  EXPECT_TRUE(
      Dropped({WithAction(Action::kKeepEqual, {"a"}, "(.*)", "c")}, in));
  EXPECT_TRUE(
      Dropped({WithAction(Action::kDropEqual, {"a"}, "(.*)", "b")}, in));
  EXPECT_EQ(Kept({WithAction(Action::kDropEqual, {"a"}, "(.*)", "c")}, in), in);
}

TEST(RelabelTest, HashModAsPrometheus) {
  // Values from Prometheus's relabel_test.go (md5, last 8 bytes).
  Config c = WithAction(Action::kHashMod, {"c"}, "(.*)", "d");
  c.modulus = 1000;
  EXPECT_EQ(Kept({c}, Labels::Of({{"c", "baz"}})).Get("d"), "976");
  c.source_labels = {"a"};
  EXPECT_EQ(Kept({c}, Labels::Of({{"a", "foo\nbar"}})).Get("d"), "734");
}

TEST(RelabelTest, LowercaseAndUppercase) {
  const Labels in = Labels::Of({{"foo", "bAr123Foo"}});
  EXPECT_EQ(Kept({WithAction(Action::kLowercase, {"foo"}, "(.*)", "lower")}, in)
                .Get("lower"),
            "bar123foo");
  EXPECT_EQ(Kept({WithAction(Action::kUppercase, {"foo"}, "(.*)", "foo")}, in)
                .Get("foo"),
            "BAR123FOO");
}

TEST(RelabelTest, LabelMapCopiesMatchingNames) {
  const Labels in = Labels::Of({{"a", "foo"},
                                {"__meta_my_bar", "aaa"},
                                {"__meta_my_baz", "bbb"},
                                {"__meta_other", "ccc"}});
  Config c = WithAction(Action::kLabelMap, {}, "__meta_(my.*)");
  c.replacement = "${1}";
  EXPECT_EQ(Kept({c}, in), Labels::Of({{"a", "foo"},
                                       {"__meta_my_bar", "aaa"},
                                       {"__meta_my_baz", "bbb"},
                                       {"__meta_other", "ccc"},
                                       {"my_bar", "aaa"},
                                       {"my_baz", "bbb"}}));
  Config prefix = WithAction(Action::kLabelMap, {}, "(b.*)");
  prefix.replacement = "bar_${1}";
  EXPECT_EQ(Kept({prefix}, Labels::Of({{"a", "foo"}, {"b1", "bar"}})),
            Labels::Of({{"a", "foo"}, {"b1", "bar"}, {"bar_b1", "bar"}}));
}

TEST(RelabelTest, LabelDropAndLabelKeep) {
  const Labels in = Labels::Of({{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}});
  EXPECT_EQ(Kept({WithAction(Action::kLabelDrop, {}, "(b.*)")}, in),
            Labels::Of({{"a", "foo"}}));
  EXPECT_EQ(Kept({WithAction(Action::kLabelKeep, {}, "(b.*)")}, in),
            Labels::Of({{"b1", "bar"}, {"b2", "baz"}}));
  // Anchored: "b" alone matches no name.
  EXPECT_EQ(Kept({WithAction(Action::kLabelDrop, {}, "b")}, in), in);
}

TEST(RelabelTest, ConfigsApplyInOrder) {
  const Labels in = Labels::Of({{"a", "foo"}});
  EXPECT_EQ(Kept({Replace({"a"}, "(.*)", "b", "${1}bar"),
                  Replace({"b"}, "(.*)", "c", "${1}baz"),
                  WithAction(Action::kLabelDrop, {}, "a|b")},
                 in),
            Labels::Of({{"c", "foobarbaz"}}));
}

// ---- Validation, against promtool ----

struct InvalidCase {
  Config config;
  std::string message;  // Prometheus 2.42's
};

std::vector<InvalidCase> InvalidCases() {
  std::vector<InvalidCase> cases;
  auto add = [&](Config c, std::string m) {
    cases.push_back({std::move(c), std::move(m)});
  };
  add(WithAction(Action::kHashMod, {"a"}, "(.*)", "x"),
      "relabel configuration for hashmod requires non-zero modulus");
  add(WithAction(Action::kReplace, {"a"}, "(.*)"),
      "relabel configuration for replace action requires 'target_label' "
      "value");
  add(WithAction(Action::kLowercase, {"a"}, "(.*)"),
      "relabel configuration for lowercase action requires 'target_label' "
      "value");
  add(WithAction(Action::kReplace, {"a"}, "(.*)", "1bad"),
      "\"1bad\" is invalid 'target_label' for replace action");
  add(WithAction(Action::kKeepEqual, {"a"}, "(.*)", "a-b"),
      "\"a-b\" is invalid 'target_label' for keepequal action");
  {
    Config c = WithAction(Action::kUppercase, {"a"}, "(.*)", "x");
    c.replacement = "y";
    add(c, "'replacement' can not be set for uppercase action");
  }
  {
    Config c = WithAction(Action::kLabelMap, {}, "(.*)");
    c.replacement = "a-$1";
    add(c, "\"a-$1\" is invalid 'replacement' for labelmap action");
  }
  {
    Config c = WithAction(Action::kHashMod, {"a"}, "(.*)", "${1}");
    c.modulus = 2;
    add(c, "\"${1}\" is invalid 'target_label' for hashmod action");
  }
  {
    Config c = WithAction(Action::kDropEqual, {"a"}, "(.*)", "b");
    c.separator = ",";
    add(c,
        "dropequal action requires only 'source_labels' and `target_label`, "
        "and no other fields");
  }
  add(WithAction(Action::kKeepEqual, {"a"}, "x", "b"),
      "keepequal action requires only 'source_labels' and `target_label`, "
      "and no other fields");
  add(WithAction(Action::kLabelDrop, {"a"}, "x"),
      "labeldrop action requires only 'regex', and no other fields");
  add(WithAction(Action::kLabelKeep, {}, "x", "t"),
      "labelkeep action requires only 'regex', and no other fields");
  add(WithAction(Action::kKeep, {"a"}, "(abc"),
      "error parsing regexp: missing closing ): `^(?:(abc)$`");
  add(WithAction(Action::kKeep, {"a"}, "a**"),
      "error parsing regexp: invalid nested repetition operator: `**`");
  add(WithAction(Action::kKeep, {"a-b"}, "x"),
      "\"a-b\" is not a valid label name");
  return cases;
}

TEST(RelabelTest, ValidationMessagesAsPrometheus) {
  for (const InvalidCase& c : InvalidCases()) {
    auto r = Relabeler::Compile({c.config});
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().message(), c.message);
  }
  // Valid ones.
  for (Action a : {Action::kReplace, Action::kLowercase, Action::kUppercase,
                   Action::kKeepEqual, Action::kDropEqual}) {
    EXPECT_TRUE(Relabeler::Compile({WithAction(a, {"a"}, "(.*)", "t")}).ok())
        << ActionName(a);
  }
  Config labelmap = WithAction(Action::kLabelMap, {}, "(.*)");
  labelmap.replacement = "x_${1}";
  EXPECT_TRUE(Relabeler::Compile({labelmap}).ok());
}

// The YAML for one alert_relabel_configs entry: only non-default fields.
std::string ToYaml(const Config& c) {
  std::string y = Cat("    - action: ", ActionName(c.action), "\n");
  if (!c.source_labels.empty()) {
    y += "      source_labels: [";
    for (size_t i = 0; i < c.source_labels.size(); ++i) {
      y += Cat(i ? ", " : "", GoQuoted(c.source_labels[i]));
    }
    y += "]\n";
  }
  if (c.separator != kDefaultSeparator) {
    y += Cat("      separator: ", GoQuoted(c.separator), "\n");
  }
  if (c.regex != kDefaultRegex) {
    y += Cat("      regex: ", GoQuoted(c.regex), "\n");
  }
  if (c.modulus != 0) y += Cat("      modulus: ", c.modulus, "\n");
  if (!c.target_label.empty()) {
    y += Cat("      target_label: ", GoQuoted(c.target_label), "\n");
  }
  if (c.replacement != kDefaultReplacement) {
    y += Cat("      replacement: ", GoQuoted(c.replacement), "\n");
  }
  return y;
}

TEST(RelabelTest, ValidationMessagesMatchPromtool) {
  if (access("/usr/bin/promtool", X_OK) != 0) {
    STRATA_SKIP_OR_FAIL_IF_MISSING("/usr/bin/promtool");
  }
  testing::TempDir dir;
  for (const InvalidCase& c : InvalidCases()) {
    const std::string path = dir.path() + "/prometheus.yml";
    std::ofstream(path) << "alerting:\n  alert_relabel_configs:\n"
                        << ToYaml(c.config);
    int code = 0;
    const std::string out = testing::RunCommand(
        Cat("/usr/bin/promtool check config ", path, " 2>&1"), &code);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find(Cat("FAILED: parsing YAML file ", path, ": ", c.message,
                           "\n")),
              std::string::npos)
        << "promtool said:\n"
        << out << "we say: " << c.message;
  }
}

}  // namespace
}  // namespace strata::relabel
