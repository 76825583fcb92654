#include "util/file_system.h"

#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include "util/strings.h"

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

std::string CleanPath(std::string_view path) {
  const bool rooted = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    const std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  if (rooted) out.push_back('/');
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out.push_back('/');
    out.append(parts[k]);
  }
  if (out.empty()) return std::string(".");
  return out;
}

StatusOr<std::string> ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    const int err = errno;
    if (err == ENOENT) {
      return Status::NotFound(
          Cat("open ", path, ": no such file or directory"));
    }
    return Status::FromErrno(err, Cat("open ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string JoinDir(std::string_view dir, std::string_view path) {
  if (dir.empty() || path.empty() || path.front() == '/') {
    return std::string(path);
  }
  return CleanPath(Cat(dir, "/", path));
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
