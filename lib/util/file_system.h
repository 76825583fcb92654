// FileSystem: every file Strata touches goes through this interface, so
// tests can inject faults (see fault_injection_file_system.h) and the engine
// never calls POSIX directly outside posix_file_system.cc.
//
// Thread-safety: FileSystem methods are safe to call concurrently. A file
// object is used by one thread at a time.
#ifndef STRATA_UTIL_FILE_SYSTEM_H_
#define STRATA_UTIL_FILE_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata {

// A file opened for appending. Writes go straight to the OS (no user-space
// buffering here; callers buffer), so once Append returns OK the bytes
// survive a crash of this process.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // fdatasync. May run concurrently with Append/Truncate on the same file
  // (the WAL's group commit syncs outside its lock); both implementations
  // allow it.
  virtual Status Sync() = 0;
  // Cuts the file to `size` bytes; later appends continue there.
  virtual Status Truncate(int64_t size) = 0;
  virtual Status Close() = 0;
  // Bytes in the file, as far as this object knows.
  virtual int64_t Size() const = 0;
};

// A file opened for positional reads.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch; *result points into scratch
  // and is shorter than n only at end of file.
  virtual Status Read(int64_t offset, size_t n, std::string_view* result,
                      char* scratch) const = 0;
  virtual StatusOr<int64_t> Size() const = 0;
};

// A read-only memory mapping of a whole file.
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::string_view data() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The process-wide POSIX implementation. Never null; never destroyed.
  static FileSystem* Default();

  // Creates or truncates.
  virtual StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  // Opens an existing file for appending at its end, or creates it.
  virtual StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) = 0;
  virtual StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  virtual StatusOr<std::unique_ptr<MappedFile>> MapFile(
      const std::string& path) = 0;
  // Reads a whole file.
  virtual StatusOr<std::string> ReadFile(const std::string& path) = 0;

  virtual bool Exists(const std::string& path) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  // Entry names (not paths), sorted, without "." and "..".
  virtual StatusOr<std::vector<std::string>> ListDir(
      const std::string& path) = 0;
  // Creates the directory and its parents; OK if it exists.
  virtual Status CreateDirs(const std::string& path) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes a directory tree.
  virtual Status RemoveAll(const std::string& path) = 0;
  // Atomic rename within one file system.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Link(const std::string& from, const std::string& to) = 0;
  // fsync on a directory, making creations, renames and removals durable.
  virtual Status SyncDir(const std::string& path) = 0;
  virtual StatusOr<int64_t> FileSize(const std::string& path) = 0;
  // Truncates a closed file.
  virtual Status TruncateFile(const std::string& path, int64_t size) = 0;
};

// Joins path components with '/'.
std::string JoinPath(std::string_view a, std::string_view b);

// The directory part of `path` ("." when it has none).
std::string ParentDir(std::string_view path);

// Replaces `path` with `data` so that a crash at any point leaves either the
// old file or the new one, never a mix: writes `path`.tmp, syncs it, renames
// it over `path` and syncs the directory. On failure the temporary file is
// removed (best effort) and `path` is as it was, unless only the final
// directory sync failed (then the rename may or may not be durable).
Status WriteFileAtomically(FileSystem* fs, const std::string& path,
                           std::string_view data);

}  // namespace strata

#endif  // STRATA_UTIL_FILE_SYSTEM_H_
