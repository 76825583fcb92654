// strata-server's own build facts, taken by CMake at configure time
// (tools/strata-server/CMakeLists.txt).
//
// Thread-safety: immutable.
#ifndef STRATA_TOOLS_STRATA_SERVER_BUILD_INFO_H_
#define STRATA_TOOLS_STRATA_SERVER_BUILD_INFO_H_

#include "server/api/build_info.h"

namespace strata::server {

const BuildInfo& GetBuildInfo();

}  // namespace strata::server

#endif  // STRATA_TOOLS_STRATA_SERVER_BUILD_INFO_H_
