#include "build_info.h"

// CMake defines these for this file only (tools/strata-server/CMakeLists.txt).
#ifndef STRATA_VERSION
#define STRATA_VERSION "unknown"
#endif
#ifndef STRATA_REVISION
#define STRATA_REVISION "unknown"
#endif
#ifndef STRATA_BRANCH
#define STRATA_BRANCH "unknown"
#endif
#ifndef STRATA_BUILD_USER
#define STRATA_BUILD_USER "unknown"
#endif
#ifndef STRATA_BUILD_DATE
#define STRATA_BUILD_DATE "unknown"
#endif

namespace strata::server {

const BuildInfo& GetBuildInfo() {
  static const BuildInfo* const kInfo = new BuildInfo {
    STRATA_VERSION, STRATA_REVISION, STRATA_BRANCH, STRATA_BUILD_USER,
        STRATA_BUILD_DATE,
#if defined(__clang__)
        "clang " __clang_version__,
#elif defined(__GNUC__)
        "gcc " __VERSION__,
#else
        "unknown",
#endif
  };
  return *kInfo;
}

}  // namespace strata::server
