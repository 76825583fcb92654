#include "config_file.h"

#include <glob.h>

#include <algorithm>
#include <utility>

#include "goyaml/decoder.h"
#include "util/file_system.h"
#include "util/strings.h"
#include "yaml-cpp/yaml.h"

namespace strata::server {
namespace {

// The top-level sections Prometheus accepts and Strata does not act on.
constexpr std::string_view kIgnoredSections[] = {"scrape_configs", "tracing",
                                                 "remote_write", "remote_read"};

// AlertmanagerConfig's inline HTTP client fields (prometheus/common 0.39):
// Strata sends over plain HTTP without credentials, so these are refused
// rather than ignored. follow_redirects and enable_http2 change nothing
// for a POST to Alertmanager and are accepted.
constexpr std::string_view kUnsupportedClientFields[] = {
    "basic_auth",          "authorization",     "oauth2",
    "bearer_token",        "bearer_token_file", "tls_config",
    "proxy_url",           "no_proxy",          "proxy_from_environment",
    "proxy_connect_header"};

template <size_t N>
bool OneOf(std::string_view key, const std::string_view (&set)[N]) {
  for (std::string_view s : set) {
    if (s == key) return true;
  }
  return false;
}

using goyaml::IsAbsent;

// Decodes a configuration strictly, as yaml.v2's UnmarshalStrict with
// Prometheus's UnmarshalYAML methods: type errors (unknown fields, wrong
// kinds) are collected as "line N: ..." and decoding goes on; the first
// value error (a bad duration, an invalid label name) ends it and is the
// whole error, as it is in Go.
class Decoder {
 public:
  explicit Decoder(std::string_view dir) : dir_(dir) {}

  Status Decode(const YAML::Node& root, ConfigFile* config) {
    DecodeTop(root, config);
    return yaml_.Result();
  }

 private:
  void DecodeTop(const YAML::Node& root, ConfigFile* config) {
    if (!yaml_.IsMap(root, "config.plain")) return;
    const size_t errors_before = yaml_.type_error_count();
    for (const auto& entry : root) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (yaml_.failed()) return;
      const std::string key = key_node.Scalar();
      config->sections.push_back(key);
      if (key == "global") {
        DecodeGlobal(value, config);
      } else if (key == "rule_files") {
        config->rule_files = yaml_.StringList(value);
      } else if (key == "alerting") {
        DecodeAlerting(value, config);
      } else if (key == "storage") {
        DecodeStorage(value, config);
      } else if (OneOf(key, kIgnoredSections)) {
        config->not_implemented.push_back(key);
      } else {
        yaml_.UnknownField(key_node, "config.plain");
      }
    }
    if (yaml_.failed() || yaml_.type_error_count() != errors_before) return;
    // Config.UnmarshalYAML's checks after decoding, then SetDirectory.
    for (std::string& pattern : config->rule_files) {
      if (!IsValidRulePath(pattern)) {
        return yaml_.ValueError(
            Cat("invalid rule file path ", GoQuoted(pattern)));
      }
      pattern = JoinDir(dir_, pattern);
    }
  }

  void DecodeGlobal(const YAML::Node& node, ConfigFile* config) {
    if (!yaml_.IsMap(node, "config.plain")) return;
    const size_t errors_before = yaml_.type_error_count();
    GlobalConfig global;
    global.scrape_interval_ms = 0;
    global.scrape_timeout_ms = 0;
    global.evaluation_interval_ms = 0;
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (yaml_.failed()) return;
      const std::string key = key_node.Scalar();
      if (key == "scrape_interval") {
        global.scrape_interval_ms = yaml_.Duration(value);
      } else if (key == "scrape_timeout") {
        global.scrape_timeout_ms = yaml_.Duration(value);
      } else if (key == "evaluation_interval") {
        global.evaluation_interval_ms = yaml_.Duration(value);
      } else if (key == "external_labels") {
        global.external_labels = ExternalLabels(value);
      } else if (key == "query_log_file") {
        (void)yaml_.String(value);
        config->not_implemented.push_back("global.query_log_file");
      } else {
        yaml_.UnknownField(key_node, "config.plain");
      }
    }
    if (yaml_.failed() || yaml_.type_error_count() != errors_before) return;
    // GlobalConfig.UnmarshalYAML's defaults and checks.
    const GlobalConfig defaults;
    if (global.scrape_interval_ms == 0) {
      global.scrape_interval_ms = defaults.scrape_interval_ms;
    }
    if (global.scrape_timeout_ms > global.scrape_interval_ms) {
      return yaml_.ValueError(
          "global scrape timeout greater than scrape interval");
    }
    if (global.scrape_timeout_ms == 0) {
      global.scrape_timeout_ms =
          std::min(defaults.scrape_timeout_ms, global.scrape_interval_ms);
    }
    if (global.evaluation_interval_ms == 0) {
      global.evaluation_interval_ms = defaults.evaluation_interval_ms;
    }
    config->global = std::move(global);
  }

