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

std::string ParentDir(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string FreePath(FileSystem* fs, const std::string& dir,
                     const std::string& name) {
  std::string p = JoinPath(dir, name);
  for (int i = 2; fs->Exists(p); ++i) {
    p = JoinPath(dir, name + "-" + std::to_string(i));
  }
  return p;
}

Status WriteFileAtomically(FileSystem* fs, const std::string& path,
                           std::string_view data) {
  const std::string tmp = path + ".tmp";
  StatusOr<std::unique_ptr<WritableFile>> file = fs->NewWritableFile(tmp);
  if (!file.ok()) return file.status().WithContext(tmp);
  Status s = (*file)->Append(data);
  if (s.ok()) s = (*file)->Sync();
  const Status closed = (*file)->Close();
  if (s.ok()) s = closed;
  if (s.ok()) s = fs->Rename(tmp, path);
  if (!s.ok()) {
    (void)fs->RemoveFile(tmp);
    return s.WithContext(tmp);
  }
  return fs->SyncDir(ParentDir(path)).WithContext(path);
}

}  // namespace strata
