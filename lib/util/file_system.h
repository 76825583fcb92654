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

// The directory part of `path` ("." when it has none).
std::string ParentDir(std::string_view path);

// A path under `dir` named `name`, or `name-2`, `name-3`... if taken (for
// moving things aside without overwriting what an earlier move left).
std::string FreePath(FileSystem* fs, const std::string& dir,
                     const std::string& name);

// `text` (e.g. an error message) with every path under `dir` made
// relative to it ("/var/lib/strata/wal/00000012: ..." gives
// "wal/00000012: ...") and `dir` itself, if absolute, written ".": for
// messages that reach clients, who need not learn the server's file system
// layout. Matches `dir` as given and as an absolute path, only where a
// path starts (not inside a longer name).
std::string RelativeToDir(std::string_view text, std::string_view dir);
// Go's path/filepath.Clean, lexically: "a/./b/../c/" gives "a/c", "" gives
// ".".
std::string CleanPath(std::string_view path);

// prometheus/common's config.JoinDir: `path` unless empty or absolute, else
// CleanPath(dir + "/" + path). Relative paths in configuration files are
// relative to the file's directory.
std::string JoinDir(std::string_view dir, std::string_view path);

// The whole of a configuration file, with a failure worded as Go's
// os.ReadFile words it ("open <path>: no such file or directory"; NotFound
// then, IOError otherwise).
StatusOr<std::string> ReadConfigFile(const std::string& path);

// Replaces `path` with `data` so that a crash at any point leaves either the
// old file or the new one, never a mix: writes `path`.tmp, syncs it, renames
// it over `path` and syncs the directory. On failure the temporary file is
// removed (best effort) and `path` is as it was, unless only the final
// directory sync failed (then the rename may or may not be durable).
Status WriteFileAtomically(FileSystem* fs, const std::string& path,
                           std::string_view data);

}  // namespace strata

#endif  // STRATA_UTIL_FILE_SYSTEM_H_
