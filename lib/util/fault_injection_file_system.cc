#include "util/fault_injection_file_system.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <utility>

namespace strata {
namespace {

std::string_view OpName(FaultOp op) {
  switch (op) {
    case FaultOp::kAppend:
      return "append";
    case FaultOp::kSync:
      return "sync";
    case FaultOp::kTruncate:
      return "truncate";
    case FaultOp::kClose:
      return "close";
    case FaultOp::kCreate:
      return "create";
    case FaultOp::kRead:
      return "read";
    case FaultOp::kRename:
      return "rename";
    case FaultOp::kLink:
      return "link";
    case FaultOp::kRemove:
      return "remove";
    case FaultOp::kSyncDir:
      return "syncdir";
    case FaultOp::kCreateDirs:
      return "createdirs";
    case FaultOp::kListDir:
      return "listdir";
  }
  return "unknown";
}

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionFileSystem* fs, std::string path,
                    std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    int64_t partial = -1;
    Status s = fs_->MaybeFail(FaultOp::kAppend, path_, &partial);
    if (!s.ok()) {
      if (partial > 0) {
        const size_t n =
            std::min<size_t>(static_cast<size_t>(partial), data.size());
        // What the partial write itself reports does not matter: the
        // caller sees the injected error either way.
        (void)base_->Append(data.substr(0, n));
      }
      return s;
    }
    return base_->Append(data);
  }

  Status Sync() override {
    if (const int64_t us = fs_->sync_delay_micros(); us > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(us));
    }
    STRATA_RETURN_IF_ERROR(fs_->MaybeFail(FaultOp::kSync, path_));
    const int64_t size = base_->Size();
    STRATA_RETURN_IF_ERROR(base_->Sync());
    fs_->RecordSynced(path_, size);
    return Status::OK();
  }

  Status Truncate(int64_t size) override {
    STRATA_RETURN_IF_ERROR(fs_->MaybeFail(FaultOp::kTruncate, path_));
    STRATA_RETURN_IF_ERROR(base_->Truncate(size));
    fs_->RecordTruncated(path_, size);
    return Status::OK();
  }

  Status Close() override {
    STRATA_RETURN_IF_ERROR(fs_->MaybeFail(FaultOp::kClose, path_));
    return base_->Close();
  }

  int64_t Size() const override { return base_->Size(); }

 private:
  FaultInjectionFileSystem* const fs_;
  const std::string path_;
  const std::unique_ptr<WritableFile> base_;
};

class FaultRandomAccessFile final : public RandomAccessFile {
 public:
  FaultRandomAccessFile(FaultInjectionFileSystem* fs, std::string path,
                        std::unique_ptr<RandomAccessFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  Status Read(int64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    STRATA_RETURN_IF_ERROR(fs_->MaybeFail(FaultOp::kRead, path_));
    return base_->Read(offset, n, result, scratch);
  }
  StatusOr<int64_t> Size() const override { return base_->Size(); }

 private:
  FaultInjectionFileSystem* const fs_;
  const std::string path_;
  const std::unique_ptr<RandomAccessFile> base_;
};

}  // namespace

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem* base)
    : base_(base) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

int FaultInjectionFileSystem::Arm(const Fault& fault) {
  MutexLock lock(&mu_);
  const int id = next_id_++;
  faults_.push_back(ArmedFault{id, fault});
  return id;
}

void FaultInjectionFileSystem::Disarm(int id) {
  MutexLock lock(&mu_);
  std::erase_if(faults_, [id](const ArmedFault& f) { return f.id == id; });
}

void FaultInjectionFileSystem::DisarmAll() {
  MutexLock lock(&mu_);
  faults_.clear();
}

int64_t FaultInjectionFileSystem::injected() const {
  MutexLock lock(&mu_);
  return injected_;
}

void FaultInjectionFileSystem::SetSyncDelayMicros(int64_t micros) {
  MutexLock lock(&mu_);
  sync_delay_micros_ = micros;
}

int64_t FaultInjectionFileSystem::sync_delay_micros() const {
  MutexLock lock(&mu_);
  return sync_delay_micros_;
}

int64_t FaultInjectionFileSystem::calls(FaultOp op) const {
  MutexLock lock(&mu_);
  return calls_[static_cast<int>(op)];
}

Status FaultInjectionFileSystem::MaybeFail(FaultOp op, const std::string& path,
                                           int64_t* partial_bytes) {
  MutexLock lock(&mu_);
  ++calls_[static_cast<int>(op)];
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    const Fault& f = it->fault;
    if (f.op != op) continue;
    if (!f.path_substring.empty() &&
        path.find(f.path_substring) == std::string::npos) {
      continue;
    }
    if (it->seen++ < f.skip) continue;
    ++injected_;
    if (partial_bytes != nullptr) *partial_bytes = f.partial_bytes;
    std::string context = "injected ";
    context += OpName(op);
    context += " fault on ";
    context += path;
    Status s = Status::FromErrno(f.error, context);
    if (!f.persistent) faults_.erase(it);
    return s;
  }
  return Status::OK();
}

