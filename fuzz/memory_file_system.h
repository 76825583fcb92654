// MemoryFileSystem: a read-only FileSystem over files held in memory, so a
// fuzz target can hand the engine's file readers (index, chunk segments)
// arbitrary bytes without touching the disk.
//
// Each file's bytes live in a heap block of exactly their size, so a read
// one byte past the end is a heap-buffer-overflow that AddressSanitizer
// reports (a std::string would hide it behind its capacity and NUL).
// Directories exist implicitly: a path is a directory if some file lies
// under it. Everything that writes fails with NotSupported.
//
// Thread-safety: Put and Clear must not run concurrently with anything
// else; reads may run concurrently.
#ifndef STRATA_FUZZ_MEMORY_FILE_SYSTEM_H_
#define STRATA_FUZZ_MEMORY_FILE_SYSTEM_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/file_system.h"

namespace strata::fuzz {

class MemoryFileSystem final : public FileSystem {
 public:
  // Adds (or replaces) the file at `path` with a copy of `data`.
  void Put(const std::string& path, std::string_view data);
  void Clear() { files_.clear(); }

  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  StatusOr<std::unique_ptr<MappedFile>> MapFile(
      const std::string& path) override;
  StatusOr<std::string> ReadFile(const std::string& path) override;
  bool Exists(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  StatusOr<std::vector<std::string>> ListDir(const std::string& path) override;
  StatusOr<int64_t> FileSize(const std::string& path) override;

  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override;
  Status CreateDirs(const std::string& path) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Link(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& path) override;
  Status TruncateFile(const std::string& path, int64_t size) override;

 private:
  // Bytes of one file, in a block of exactly their size; shared with the
  // mappings and readers handed out, which may outlive a Put or Clear.
  struct Bytes {
    std::unique_ptr<char[]> data;
    size_t size = 0;
    std::string_view view() const { return {data.get(), size}; }
  };
  StatusOr<std::shared_ptr<const Bytes>> Find(const std::string& path) const;

  std::map<std::string, std::shared_ptr<const Bytes>> files_;
};

}  // namespace strata::fuzz

#endif  // STRATA_FUZZ_MEMORY_FILE_SYSTEM_H_
