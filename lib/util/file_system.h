// The file system interface is public (strata/file_system.h); this header
// adds the path helpers the engine uses with it. The POSIX and
// fault-injecting implementations live beside it in lib/util.
#ifndef STRATA_UTIL_FILE_SYSTEM_H_
#define STRATA_UTIL_FILE_SYSTEM_H_

#include <string>
#include <string_view>

#include "strata/file_system.h"

namespace strata {

// Joins path components with '/'.
std::string JoinPath(std::string_view a, std::string_view b);

}  // namespace strata

#endif  // STRATA_UTIL_FILE_SYSTEM_H_