void FaultInjectionFileSystem::RecordSynced(const std::string& path,
                                            int64_t size) {
  MutexLock lock(&mu_);
  synced_[path] = size;
}

void FaultInjectionFileSystem::RecordTruncated(const std::string& path,
                                               int64_t size) {
  // Truncation counts as durable at once, so the synced length only shrinks.
  MutexLock lock(&mu_);
  auto it = synced_.find(path);
  if (it != synced_.end()) it->second = std::min(it->second, size);
}

Status FaultInjectionFileSystem::DropUnsyncedData() {
  std::map<std::string, int64_t> files;
  {
    MutexLock lock(&mu_);
    files = synced_;
  }
  for (const auto& [path, synced] : files) {
    if (!base_->Exists(path)) continue;
    STRATA_ASSIGN_OR_RETURN(int64_t size, base_->FileSize(path));
    if (size > synced)
      STRATA_RETURN_IF_ERROR(base_->TruncateFile(path, synced));
  }
  return Status::OK();
}

StatusOr<std::unique_ptr<WritableFile>>
FaultInjectionFileSystem::NewWritableFile(const std::string& path) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kCreate, path));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> base,
                          base_->NewWritableFile(path));
  {
    MutexLock lock(&mu_);
    synced_[path] = 0;
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<FaultWritableFile>(this, path, std::move(base)));
}

StatusOr<std::unique_ptr<WritableFile>>
FaultInjectionFileSystem::NewAppendableFile(const std::string& path) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kCreate, path));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> base,
                          base_->NewAppendableFile(path));
  {
    // What existed before is taken as durable.
    MutexLock lock(&mu_);
    auto it = synced_.find(path);
    if (it == synced_.end()) synced_[path] = base->Size();
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<FaultWritableFile>(this, path, std::move(base)));
}

StatusOr<std::unique_ptr<RandomAccessFile>>
FaultInjectionFileSystem::NewRandomAccessFile(const std::string& path) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kRead, path));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> base,
                          base_->NewRandomAccessFile(path));
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<FaultRandomAccessFile>(this, path, std::move(base)));
}

StatusOr<std::unique_ptr<MappedFile>> FaultInjectionFileSystem::MapFile(
    const std::string& path) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kRead, path));
  return base_->MapFile(path);
}

StatusOr<std::string> FaultInjectionFileSystem::ReadFile(
    const std::string& path) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kRead, path));
  return base_->ReadFile(path);
}

bool FaultInjectionFileSystem::Exists(const std::string& path) {
  return base_->Exists(path);
}

bool FaultInjectionFileSystem::IsDirectory(const std::string& path) {
  return base_->IsDirectory(path);
}

StatusOr<std::vector<std::string>> FaultInjectionFileSystem::ListDir(
    const std::string& path) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kListDir, path));
  return base_->ListDir(path);
}

Status FaultInjectionFileSystem::CreateDirs(const std::string& path) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kCreateDirs, path));
  return base_->CreateDirs(path);
}

Status FaultInjectionFileSystem::RemoveFile(const std::string& path) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kRemove, path));
  STRATA_RETURN_IF_ERROR(base_->RemoveFile(path));
  MutexLock lock(&mu_);
  synced_.erase(path);
  return Status::OK();
}

Status FaultInjectionFileSystem::RemoveAll(const std::string& path) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kRemove, path));
  STRATA_RETURN_IF_ERROR(base_->RemoveAll(path));
  MutexLock lock(&mu_);
  const std::string prefix = path + "/";
  std::erase_if(synced_, [&](const auto& kv) {
    return kv.first == path || kv.first.starts_with(prefix);
  });
  return Status::OK();
}

Status FaultInjectionFileSystem::Rename(const std::string& from,
                                        const std::string& to) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kRename, from));
  STRATA_RETURN_IF_ERROR(base_->Rename(from, to));
  MutexLock lock(&mu_);
  auto it = synced_.find(from);
  if (it != synced_.end()) {
    const int64_t synced = it->second;
    synced_.erase(it);
    synced_[to] = synced;
  } else {
    synced_.erase(to);
  }
  return Status::OK();
}

Status FaultInjectionFileSystem::Link(const std::string& from,
                                      const std::string& to) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kLink, from));
  STRATA_RETURN_IF_ERROR(base_->Link(from, to));
  MutexLock lock(&mu_);
  auto it = synced_.find(from);
  if (it != synced_.end()) synced_[to] = it->second;
  return Status::OK();
}

Status FaultInjectionFileSystem::SyncDir(const std::string& path) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kSyncDir, path));
  return base_->SyncDir(path);
}

StatusOr<int64_t> FaultInjectionFileSystem::FileSize(const std::string& path) {
  return base_->FileSize(path);
}

Status FaultInjectionFileSystem::TruncateFile(const std::string& path,
                                              int64_t size) {
  STRATA_RETURN_IF_ERROR(MaybeFail(FaultOp::kTruncate, path));
  STRATA_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  RecordTruncated(path, size);
  return Status::OK();
}

}  // namespace strata