  // storage: exemplars and tsdb (the out-of-order window).
  void DecodeStorage(const YAML::Node& node, ConfigFile* config) {
    if (IsAbsent(node) || !yaml_.IsMap(node, "config.StorageConfig")) return;
    for (const auto& entry : node) {
      if (yaml_.failed()) return;
      const std::string key = entry.first.Scalar();
      if (key == "exemplars") {
        DecodeExemplars(entry.second, config);
      } else if (key == "tsdb") {
        DecodeTsdb(entry.second, config);
      } else {
        yaml_.UnknownField(entry.first, "config.StorageConfig");
      }
    }
  }

  // A null `exemplars:` keeps the default, as Prometheus's main does.
  void DecodeExemplars(const YAML::Node& node, ConfigFile* config) {
    if (IsAbsent(node) || !yaml_.IsMap(node, "config.ExemplarsConfig")) {
      return;
    }
    for (const auto& entry : node) {
      if (yaml_.failed()) return;
      const std::string key = entry.first.Scalar();
      if (key == "max_exemplars") {
        config->max_exemplars = yaml_.Int(entry.second, "int64");
      } else {
        yaml_.UnknownField(entry.first, "config.ExemplarsConfig");
      }
    }
  }

  // Prometheus's TSDBConfig: out_of_order_time_window, a duration; null
  // or absent is 0 (off).
  void DecodeTsdb(const YAML::Node& node, ConfigFile* config) {
    if (IsAbsent(node) || !yaml_.IsMap(node, "config.TSDBConfig")) return;
    for (const auto& entry : node) {
      if (yaml_.failed()) return;
      const std::string key = entry.first.Scalar();
      if (key == "out_of_order_time_window") {
        config->out_of_order_time_window_ms = yaml_.Duration(entry.second);
      } else {
        yaml_.UnknownField(entry.first, "config.TSDBConfig");
      }
    }
  }

  Labels ExternalLabels(const YAML::Node& node) {
    std::vector<Label> labels;
    for (const auto& [name, value] : yaml_.StringMap(node)) {
      if (!IsValidLabelName(name)) {
        yaml_.ValueError(Cat(GoQuoted(name), " is not a valid label name"));
        return {};
      }
      if (!IsValidUtf8(value)) {
        yaml_.ValueError(Cat(GoQuoted(value), " is not a valid label value"));
        return {};
      }
      labels.push_back({name, value});
    }
    return Labels::FromUnchecked(std::move(labels));
  }

