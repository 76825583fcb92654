#include "config_file.h"

#include <glob.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <utility>

#include "util/duration.h"
#include "util/file_system.h"
#include "util/strings.h"
#include "yaml-cpp/yaml.h"

namespace strata::server {
namespace {

// The top-level sections Prometheus accepts and Strata does not act on.
constexpr std::string_view kIgnoredSections[] = {
    "scrape_configs", "storage", "tracing", "remote_write", "remote_read"};

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

int LineOf(const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().is_null()) return 0;
  return node.Mark().line + 1;
}

// Absent or null: Go leaves the field at its default.
bool IsAbsent(const YAML::Node& node) {
  return !node.IsDefined() || node.IsNull();
}

// The tag yaml.v2 resolves a plain scalar to, for its error messages.
std::string_view ScalarTag(const YAML::Node& node) {
  if (node.Tag() == "!") return "!!str";  // Quoted.
  const std::string& text = node.Scalar();
  int64_t i = 0;
  double d = 0;
  bool b = false;
  if (YAML::convert<int64_t>::decode(node, i)) return "!!int";
  if (YAML::convert<bool>::decode(node, b)) return "!!bool";
  if (!text.empty() && YAML::convert<double>::decode(node, d)) {
    return "!!float";
  }
  return "!!str";
}

// Prometheus's config.JoinDir: `path` unless empty or absolute, else
// filepath.Join(dir, path).
std::string JoinDir(std::string_view dir, std::string_view path) {
  if (dir.empty() || path.empty() || path.front() == '/') {
    return std::string(path);
  }
  return CleanPath(Cat(dir, "/", path));
}

// Decodes a configuration strictly, as yaml.v2's UnmarshalStrict with
// Prometheus's UnmarshalYAML methods: type errors (unknown fields, wrong
// kinds) are collected as "line N: ..." and decoding goes on; the first
// value error (a bad duration, an invalid label name) ends it and is the
// whole error, as it is in Go.
class Decoder {
 public:
  explicit Decoder(std::string_view dir) : dir_(dir) {}

  Status Decode(const YAML::Node& root, ConfigFile* config) {
    if (!IsAbsent(root)) DecodeTop(root, config);
    if (!value_error_.empty()) return Status::InvalidArgument(value_error_);
    if (!type_errors_.empty()) {
      std::string message = "yaml: unmarshal errors:";
      for (const std::string& line : type_errors_) {
        CatTo(&message, "\n  ", line);
      }
      return Status::InvalidArgument(message);
    }
    return Status::OK();
  }

 private:
  void DecodeTop(const YAML::Node& root, ConfigFile* config) {
    if (!IsMap(root, "config.plain")) return;
    const size_t errors_before = type_errors_.size();
    for (const auto& entry : root) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (failed()) return;
      const std::string key = key_node.Scalar();
      config->sections.push_back(key);
      if (key == "global") {
        DecodeGlobal(value, config);
      } else if (key == "rule_files") {
        config->rule_files = StringList(value);
      } else if (key == "alerting") {
        DecodeAlerting(value, config);
      } else if (OneOf(key, kIgnoredSections)) {
        config->not_implemented.push_back(key);
      } else {
        UnknownField(key_node, "config.plain");
      }
    }
    if (failed() || type_errors_.size() != errors_before) return;
    // Config.UnmarshalYAML's checks after decoding, then SetDirectory.
    for (std::string& pattern : config->rule_files) {
      if (!IsValidRulePath(pattern)) {
        return ValueError(Cat("invalid rule file path ", GoQuoted(pattern)));
      }
      pattern = JoinDir(dir_, pattern);
    }
  }

