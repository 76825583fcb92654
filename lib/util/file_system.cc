#include "util/file_system.h"

#include <cerrno>
#include <filesystem>
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

namespace {

bool IsPathChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
         c == '/' || c == '~' || c == '+';
}

// Replaces the occurrences of directory `dir` (no trailing '/') that start
// a path in `text`: "<dir>/x" by "x", a bare `dir` by "." if `bare`.
std::string ReplaceDir(std::string_view text, std::string_view dir, bool bare) {
  std::string out;
  size_t from = 0;
  for (size_t at = text.find(dir); at != std::string_view::npos;
       at = text.find(dir, at + 1)) {
    const size_t end = at + dir.size();
    if (at < from || (at > 0 && IsPathChar(text[at - 1]))) continue;
    const bool child = end < text.size() && text[end] == '/';
    if (!child && (!bare || (end < text.size() && IsPathChar(text[end])))) {
      continue;
    }
    out.append(text.substr(from, at - from));
    if (!child) out.push_back('.');
    from = child ? end + 1 : end;
  }
  out.append(text.substr(from));
  return out;
}

std::string_view WithoutTrailingSlashes(std::string_view dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  return dir;
}

}  // namespace

std::string RelativeToDir(std::string_view text, std::string_view dir) {
  dir = WithoutTrailingSlashes(dir);
  if (dir.empty() || dir == "." || dir == "/") return std::string(text);
  std::error_code ec;
  const std::string absolute =
      std::filesystem::absolute(std::string(dir), ec).lexically_normal();
  std::string out(text);
  const std::string_view abs_dir = WithoutTrailingSlashes(absolute);
  // The longer form first, so that neither eats part of the other.
  if (!ec && abs_dir.size() > dir.size()) {
    out = ReplaceDir(out, abs_dir, true);
  }
  out = ReplaceDir(out, dir, dir.front() == '/');
  if (!ec && abs_dir.size() < dir.size()) {
    out = ReplaceDir(out, abs_dir, true);
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
