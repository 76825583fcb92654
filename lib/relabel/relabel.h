// Prometheus 2.42's relabelling (model/relabel): relabel_config entries
// validated with Prometheus's wording and applied in order to a label set.
// Used for alerting.alert_relabel_configs (notifier) and, later, for any
// other *_relabel_configs.
//
// Regexes are Go RE2 syntax, anchored as Prometheus anchors them:
// ^(?:regex)$. `lowercase` and `uppercase` map ASCII letters only (Go maps
// all of Unicode), as the template module's toLower/toUpper do.
//
// Thread-safety: Config is a plain struct; a Relabeler is immutable after
// Compile and safe to use from any number of threads.
#ifndef STRATA_RELABEL_RELABEL_H_
#define STRATA_RELABEL_RELABEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/labels.h"
#include "strata/status.h"

namespace strata::relabel {

enum class Action {
  kReplace,
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};

// As Prometheus's YAML accepts it: case-insensitive ("Replace" is
// kReplace). InvalidArgument `unknown relabel action "<text>"` otherwise.
StatusOr<Action> ParseAction(std::string_view text);
// The lower-case name: "replace", "keepequal", "hashmod", ...
std::string_view ActionName(Action action);

// One relabel_config, with Prometheus's DefaultRelabelConfig defaults.
struct Config {
  // Their values, joined with `separator`, are the input of the action.
  std::vector<std::string> source_labels;
  std::string separator = ";";
  // As written in the configuration; anchored when compiled.
  std::string regex = "(.*)";
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  Action action = Action::kReplace;

  friend bool operator==(const Config&, const Config&) = default;
};

// The configuration's defaults, as Prometheus's DefaultRelabelConfig.
inline constexpr std::string_view kDefaultSeparator = ";";
inline constexpr std::string_view kDefaultRegex = "(.*)";
inline constexpr std::string_view kDefaultReplacement = "$1";

// Checks one config as Prometheus's relabel.Config.UnmarshalYAML does
// (after the regex compiled), with the same error text, for example
// `relabel configuration for hashmod requires non-zero modulus`. A regex
// that does not compile gives Go's `error parsing regexp: ...` text for
// the anchored pattern.
//
// One difference: Prometheus tells an explicit `regex: (.*)` on a
// keepequal/dropequal action from an absent one (a quirk: it compares
// compiled-regex pointers and rejects the explicit one); here both pass.
Status Validate(const Config& config);

// A sequence of compiled configs. Copyable (the compiled state is shared
// and immutable).
class Relabeler {
 public:
  // No configs: Process keeps every label set unchanged.
  Relabeler();
  ~Relabeler();
  Relabeler(const Relabeler&);
  Relabeler& operator=(const Relabeler&);
  Relabeler(Relabeler&&) noexcept;
  Relabeler& operator=(Relabeler&&) noexcept;

  // Validates every config (Validate) and compiles the regexes; the first
  // error is returned.
  static StatusOr<Relabeler> Compile(std::vector<Config> configs);

  // Applies every config in order, as Prometheus's relabel.Process. Returns
  // false, leaving *labels unspecified, if a keep/drop/keepequal/dropequal
  // action dropped the set.
  bool Process(Labels* labels) const;

  const std::vector<Config>& configs() const;
  bool empty() const;

 private:
  struct Compiled;
  explicit Relabeler(std::shared_ptr<const Compiled> compiled);
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace strata::relabel

#endif  // STRATA_RELABEL_RELABEL_H_
