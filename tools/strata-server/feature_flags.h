// --enable-feature: Prometheus 2.42's comma-separated feature list
// (cmd/prometheus setFeatureListOptions). Strata acts on
// `native-histograms` (Options::enable_native_histograms); the other names
// 2.42 knows are accepted with the message Prometheus logs (their effect
// is either always on in Strata or configured elsewhere), unknown ones
// draw Prometheus's warning.
//
// Thread-safety: pure function.
#ifndef STRATA_TOOLS_STRATA_SERVER_FEATURE_FLAGS_H_
#define STRATA_TOOLS_STRATA_SERVER_FEATURE_FLAGS_H_

#include <string>
#include <vector>

namespace strata::server {

// One line to log at startup: Prometheus's level, message and, for
// unknown or no-op names, the "option" field.
struct FeatureMessage {
  bool warn = false;
  std::string msg;
  std::string option;  // Empty: no option field.
  friend bool operator==(const FeatureMessage&,
                         const FeatureMessage&) = default;
};

struct FeatureSettings {
  bool native_histograms = false;
  std::vector<FeatureMessage> messages;  // In the order given.
};

// Every value of the repeatable flag, each split on commas.
FeatureSettings ApplyFeatureList(const std::vector<std::string>& values);

}  // namespace strata::server

#endif  // STRATA_TOOLS_STRATA_SERVER_FEATURE_FLAGS_H_
