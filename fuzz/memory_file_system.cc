#include "memory_file_system.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

namespace strata::fuzz {
namespace {

Status ReadOnly(std::string_view op) {
  return Status::NotSupported(std::string(op) +
                              ": the fuzzing file system is read-only");
}

// Keeps the file's bytes alive as long as the mapping.
class MemoryMappedFile final : public MappedFile {
 public:
  MemoryMappedFile(std::shared_ptr<const void> owner, std::string_view data)
      : owner_(std::move(owner)), data_(data) {}
  std::string_view data() const override { return data_; }

 private:
  std::shared_ptr<const void> owner_;
  std::string_view data_;
};

class MemoryRandomAccessFile final : public RandomAccessFile {
 public:
  MemoryRandomAccessFile(std::shared_ptr<const void> owner,
                         std::string_view data)
      : owner_(std::move(owner)), data_(data) {}

  Status Read(int64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    if (offset < 0) return Status::InvalidArgument("negative read offset");
    const size_t start = std::min(static_cast<size_t>(offset), data_.size());
    const size_t len = std::min(n, data_.size() - start);
    if (len > 0) std::memcpy(scratch, data_.data() + start, len);
    *result = std::string_view(scratch, len);
    return Status::OK();
  }
  StatusOr<int64_t> Size() const override {
    return static_cast<int64_t>(data_.size());
  }

 private:
  std::shared_ptr<const void> owner_;
  std::string_view data_;
};

}  // namespace

void MemoryFileSystem::Put(const std::string& path, std::string_view data) {
  auto bytes = std::make_shared<Bytes>();
  bytes->data = std::make_unique<char[]>(data.size());
  if (!data.empty()) std::memcpy(bytes->data.get(), data.data(), data.size());
  bytes->size = data.size();
  files_[path] = std::move(bytes);
}

StatusOr<std::shared_ptr<const MemoryFileSystem::Bytes>> MemoryFileSystem::Find(
    const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound(path + ": no such file");
  return it->second;
}

StatusOr<std::unique_ptr<RandomAccessFile>>
MemoryFileSystem::NewRandomAccessFile(const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Bytes> bytes, Find(path));
  const std::string_view view = bytes->view();
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<MemoryRandomAccessFile>(std::move(bytes), view));
}

StatusOr<std::unique_ptr<MappedFile>> MemoryFileSystem::MapFile(
    const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Bytes> bytes, Find(path));
  const std::string_view view = bytes->view();
  return std::unique_ptr<MappedFile>(
      std::make_unique<MemoryMappedFile>(std::move(bytes), view));
}

StatusOr<std::string> MemoryFileSystem::ReadFile(const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Bytes> bytes, Find(path));
  return std::string(bytes->view());
}

bool MemoryFileSystem::Exists(const std::string& path) {
  return files_.contains(path) || IsDirectory(path);
}

bool MemoryFileSystem::IsDirectory(const std::string& path) {
  const std::string prefix = path + "/";
  auto it = files_.lower_bound(prefix);
  return it != files_.end() && it->first.starts_with(prefix);
}

StatusOr<std::vector<std::string>> MemoryFileSystem::ListDir(
    const std::string& path) {
  const std::string prefix = path + "/";
  std::set<std::string> names;
  for (auto it = files_.lower_bound(prefix);
       it != files_.end() && it->first.starts_with(prefix); ++it) {
    const std::string rest = it->first.substr(prefix.size());
    names.insert(rest.substr(0, rest.find('/')));
  }
  if (names.empty()) return Status::NotFound(path + ": no such directory");
  return std::vector<std::string>(names.begin(), names.end());
}

StatusOr<int64_t> MemoryFileSystem::FileSize(const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Bytes> bytes, Find(path));
  return static_cast<int64_t>(bytes->size);
}

StatusOr<std::unique_ptr<WritableFile>> MemoryFileSystem::NewWritableFile(
    const std::string&) {
  return ReadOnly("NewWritableFile");
}
StatusOr<std::unique_ptr<WritableFile>> MemoryFileSystem::NewAppendableFile(
    const std::string&) {
  return ReadOnly("NewAppendableFile");
}
Status MemoryFileSystem::CreateDirs(const std::string&) {
  return ReadOnly("CreateDirs");
}
Status MemoryFileSystem::RemoveFile(const std::string&) {
  return ReadOnly("RemoveFile");
}
Status MemoryFileSystem::RemoveAll(const std::string&) {
  return ReadOnly("RemoveAll");
}
Status MemoryFileSystem::Rename(const std::string&, const std::string&) {
  return ReadOnly("Rename");
}
Status MemoryFileSystem::Link(const std::string&, const std::string&) {
  return ReadOnly("Link");
}
Status MemoryFileSystem::SyncDir(const std::string&) {
  return ReadOnly("SyncDir");
}
Status MemoryFileSystem::TruncateFile(const std::string&, int64_t) {
  return ReadOnly("TruncateFile");
}

}  // namespace strata::fuzz