  void DecodeAlerting(const YAML::Node& node, ConfigFile* config) {
    if (!yaml_.IsMap(node, "config.plain")) return;
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (yaml_.failed()) return;
      const std::string key = key_node.Scalar();
      if (key == "alert_relabel_configs") {
        if (!yaml_.IsSequence(value, "[]*relabel.Config")) continue;
        for (const YAML::Node& entry : value) {
          if (yaml_.failed()) return;
          if (IsAbsent(entry)) {
            return yaml_.ValueError("empty or null alert relabeling rule");
          }
          config->alert_relabel_configs.push_back(RelabelConfig(entry));
        }
      } else if (key == "alertmanagers") {
        if (!yaml_.IsSequence(value, "config.AlertmanagerConfigs")) continue;
        for (const YAML::Node& entry : value) {
          if (yaml_.failed()) return;
          config->alertmanagers.push_back(
              Alertmanager(entry, config->alertmanagers.size(), config));
        }
      } else {
        yaml_.UnknownField(key_node, "config.plain");
      }
    }
  }

  notifier::AlertmanagerConfig Alertmanager(const YAML::Node& node,
                                            size_t index, ConfigFile* config) {
    notifier::AlertmanagerConfig am;
    if (!yaml_.IsMap(node, "config.AlertmanagerConfig")) return am;
    const size_t errors_before = yaml_.type_error_count();
    const auto unsupported = [&](std::string_view key) {
      yaml_.ValueError(
          Cat("alerting.alertmanagers[", index, "].", key,
              " is not supported by Strata (only static_configs, "
              "scheme, path_prefix, timeout and api_version are)"));
    };
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (yaml_.failed()) return am;
      const std::string key = key_node.Scalar();
      if (key == "static_configs") {
        StaticTargets(value, &am.targets);
      } else if (key == "scheme") {
        am.scheme = yaml_.String(value);
      } else if (key == "path_prefix") {
        am.path_prefix = yaml_.String(value);
      } else if (key == "timeout") {
        am.timeout_ms = yaml_.Duration(value);  // null: 0, as yaml.v2 zeroes it
      } else if (key == "api_version") {
        // A null is yaml.v2's zero value, "", not checked by the
        // version's own unmarshaller.
        am.api_version = yaml_.String(value);
        if (IsAbsent(value)) continue;
        if (!yaml_.failed() && am.api_version != "v1" &&
            am.api_version != "v2") {
          yaml_.ValueError(
              Cat("expected Alertmanager api version to be one of "
                  "[v1 v2] but got ",
                  am.api_version));
        }
      } else if (key == "follow_redirects" || key == "enable_http2") {
        config->not_implemented.push_back(
            Cat("alerting.alertmanagers[", index, "].", key));
      } else if (key == "relabel_configs" || key.ends_with("_sd_configs") ||
                 OneOf(key, kUnsupportedClientFields)) {
        unsupported(key);
      } else {
        yaml_.UnknownField(key_node, "config.AlertmanagerConfig");
      }
    }
    if (yaml_.failed() || yaml_.type_error_count() != errors_before) return am;
    // checkStaticTargets: a URL where a host:port belongs.
    for (const std::string& target : am.targets) {
      if (target.find('/') != std::string::npos) {
        yaml_.ValueError(Cat(GoQuoted(target), " is not a valid hostname"));
        break;
      }
    }
    return am;
  }

  // static_configs: [{targets: [...], labels: {...}}]. The labels only
  // matter to Alertmanager relabelling, which Strata does not do; they are
  // validated and dropped.
  void StaticTargets(const YAML::Node& node, std::vector<std::string>* out) {
    if (!yaml_.IsSequence(node, "[]*targetgroup.Group")) return;
    constexpr std::string_view kGroupType =
        "struct { Targets []string \"yaml:\\\"targets\\\"\"; Labels "
        "model.LabelSet \"yaml:\\\"labels\\\"\" }";
    for (const YAML::Node& group : node) {
      if (yaml_.failed()) return;
      if (!yaml_.IsMap(group, kGroupType)) continue;
      for (const auto& entry : group) {
        const YAML::Node& key_node = entry.first;
        const YAML::Node& value = entry.second;
        const std::string key = key_node.Scalar();
        if (key == "targets") {
          for (std::string& t : yaml_.StringList(value))
            out->push_back(std::move(t));
        } else if (key == "labels") {
          for (const auto& label : yaml_.StringMap(value)) {
            if (!IsValidLabelName(label.first)) {
              return yaml_.ValueError(
                  Cat(GoQuoted(label.first), " is not a valid label name"));
            }
          }
        } else {
          yaml_.UnknownField(key_node, kGroupType);
        }
      }
    }
  }

  relabel::Config RelabelConfig(const YAML::Node& node) {
    relabel::Config config;
    if (!yaml_.IsMap(node, "relabel.plain")) return config;
    const size_t errors_before = yaml_.type_error_count();
    bool empty_action = false;  // `action:` null, yaml.v2's "".
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (yaml_.failed()) return config;
      const std::string key = key_node.Scalar();
      if (key == "source_labels") {
        config.source_labels = yaml_.StringList(value);
        for (const std::string& name : config.source_labels) {
          if (!IsValidLabelName(name)) {
            yaml_.ValueError(Cat(GoQuoted(name), " is not a valid label name"));
            return config;
          }
        }
      } else if (key == "separator") {
        config.separator = yaml_.String(value);
      } else if (key == "regex") {
        config.regex = yaml_.String(value);  // null: "", not the default
      } else if (key == "modulus") {
        config.modulus = yaml_.Uint64(value);
      } else if (key == "target_label") {
        config.target_label = yaml_.String(value);
      } else if (key == "replacement") {
        config.replacement = yaml_.String(value);
      } else if (key == "action") {
        if (IsAbsent(value)) {
          empty_action = true;
          continue;
        }
        const std::string text = yaml_.String(value);
        StatusOr<relabel::Action> action = relabel::ParseAction(text);
        if (!action.ok()) {
          yaml_.ValueError(std::string(action.status().message()));
          return config;
        }
        config.action = *action;
      } else {
        yaml_.UnknownField(key_node, "relabel.plain");
      }
    }
    if (yaml_.failed() || yaml_.type_error_count() != errors_before)
      return config;
    if (empty_action) {
      yaml_.ValueError("relabel action cannot be empty");
      return config;
    }
    if (Status valid = relabel::Validate(config); !valid.ok()) {
      yaml_.ValueError(std::string(valid.message()));
    }
    return config;
  }

  // Prometheus's patRulePath, ^[^*]*(\*[^/]*)?$: at most one '*', and no
  // directory after it.
  static bool IsValidRulePath(std::string_view path) {
    const size_t star = path.find('*');
    if (star == std::string_view::npos) return true;
    return path.find_first_of("*/", star + 1) == std::string_view::npos;
  }

  const std::string dir_;
  goyaml::Decoder yaml_{goyaml::Version::kV2};
};

}  // namespace

