// strata-server's --config.file: what it decodes, its defaults, rule file
// globs relative to the file, and its errors compared with the real
// `promtool check config` 2.42 on the same files.
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "config_file.h"
#include "gtest/gtest.h"
#include "run_command.h"
#include "temp_dir.h"
#include "test_env.h"
#include "util/file_system.h"

namespace strata::server {
namespace {

using strata::testing::RunCommand;
using strata::testing::TempDir;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

TEST(ConfigFileTest, EmptyAndEmptyMappingGiveTheDefaults) {
  for (const char* text : {"", "{}", "\n# only a comment\n", "---\n",
                           "global:\n", "global: {}\n"}) {
    StatusOr<ConfigFile> config = ParseConfig(text);
    ASSERT_TRUE(config.ok()) << text << ": " << config.status().ToString();
    EXPECT_EQ(config->global.scrape_interval_ms, 60000) << text;
    EXPECT_EQ(config->global.scrape_timeout_ms, 10000) << text;
    EXPECT_EQ(config->global.evaluation_interval_ms, 60000) << text;
    EXPECT_TRUE(config->global.external_labels.empty());
    EXPECT_TRUE(config->rule_files.empty());
    EXPECT_TRUE(config->alertmanagers.empty());
    EXPECT_TRUE(config->alert_relabel_configs.empty());
    EXPECT_TRUE(config->not_implemented.empty());
    EXPECT_EQ(config->yaml, text);
  }
}

TEST(ConfigFileTest, DecodesEverythingStrataActsOn) {
  StatusOr<ConfigFile> config = ParseConfig(R"(
global:
  scrape_interval: 5s
  evaluation_interval: 15s
  external_labels:
    region: eu
    replica: "1"
rule_files:
  - rules/*.yml
  - /etc/strata/other.yml
alerting:
  alert_relabel_configs:
    - action: labeldrop
      regex: replica
    - source_labels: [severity, team]
      separator: ","
      target_label: route
      replacement: "$1-x"
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:9093", "am2:9093"]
          labels: {dc: a}
        - targets: ["am3"]
      scheme: http
      path_prefix: /am
      timeout: 3s
      api_version: v2
    - static_configs: [{targets: ["am4:9093"]}]
)",
                                            "/etc/strata");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->global.scrape_interval_ms, 5000);
  // The default timeout is capped by a shorter interval.
  EXPECT_EQ(config->global.scrape_timeout_ms, 5000);
  EXPECT_EQ(config->global.evaluation_interval_ms, 15000);
  EXPECT_EQ(config->global.external_labels,
            Labels::Of({{"region", "eu"}, {"replica", "1"}}));
  EXPECT_EQ(config->rule_files,
            (std::vector<std::string>{"/etc/strata/rules/*.yml",
                                      "/etc/strata/other.yml"}));

  ASSERT_EQ(config->alert_relabel_configs.size(), 2u);
  relabel::Config drop;
  drop.action = relabel::Action::kLabelDrop;
  drop.regex = "replica";
  EXPECT_EQ(config->alert_relabel_configs[0], drop);
  relabel::Config route;
  route.source_labels = {"severity", "team"};
  route.separator = ",";
  route.target_label = "route";
  route.replacement = "$1-x";
  EXPECT_EQ(config->alert_relabel_configs[1], route);

  ASSERT_EQ(config->alertmanagers.size(), 2u);
  notifier::AlertmanagerConfig first;
  first.targets = {"127.0.0.1:9093", "am2:9093", "am3"};
  first.path_prefix = "/am";
  first.timeout_ms = 3000;
  EXPECT_EQ(config->alertmanagers[0], first);
  notifier::AlertmanagerConfig second;  // Prometheus's defaults.
  second.targets = {"am4:9093"};
  EXPECT_EQ(config->alertmanagers[1], second);
  EXPECT_EQ(second.scheme, "http");
  EXPECT_EQ(second.timeout_ms, 10000);
  EXPECT_EQ(second.api_version, "v2");
  EXPECT_EQ(config->sections,
            (std::vector<std::string>{"global", "rule_files", "alerting"}));
  EXPECT_TRUE(config->not_implemented.empty());
}

TEST(ConfigFileTest, ListsWhatIsNotImplemented) {
  const std::string text =
      "global:\n  scrape_interval: 15s\n  query_log_file: q.log\n"
      "scrape_configs: []\nremote_write:\n  - url: http://x\n"
      "alerting:\n  alertmanagers:\n  - follow_redirects: false\n"
      "    static_configs: [{targets: ['a:1']}]\n";
  StatusOr<ConfigFile> config = ParseConfig(text);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->sections,
            (std::vector<std::string>{"global", "scrape_configs",
                                      "remote_write", "alerting"}));
  EXPECT_EQ(config->not_implemented,
            (std::vector<std::string>{
                "global.query_log_file", "scrape_configs", "remote_write",
                "alerting.alertmanagers[0].follow_redirects"}));
  EXPECT_EQ(StatusConfigText(*config),
            "# Strata does not implement these parts of the configuration; "
            "they are ignored:\n# global.query_log_file scrape_configs "
            "remote_write alerting.alertmanagers[0].follow_redirects\n" +
                text);
  EXPECT_EQ(StatusConfigText(*ParseConfig("global: {}\n")), "global: {}\n");
}

// Prometheus's storage.exemplars (DefaultExemplarsConfig: 100000; a null
// section keeps it, as its main does).
TEST(ConfigFileTest, StorageExemplarsMaxExemplars) {
  EXPECT_EQ(ParseConfig("")->max_exemplars, 100000);
  EXPECT_EQ(ParseConfig("storage:\n  exemplars:\n")->max_exemplars, 100000);
  StatusOr<ConfigFile> config =
      ParseConfig("storage:\n  exemplars:\n    max_exemplars: 5\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->max_exemplars, 5);
  EXPECT_TRUE(config->not_implemented.empty());
  EXPECT_EQ(ParseConfig("storage:\n  exemplars:\n    max_exemplars: 0\n")
                ->max_exemplars,
            0);
  config = ParseConfig("storage:\n  tsdb:\n    out_of_order_time_window: 1h\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->not_implemented.empty());
  EXPECT_EQ(config->out_of_order_time_window_ms, 3600 * 1000);
  EXPECT_EQ(
      ParseConfig("storage:\n  exemplars:\n    max: 1\n").status().message(),
      "yaml: unmarshal errors:\n  line 3: field max not found in type "
      "config.ExemplarsConfig");
  EXPECT_EQ(ParseConfig("storage:\n  exemplars:\n    max_exemplars: x\n")
                .status()
                .message(),
            "yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `x` "
            "into int64");
}

// Prometheus's storage.tsdb.out_of_order_time_window: a duration, 0 (off)
// when absent or null.
TEST(ConfigFileTest, StorageTsdbOutOfOrderTimeWindow) {
  EXPECT_EQ(ParseConfig("")->out_of_order_time_window_ms, 0);
  EXPECT_EQ(ParseConfig("storage:\n  tsdb:\n")->out_of_order_time_window_ms, 0);
  EXPECT_EQ(
      ParseConfig("storage:\n  tsdb:\n    out_of_order_time_window: 30m\n")
          ->out_of_order_time_window_ms,
      30 * 60 * 1000);
  EXPECT_EQ(
      ParseConfig("storage:\n  tsdb:\n    window: 1m\n").status().message(),
      "yaml: unmarshal errors:\n  line 3: field window not found in type "
      "config.TSDBConfig");
  EXPECT_FALSE(
      ParseConfig("storage:\n  tsdb:\n    out_of_order_time_window: soon\n")
          .ok());
}

TEST(ConfigFileTest, RefusesAlertingFeaturesItCannotHonour) {
  for (const char* field :
       {"basic_auth: {username: a, password: b}", "tls_config: {}",
        "authorization: {credentials: x}", "file_sd_configs: [{files: [x]}]",
        "dns_sd_configs: [{names: [x]}]",
        "relabel_configs: [{action: keep}]"}) {
    StatusOr<ConfigFile> config = ParseConfig(
        std::string("alerting:\n  alertmanagers:\n  - ") + field + "\n");
    ASSERT_FALSE(config.ok()) << field;
    EXPECT_NE(config.status().message().find("is not supported by Strata"),
              std::string_view::npos)
        << config.status().ToString();
  }
}

TEST(ConfigFileTest, RejectsInvalidYamlWithPosition) {
  StatusOr<ConfigFile> config = ParseConfig("global:\n  a: [1, 2\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message().rfind("yaml: line ", 0), 0u)
      << config.status().ToString();
  EXPECT_FALSE(ParseConfig("a: b: c").ok());
  EXPECT_FALSE(ParseConfig("{unclosed").ok());
}

TEST(ConfigFileTest, RejectsNonMappingTopLevel) {
  for (const char* text : {"- a\n- b\n", "just a string", "42"}) {
    StatusOr<ConfigFile> config = ParseConfig(text);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_NE(config.status().message().find("into config.plain"),
              std::string_view::npos)
        << config.status().ToString();
  }
}

TEST(ConfigFileTest, LoadsFilesWithRuleFilesRelativeToThem) {
  EXPECT_TRUE(LoadConfigFile("/nonexistent/strata.yml").status().IsNotFound());
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.Join("strata.yml");
  WriteFile(path, "rule_files: ['rules/*.yml', '../up/./x.yml', '/abs.yml']\n");
  StatusOr<ConfigFile> config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->rule_files,
            (std::vector<std::string>{dir.Join("rules/*.yml"),
                                      CleanPath(dir.path() + "/../up/x.yml"),
                                      "/abs.yml"}));
  WriteFile(path, "global: [\n");
  config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(
      config.status().message().rfind("parsing YAML file " + path + ": ", 0),
      0u)
      << config.status().ToString();
}

TEST(ConfigFileTest, CleansPathsAsGo) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "."},
      {".", "."},
      {"a/./b/../c/", "a/c"},
      {"/../a", "/a"},
      {"../../a", "../../a"},
      {"a/../..", ".."},
      {"//a//b", "/a/b"},
      {"/", "/"},
      {"a/b/..", "a"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(CleanPath(in), want) << in;
}

TEST(ConfigFileTest, ExpandsRuleFileGlobs) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  mkdir(dir.Join("rules").c_str(), 0755);
  mkdir(dir.Join("rules/sub").c_str(), 0755);
  for (const char* name : {"rules/b.yml", "rules/a.yml", "rules/.hidden.yml",
                           "rules/c.yaml", "rules/sub/d.yml", "one.yml"}) {
    WriteFile(dir.Join(name), "groups: []\n");
  }
  const std::string path = dir.Join("strata.yml");
  WriteFile(path,
            "rule_files: ['rules/*.yml', 'none/*.yml', 'missing.yml', "
            "'one.yml', 'rules/a.yml']\n");
  StatusOr<ConfigFile> config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  StatusOr<std::vector<std::string>> files =
      ExpandRuleFiles(config->rule_files);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  // Go's filepath.Glob: '*' matches a leading dot; sorted per pattern;
  // patterns matching nothing add nothing; duplicates stay.
  EXPECT_EQ(*files, (std::vector<std::string>{
                        dir.Join("rules/.hidden.yml"), dir.Join("rules/a.yml"),
                        dir.Join("rules/b.yml"), dir.Join("one.yml"),
                        dir.Join("rules/a.yml")}));
}

// ---- Errors, against promtool check config ----

struct Case {
  const char* name;
  const char* yaml;
};

// Each is invalid; promtool's message is the one Strata must give.
constexpr Case kInvalid[] = {
    {"unknown_top", "foo: 1\n"},
    {"unknown_global", "global:\n  foo: 1\n"},
    {"unknown_many", "global:\n  foo: 1\n  bar: 2\nbaz: 3\n"},
    {"bad_duration", "global:\n  evaluation_interval: 1x\n"},
    {"value_error_wins", "global:\n  foo: 1\n  evaluation_interval: x\n"},
    {"timeout_over_interval",
     "global:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n"},
    {"bad_label_name", "global:\n  external_labels:\n    0a: b\n"},
    {"labels_not_a_map", "global:\n  external_labels: [a]\n"},
    {"global_not_a_map", "global: [a]\n"},
    {"bad_rule_path", "rule_files:\n  - 'a/*/b/*.yml'\n"},
    {"rule_files_not_a_list", "rule_files: a.yml\n"},
    {"rule_file_not_a_string", "rule_files: [a, {b: c}]\n"},
    {"alerting_not_a_map", "alerting: []\n"},
    {"unknown_alerting", "alerting:\n  foo: 1\n"},
    {"alertmanagers_not_a_list", "alerting:\n  alertmanagers: {}\n"},
    {"bad_api_version", "alerting:\n  alertmanagers:\n  - api_version: v3\n"},
    {"url_target",
     "alerting:\n  alertmanagers:\n  - static_configs:\n"
     "    - targets: ['http://x:9093']\n"},
    {"unknown_alertmanager", "alerting:\n  alertmanagers:\n  - foo: 1\n"},
    {"bad_timeout", "alerting:\n  alertmanagers:\n  - timeout: x\n"},
    {"timeout_not_a_string", "alerting:\n  alertmanagers:\n  - timeout: [1]\n"},
    {"unknown_static",
     "alerting:\n  alertmanagers:\n  - static_configs:\n"
     "    - targets: ['a:1']\n      foo: 1\n"},
    {"static_not_a_list",
     "alerting:\n  alertmanagers:\n  - static_configs: {targets: []}\n"},
    {"targets_not_a_list",
     "alerting:\n  alertmanagers:\n  - static_configs:\n    - targets: a\n"},
    {"bad_target_label",
     "alerting:\n  alertmanagers:\n  - static_configs:\n"
     "    - targets: ['a:1']\n      labels: {0a: b}\n"},
    {"null_relabel", "alerting:\n  alert_relabel_configs:\n  - \n"},
    {"unknown_relabel_action",
     "alerting:\n  alert_relabel_configs:\n  - action: foo\n"},
    {"unknown_relabel_field",
     "alerting:\n  alert_relabel_configs:\n  - foo: 1\n"},
    {"bad_source_label",
     "alerting:\n  alert_relabel_configs:\n  - source_labels: [0a]\n"},
    {"bad_modulus", "alerting:\n  alert_relabel_configs:\n  - modulus: x\n"},
    {"bad_regex", "alerting:\n  alert_relabel_configs:\n  - regex: '('\n"},
    {"null_action", "alerting:\n  alert_relabel_configs:\n  - action:\n"},
    // go-yaml's scalar tags and value truncation in type errors.
    {"long_value_truncated", "rule_files: abcdefghijklmnop\n"},
    {"tags",
     "global:\n  scrape_interval: [1]\n  query_log_file: {a: b}\n"
     "rule_files: 0b101\nalerting:\n  alert_relabel_configs:\n"
     "  - modulus: -1\n    separator: [a]\n"},
    {"underscore_int", "rule_files: 1_000\n"},
    {"bool_v2", "rule_files: yes\n"},
    {"empty_duration", "global:\n  scrape_interval: \"\"\n"},
    {"hashmod_without_modulus",
     "alerting:\n  alert_relabel_configs:\n"
     "  - {action: hashmod, source_labels: [a], target_label: b}\n"},
};

// Each is valid for both.
constexpr Case kValid[] = {
    {"empty", ""},
    {"api_v1",
     "alerting:\n  alertmanagers:\n  - api_version: v1\n"
     "    static_configs:\n    - targets: ['a:1']\n"},
    {"null_api_version", "alerting:\n  alertmanagers:\n  - api_version:\n"},
    {"any_scheme", "alerting:\n  alertmanagers:\n  - scheme: https\n"},
    {"null_regex",
     "alerting:\n  alert_relabel_configs:\n  - regex:\n    action: keep\n"
     "    source_labels: [a]\n"},
    {"null_strings",
     "alerting:\n  alert_relabel_configs:\n  - separator:\n"
     "    replacement:\n    target_label: x\n"},
    {"null_timeout_and_scheme",
     "alerting:\n  alertmanagers:\n  - timeout:\n    scheme:\n"},
    {"null_evaluation_interval", "global:\n  evaluation_interval:\n"},
    {"zero_interval", "global:\n  evaluation_interval: 0s\n"},
    {"full",
     "global:\n  scrape_interval: 15s\n  evaluation_interval: 30s\n"
     "  external_labels: {a: b}\nrule_files: ['r/*.yml']\n"
     "alerting:\n  alert_relabel_configs:\n  - action: labeldrop\n"
     "    regex: a\n  alertmanagers:\n  - path_prefix: /p\n"
     "    timeout: 2s\n    static_configs: [{targets: ['x:9093']}]\n"},
};

class ConfigVsPromtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int code = 0;
    RunCommand("promtool --version >/dev/null 2>&1", &code);
    if (code != 0) STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
    ASSERT_TRUE(dir_.ok());
  }

  // promtool's verdict on `yaml`: "" if valid, else its message after
  // "FAILED: ".
  std::string Promtool(const std::string& path) {
    int code = 0;
    const std::string out =
        RunCommand("promtool check config '" + path + "' 2>&1", &code);
    if (code == 0) return "";
    const size_t at = out.find("FAILED: ");
    if (at == std::string::npos) return out;
    std::string message = out.substr(at + 8);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return message;
  }

  TempDir dir_;
};

TEST_F(ConfigVsPromtoolTest, SameErrorsAsPrometheus) {
  for (const Case& c : kInvalid) {
    const std::string path = dir_.Join(std::string(c.name) + ".yml");
    WriteFile(path, c.yaml);
    const std::string want = Promtool(path);
    ASSERT_FALSE(want.empty()) << c.name << " is valid for promtool";
    StatusOr<ConfigFile> config = LoadConfigFile(path);
    ASSERT_FALSE(config.ok()) << c.name;
    EXPECT_EQ(config.status().message(), want) << c.name;
  }
}

TEST_F(ConfigVsPromtoolTest, SameValidFiles) {
  mkdir(dir_.Join("r").c_str(), 0755);
  WriteFile(dir_.Join("r/a.yml"), "groups: []\n");
  for (const Case& c : kValid) {
    const std::string path = dir_.Join(std::string(c.name) + ".yml");
    WriteFile(path, c.yaml);
    EXPECT_EQ(Promtool(path), "") << c.name;
    StatusOr<ConfigFile> config = LoadConfigFile(path);
    EXPECT_TRUE(config.ok()) << c.name << ": " << config.status().ToString();
  }
}

}  // namespace
}  // namespace strata::server