  void DecodeGlobal(const YAML::Node& node, ConfigFile* config) {
    if (IsAbsent(node) || !IsMap(node, "config.plain")) return;
    const size_t errors_before = type_errors_.size();
    GlobalConfig global;
    global.scrape_interval_ms = 0;
    global.scrape_timeout_ms = 0;
    global.evaluation_interval_ms = 0;
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (failed()) return;
      const std::string key = key_node.Scalar();
      if (key == "scrape_interval") {
        global.scrape_interval_ms = Duration(value);
      } else if (key == "scrape_timeout") {
        global.scrape_timeout_ms = Duration(value);
      } else if (key == "evaluation_interval") {
        global.evaluation_interval_ms = Duration(value);
      } else if (key == "external_labels") {
        global.external_labels = ExternalLabels(value);
      } else if (key == "query_log_file") {
        (void)Scalar(value, "string");
        config->not_implemented.push_back("global.query_log_file");
      } else {
        UnknownField(key_node, "config.plain");
      }
    }
    if (failed() || type_errors_.size() != errors_before) return;
    // GlobalConfig.UnmarshalYAML's defaults and checks.
    const GlobalConfig defaults;
    if (global.scrape_interval_ms == 0) {
      global.scrape_interval_ms = defaults.scrape_interval_ms;
    }
    if (global.scrape_timeout_ms > global.scrape_interval_ms) {
      return ValueError("global scrape timeout greater than scrape interval");
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

  Labels ExternalLabels(const YAML::Node& node) {
    std::vector<Label> labels;
    for (const auto& [name, value] : StringMap(node)) {
      if (!IsValidLabelName(name)) {
        ValueError(Cat(GoQuoted(name), " is not a valid label name"));
        return {};
      }
      if (!IsValidUtf8(value)) {
        ValueError(Cat(GoQuoted(value), " is not a valid label value"));
        return {};
      }
      labels.push_back({name, value});
    }
    return Labels::FromUnchecked(std::move(labels));
  }

  void DecodeAlerting(const YAML::Node& node, ConfigFile* config) {
    if (IsAbsent(node) || !IsMap(node, "config.plain")) return;
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (failed()) return;
      const std::string key = key_node.Scalar();
      if (key == "alert_relabel_configs") {
        if (!IsSequence(value, "[]*relabel.Config")) continue;
        for (const YAML::Node& entry : value) {
          if (failed()) return;
          if (IsAbsent(entry)) {
            return ValueError("empty or null alert relabeling rule");
          }
          config->alert_relabel_configs.push_back(RelabelConfig(entry));
        }
      } else if (key == "alertmanagers") {
        if (!IsSequence(value, "config.AlertmanagerConfigs")) continue;
        for (const YAML::Node& entry : value) {
          if (failed()) return;
          config->alertmanagers.push_back(
              Alertmanager(entry, config->alertmanagers.size(), config));
        }
      } else {
        UnknownField(key_node, "config.plain");
      }
    }
  }

