// Version and build facts, shaped like Prometheus's /api/v1/status/buildinfo
// and prometheus_build_info. Filled in at configure time by CMake.
//
// Thread-safety: immutable.
#ifndef STRATA_SERVER_BUILD_INFO_H_
#define STRATA_SERVER_BUILD_INFO_H_

#include <string>

namespace strata::server {

struct BuildInfo {
  std::string version;     // e.g. "0.1.0"
  std::string revision;    // git commit, or "unknown"
  std::string branch;      // git branch, or "unknown"
  std::string build_user;  // user@host that configured the build
  std::string build_date;  // "20261125-16:31:08" (UTC), as Prometheus
  std::string compiler;    // Reported where Prometheus says goVersion.
};

const BuildInfo& GetBuildInfo();

}  // namespace strata::server

#endif  // STRATA_SERVER_BUILD_INFO_H_
