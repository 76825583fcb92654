// Version and build facts, shaped like Prometheus's /api/v1/status/buildinfo
// and prometheus_build_info. The binary fills them in (strata-server's from
// CMake at configure time) and hands them to WebHandler.
//
// Thread-safety: a plain value.
#ifndef STRATA_SERVER_API_BUILD_INFO_H_
#define STRATA_SERVER_API_BUILD_INFO_H_

#include <string>

namespace strata::server {

// What /api/v1/status/buildinfo reports as `version`: the Prometheus
// release whose API Strata serves. Grafana reads it to decide which
// Prometheus features to use; Strata's own version is `strataVersion`.
inline constexpr char kPrometheusCompatibleVersion[] = "2.42.0";

struct BuildInfo {
  std::string version = "unknown";     // e.g. "0.1.0"
  std::string revision = "unknown";    // git commit
  std::string branch = "unknown";      // git branch
  std::string build_user = "unknown";  // user@host that configured the build
  std::string build_date = "unknown";  // "20261125-16:31:08" (UTC)
  std::string compiler =
      "unknown";  // Reported where Prometheus says goVersion.
};

}  // namespace strata::server

#endif  // STRATA_SERVER_API_BUILD_INFO_H_