  notifier::AlertmanagerConfig Alertmanager(const YAML::Node& node,
                                            size_t index, ConfigFile* config) {
    notifier::AlertmanagerConfig am;
    if (IsAbsent(node) || !IsMap(node, "config.AlertmanagerConfig")) return am;
    const size_t errors_before = type_errors_.size();
    const auto unsupported = [&](std::string_view key) {
      ValueError(Cat("alerting.alertmanagers[", index, "].", key,
                     " is not supported by Strata (only static_configs, "
                     "scheme, path_prefix, timeout and api_version are)"));
    };
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (failed()) return am;
      const std::string key = key_node.Scalar();
      if (key == "static_configs") {
        StaticTargets(value, &am.targets);
      } else if (key == "scheme") {
        am.scheme = Scalar(value, "string");
      } else if (key == "path_prefix") {
        am.path_prefix = Scalar(value, "string");
      } else if (key == "timeout") {
        if (!IsAbsent(value)) am.timeout_ms = Duration(value);
      } else if (key == "api_version") {
        if (IsAbsent(value)) continue;
        am.api_version = Scalar(value, "string");
        if (!failed() && am.api_version != "v1" && am.api_version != "v2") {
          ValueError(
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
        UnknownField(key_node, "config.AlertmanagerConfig");
      }
    }
    if (failed() || type_errors_.size() != errors_before) return am;
    // checkStaticTargets: a URL where a host:port belongs.
    for (const std::string& target : am.targets) {
      if (target.find('/') != std::string::npos) {
        ValueError(Cat(GoQuoted(target), " is not a valid hostname"));
        break;
      }
    }
    return am;
  }

  // static_configs: [{targets: [...], labels: {...}}]. The labels only
  // matter to Alertmanager relabelling, which Strata does not do; they are
  // validated and dropped.
  void StaticTargets(const YAML::Node& node, std::vector<std::string>* out) {
    if (IsAbsent(node) || !IsSequence(node, "[]*targetgroup.Group")) return;
    constexpr std::string_view kGroupType =
        "struct { Targets []string \"yaml:\\\"targets\\\"\"; Labels "
        "model.LabelSet \"yaml:\\\"labels\\\"\" }";
    for (const YAML::Node& group : node) {
      if (failed()) return;
      if (IsAbsent(group) || !IsMap(group, kGroupType)) continue;
      for (const auto& entry : group) {
        const YAML::Node& key_node = entry.first;
        const YAML::Node& value = entry.second;
        const std::string key = key_node.Scalar();
        if (key == "targets") {
          for (std::string& t : StringList(value)) out->push_back(std::move(t));
        } else if (key == "labels") {
          for (const auto& label : StringMap(value)) {
            if (!IsValidLabelName(label.first)) {
              return ValueError(
                  Cat(GoQuoted(label.first), " is not a valid label name"));
            }
          }
        } else {
          UnknownField(key_node, kGroupType);
        }
      }
    }
  }

  relabel::Config RelabelConfig(const YAML::Node& node) {
    relabel::Config config;
    if (!IsMap(node, "relabel.plain")) return config;
    const size_t errors_before = type_errors_.size();
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (failed()) return config;
      const std::string key = key_node.Scalar();
      if (key == "source_labels") {
        config.source_labels = StringList(value);
        for (const std::string& name : config.source_labels) {
          if (!IsValidLabelName(name)) {
            ValueError(Cat(GoQuoted(name), " is not a valid label name"));
            return config;
          }
        }
      } else if (key == "separator") {
        config.separator = Scalar(value, "string");
      } else if (key == "regex") {
        if (!IsAbsent(value)) config.regex = Scalar(value, "string");
      } else if (key == "modulus") {
        config.modulus = Uint64(value);
      } else if (key == "target_label") {
        config.target_label = Scalar(value, "string");
      } else if (key == "replacement") {
        config.replacement = Scalar(value, "string");
      } else if (key == "action") {
        if (IsAbsent(value)) continue;
        const std::string text = Scalar(value, "string");
        StatusOr<relabel::Action> action = relabel::ParseAction(text);
        if (!action.ok()) {
          ValueError(std::string(action.status().message()));
          return config;
        }
        config.action = *action;
      } else {
        UnknownField(key_node, "relabel.plain");
      }
    }
    if (failed() || type_errors_.size() != errors_before) return config;
    if (Status valid = relabel::Validate(config); !valid.ok()) {
      ValueError(std::string(valid.message()));
    }
    return config;
  }

  // ---- Values ----

  std::string Scalar(const YAML::Node& node, std::string_view type) {
    if (IsAbsent(node)) return "";
    if (!node.IsScalar()) {
      TypeError(node, type);
      return "";
    }
    return node.Scalar();
  }

  // model.Duration: a string, then its own parse, whose error is a value
  // error.
  int64_t Duration(const YAML::Node& node) {
    if (IsAbsent(node)) return 0;
    const std::string text = Scalar(node, "string");
    if (!node.IsScalar()) return 0;
    StatusOr<int64_t> ms = ParseDuration(text);
    if (!ms.ok()) {
      ValueError(Cat("not a valid duration string: ", GoQuoted(text)));
      return 0;
    }
    return *ms;
  }

