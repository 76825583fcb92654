#include "feature_flags.h"

#include <string_view>

namespace strata::server {
namespace {

// The names 2.42 knows with the Info message it logs for each.
struct KnownFeature {
  std::string_view name;
  std::string_view info;
};
constexpr KnownFeature kKnown[] = {
    {"expand-external-labels", "Experimental expand-external-labels enabled"},
    {"exemplar-storage", "Experimental in-memory exemplar storage enabled"},
    {"memory-snapshot-on-shutdown",
     "Experimental memory snapshot on shutdown enabled"},
    {"extra-scrape-metrics", "Experimental additional scrape metrics enabled"},
    {"new-service-discovery-manager", "Experimental service discovery manager"},
    {"agent", "Experimental agent mode enabled."},
    {"promql-per-step-stats", "Experimental per-step statistics reporting"},
    {"auto-gomaxprocs",
     "Automatically set GOMAXPROCS to match Linux container CPU quota"},
    {"no-default-scrape-port",
     "No default port will be appended to scrape targets' addresses."},
    {"native-histograms", "Experimental native histogram support enabled."},
};

}  // namespace

FeatureSettings ApplyFeatureList(const std::vector<std::string>& values) {
  FeatureSettings out;
  for (const std::string& value : values) {
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view o = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view()
                                             : rest.substr(comma + 1);
      if (o.empty()) continue;
      if (o == "remote-write-receiver") {
        out.messages.push_back(
            {true,
             "Remote write receiver enabled via feature flag "
             "remote-write-receiver. This is DEPRECATED. Use "
             "--web.enable-remote-write-receiver.",
             ""});
        continue;
      }
      if (o == "promql-at-modifier" || o == "promql-negative-offset") {
        out.messages.push_back({true,
                                "This option for --enable-feature is now "
                                "permanently enabled and therefore a no-op.",
                                std::string(o)});
        continue;
      }
      bool known = false;
      for (const KnownFeature& k : kKnown) {
        if (k.name != o) continue;
        known = true;
        out.messages.push_back({false, std::string(k.info), ""});
        if (o == "native-histograms") out.native_histograms = true;
      }
      if (!known) {
        out.messages.push_back(
            {true, "Unknown option for --enable-feature", std::string(o)});
      }
    }
  }
  return out;
}

}  // namespace strata::server
