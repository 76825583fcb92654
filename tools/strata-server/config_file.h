// The --config.file: Prometheus 2.42's YAML configuration (config/config.go),
// the parts Strata acts on decoded into plain structs:
//
//   global:
//     scrape_interval: <duration>      # default 1m (validated only)
//     scrape_timeout: <duration>       # default 10s, <= scrape_interval
//     evaluation_interval: <duration>  # default 1m: rule groups' interval
//     external_labels: {<name>: <value>}
//   rule_files: [<glob>]               # relative to the file's directory
//   alerting:
//     alert_relabel_configs: [<relabel_config>]
//     alertmanagers:
//     - static_configs: [{targets: [<host:port>], labels: {...}}]
//       scheme: <http>                 # default http
//       path_prefix: <path>
//       timeout: <duration>            # default 10s
//       api_version: <v1|v2>           # default v2
//   storage:
//     exemplars:
//       max_exemplars: <int>           # default 100000; <= 0 stores none
//
// Exemplar storage is always on (Prometheus 2.42 with
// --enable-feature=exemplar-storage); a reload resizes it.
// Decoding is strict as Prometheus's (yaml.UnmarshalStrict): an unknown
// field is an error, and errors are worded as Prometheus words them
// ("yaml: unmarshal errors:\n  line 2: field foo not found in type
// config.plain", `not a valid duration string: "1x"`, ...).
//
// What Prometheus accepts but Strata does not act on is listed in
// `not_implemented` (for a warning at load and in /api/v1/status/config):
// the top-level sections scrape_configs, tracing, remote_write and
// remote_read, storage.tsdb, and global.query_log_file. Inside `alerting`,
// which Strata implements, what it cannot honour is an error rather than
// silently ignored: service discovery other than static_configs, authentication
// and TLS (basic_auth, authorization, oauth2, tls_config, ...), proxies, and
// Alertmanager relabel_configs.
//
// Thread-safety: pure functions (ExpandRuleFiles reads the file system).
#ifndef STRATA_SERVER_CONFIG_FILE_H_
#define STRATA_SERVER_CONFIG_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "notifier/manager.h"
#include "relabel/relabel.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata::server {

struct GlobalConfig {
  int64_t scrape_interval_ms = 60 * 1000;
  int64_t scrape_timeout_ms = 10 * 1000;
  int64_t evaluation_interval_ms = 60 * 1000;
  Labels external_labels;
};

struct ConfigFile {
  GlobalConfig global;
  // rule_files patterns in file order; relative ones joined with the
  // configuration file's directory (and cleaned) as Prometheus's
  // SetDirectory does. Expand them with ExpandRuleFiles.
  std::vector<std::string> rule_files;
  std::vector<relabel::Config> alert_relabel_configs;
  std::vector<notifier::AlertmanagerConfig> alertmanagers;
  // storage.exemplars.max_exemplars (Prometheus's DefaultExemplarsConfig).
  int64_t max_exemplars = 100000;
  // storage.tsdb.out_of_order_time_window; 0: out-of-order samples are
  // refused.
  int64_t out_of_order_time_window_ms = 0;
  // Top-level keys in file order, e.g. "global", "scrape_configs".
  std::vector<std::string> sections;
  // Present in the file but not acted on: top-level sections
  // ("scrape_configs") and fields ("global.query_log_file"), in file order.
  std::vector<std::string> not_implemented;
  // The file's text as read.
  std::string yaml;
};

// Parses YAML text; relative rule_files are joined with `dir` unless it is
// "". InvalidArgument with Prometheus's message on any error.
StatusOr<ConfigFile> ParseConfig(std::string_view yaml,
                                 std::string_view dir = "");

// Reads and parses a file, relative rule_files taken from its directory.
// NotFound/IOError if it cannot be read; a parse error reads "parsing YAML
// file <path>: <error>", as Prometheus's.
StatusOr<ConfigFile> LoadConfigFile(const std::string& path);

// The rule files the patterns name, as Prometheus expands them
// (filepath.Glob per pattern, in pattern order, each pattern's matches
// sorted; `*` also matches a leading dot). A pattern matching nothing
// adds nothing; that is not an error.
StatusOr<std::vector<std::string>> ExpandRuleFiles(
    const std::vector<std::string>& patterns);

// The text /api/v1/status/config serves: the file as read, preceded by a
// comment naming what is not implemented (when anything is).
std::string StatusConfigText(const ConfigFile& config);

}  // namespace strata::server

#endif  // STRATA_SERVER_CONFIG_FILE_H_