  uint64_t Uint64(const YAML::Node& node) {
    if (IsAbsent(node)) return 0;
    uint64_t value = 0;
    if (!node.IsScalar() || !YAML::convert<uint64_t>::decode(node, value)) {
      TypeError(node, "uint64");
      return 0;
    }
    return value;
  }

  std::vector<std::string> StringList(const YAML::Node& node) {
    std::vector<std::string> out;
    if (IsAbsent(node) || !IsSequence(node, "[]string")) return out;
    for (const YAML::Node& item : node) out.push_back(Scalar(item, "string"));
    return out;
  }

  std::vector<std::pair<std::string, std::string>> StringMap(
      const YAML::Node& node) {
    std::vector<std::pair<std::string, std::string>> out;
    if (IsAbsent(node) || !IsMap(node, "map[string]string")) return out;
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      const YAML::Node& value = entry.second;
      out.emplace_back(Scalar(key, "string"), Scalar(value, "string"));
    }
    return out;
  }

  // ---- Errors ----

  bool IsMap(const YAML::Node& node, std::string_view type) {
    if (node.IsMap()) return true;
    TypeError(node, type);
    return false;
  }

  bool IsSequence(const YAML::Node& node, std::string_view type) {
    if (IsAbsent(node)) return false;
    if (node.IsSequence()) return true;
    TypeError(node, type);
    return false;
  }

  void TypeError(const YAML::Node& node, std::string_view type) {
    if (node.IsScalar()) {
      type_errors_.push_back(Cat("line ", LineOf(node), ": cannot unmarshal ",
                                 ScalarTag(node), " `", node.Scalar(),
                                 "` into ", type));
    } else {
      type_errors_.push_back(Cat("line ", LineOf(node), ": cannot unmarshal ",
                                 node.IsSequence() ? "!!seq" : "!!map",
                                 " into ", type));
    }
  }

  void UnknownField(const YAML::Node& key, std::string_view type) {
    type_errors_.push_back(Cat("line ", LineOf(key), ": field ", key.Scalar(),
                               " not found in type ", type));
  }

  void ValueError(std::string message) {
    if (value_error_.empty()) value_error_ = std::move(message);
  }

  bool failed() const { return !value_error_.empty(); }

  // Prometheus's patRulePath, ^[^*]*(\*[^/]*)?$: at most one '*', and no
  // directory after it.
  static bool IsValidRulePath(std::string_view path) {
    const size_t star = path.find('*');
    if (star == std::string_view::npos) return true;
    return path.find_first_of("*/", star + 1) == std::string_view::npos;
  }

  const std::string dir_;
  std::vector<std::string> type_errors_;
  std::string value_error_;
};

}  // namespace

std::string CleanPath(std::string_view path) {
  const bool rooted = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    const std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    CatTo(&out, k == 0 ? "" : "/", parts[k]);
  }
  if (out.empty()) out = ".";
  return out;
}

StatusOr<ConfigFile> ParseConfig(std::string_view yaml, std::string_view dir) {
  ConfigFile config;
  config.yaml = std::string(yaml);
  // yaml-cpp reports errors by throwing; nothing escapes this function.
  try {
    const YAML::Node root = YAML::Load(config.yaml);
    Decoder decoder(dir);
    STRATA_RETURN_IF_ERROR(decoder.Decode(root, &config));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        Cat("yaml: line ", e.mark.line + 1, ": ", e.msg));
  }
  return config;
}

StatusOr<ConfigFile> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    const int err = errno;
    if (err == ENOENT) {
      return Status::NotFound(
          Cat("open ", path, ": no such file or directory"));
    }
    return Status::FromErrno(err, Cat("open ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  StatusOr<ConfigFile> config = ParseConfig(text.str(), ParentDir(path));
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
