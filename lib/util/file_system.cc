#include "util/file_system.h"

namespace strata {

// Defined in posix_file_system.cc; kept out of the header so that nothing
// but FileSystem::Default() names the POSIX implementation.
FileSystem* PosixFileSystemSingleton();

FileSystem* FileSystem::Default() { return PosixFileSystemSingleton(); }

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  const bool a_slash = out.back() == '/';
  const bool b_slash = b.front() == '/';
  if (a_slash && b_slash) {
    out.append(b.substr(1));
  } else if (a_slash || b_slash) {
    out.append(b);
  } else {
    out.push_back('/');
    out.append(b);
  }
  return out;
}

}  // namespace strata