StatusOr<ConfigFile> ParseConfig(std::string_view yaml, std::string_view dir) {
  ConfigFile config;
  config.yaml = std::string(yaml);
  // yaml-cpp reports errors by throwing; nothing escapes this function.
  try {
    const YAML::Node root = YAML::Load(config.yaml);
    Decoder decoder(dir);
    STRATA_RETURN_IF_ERROR(decoder.Decode(root, &config));
  } catch (const YAML::Exception& e) {
    return goyaml::SyntaxError(e);
  }
  return config;
}

StatusOr<ConfigFile> LoadConfigFile(const std::string& path) {
  StatusOr<std::string> text = ReadConfigFile(path);
  if (!text.ok()) return text.status();
  StatusOr<ConfigFile> config = ParseConfig(*text, ParentDir(path));
  if (!config.ok()) {
    return Status::InvalidArgument(
        Cat("parsing YAML file ", path, ": ", config.status().message()));
  }
  return config;
}

StatusOr<std::vector<std::string>> ExpandRuleFiles(
    const std::vector<std::string>& patterns) {
  std::vector<std::string> files;
  for (const std::string& pattern : patterns) {
    glob_t matches{};
    const int rc = glob(pattern.c_str(), GLOB_PERIOD, nullptr, &matches);
    if (rc == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) {
        files.emplace_back(matches.gl_pathv[i]);
      }
    }
    globfree(&matches);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      return Status::IOError(
          Cat("error retrieving rule files for ", pattern, ": ",
              rc == GLOB_NOSPACE ? "out of memory" : "read error"));
    }
  }
  return files;
}

std::string StatusConfigText(const ConfigFile& config) {
  if (config.not_implemented.empty()) return config.yaml;
  std::string text =
      "# Strata does not implement these parts of the configuration; they "
      "are ignored:\n#";
  for (const std::string& what : config.not_implemented) {
    CatTo(&text, " ", what);
  }
  CatTo(&text, "\n", config.yaml);
  return text;
}

}  // namespace strata::server
