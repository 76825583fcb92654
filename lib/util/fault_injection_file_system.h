// FaultInjectionFileSystem: wraps another FileSystem and makes chosen
// operations fail, so tests can check how the engine behaves when the disk
// reports EIO or ENOSPC.
//
// Faults are armed by operation and by a substring of the path. A fault
// fires once (or on every matching call when persistent), optionally after
// letting `skip` matching calls through. An Append fault may first write a
// prefix of the data, as a real partial write does.
//
// The wrapper also remembers, per file written through it, how many bytes
// were last made durable with Sync(), so DropUnsyncedData() can simulate a
// power loss: every such file is cut back to its synced length. (Truncations
// and renames are treated as durable at once; only appended data is lost.)
//
// Thread-safety: all methods are safe to call concurrently. Files follow the
// WritableFile contract of the wrapped file system.
#ifndef STRATA_UTIL_FAULT_INJECTION_FILE_SYSTEM_H_
#define STRATA_UTIL_FAULT_INJECTION_FILE_SYSTEM_H_

#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "util/file_system.h"
#include "util/mutex.h"

namespace strata {

// The operations a fault can target.
enum class FaultOp {
  kAppend,    // WritableFile::Append
  kSync,      // WritableFile::Sync
  kTruncate,  // WritableFile::Truncate and FileSystem::TruncateFile
  kClose,     // WritableFile::Close
  kCreate,    // NewWritableFile, NewAppendableFile
  kRead,      // NewRandomAccessFile, RandomAccessFile::Read, MapFile, ReadFile
  kRename,    // Rename
  kLink,      // Link
  kRemove,    // RemoveFile, RemoveAll
  kSyncDir,   // SyncDir
  kCreateDirs,  // CreateDirs
  kListDir,     // ListDir
};
inline constexpr int kNumFaultOps = static_cast<int>(FaultOp::kListDir) + 1;

struct Fault {
  FaultOp op = FaultOp::kAppend;
  // The fault applies to paths containing this; "" matches every path.
  std::string path_substring;
  // errno reported, e.g. EIO or ENOSPC.
  int error = EIO;
  // Fire on every matching call (until disarmed) instead of once.
  bool persistent = false;
  // Let this many matching calls succeed before firing.
  int skip = 0;
  // kAppend only: write this many bytes of the data (at most all of it)
  // before failing. Negative: write nothing.
  int64_t partial_bytes = -1;

  // Builder style, e.g.
  //   Fault::On(FaultOp::kSync, ENOSPC).Matching("wal/").Persistent()
  static Fault On(FaultOp op, int error = EIO) {
    Fault f;
    f.op = op;
    f.error = error;
    return f;
  }
  Fault& Matching(std::string substring) {
    path_substring = std::move(substring);
    return *this;
  }
  Fault& Persistent() {
    persistent = true;
    return *this;
  }
  Fault& After(int calls) {
    skip = calls;
    return *this;
  }
  Fault& WithPartialWrite(int64_t bytes) {
    partial_bytes = bytes;
    return *this;
  }
};

class FaultInjectionFileSystem final : public FileSystem {
 public:
  // `base` is not owned and must outlive this object and its files.
  explicit FaultInjectionFileSystem(FileSystem* base);
  ~FaultInjectionFileSystem() override;

  // Arms a fault; returns an id for Disarm.
  int Arm(const Fault& fault);
  void Disarm(int id);
  void DisarmAll();

  // Faults fired so far.
  int64_t injected() const;
  // Calls made of `op` (whether they failed or not).
  int64_t calls(FaultOp op) const;

  // Makes every WritableFile::Sync sleep this long first, like a real disk
  // (tests of group commit). 0 disables.
  void SetSyncDelayMicros(int64_t micros);

  // Simulates a power loss: truncates every file written through this
  // object to the length it had at its last successful Sync() (0 if never
  // synced). Files must not be open for writing.
  Status DropUnsyncedData();

  // Checks whether a fault fires for (op, path); returns the error if so,
  // with *partial_bytes set for Append faults. Used by the wrapped files.
  Status MaybeFail(FaultOp op, const std::string& path,
                   int64_t* partial_bytes = nullptr);
  int64_t sync_delay_micros() const;
  // Bookkeeping used by the wrapped files.
  void RecordSynced(const std::string& path, int64_t size);
  void RecordTruncated(const std::string& path, int64_t size);

  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override;
  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  StatusOr<std::unique_ptr<MappedFile>> MapFile(
      const std::string& path) override;
  StatusOr<std::string> ReadFile(const std::string& path) override;
  bool Exists(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  StatusOr<std::vector<std::string>> ListDir(const std::string& path) override;
  Status CreateDirs(const std::string& path) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Link(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& path) override;
  StatusOr<int64_t> FileSize(const std::string& path) override;
  Status TruncateFile(const std::string& path, int64_t size) override;

 private:
  struct ArmedFault {
    int id;
    Fault fault;
    int seen = 0;  // Matching calls so far.
  };

  FileSystem* const base_;  // Constant after construction.

  mutable Mutex mu_;
  int next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::vector<ArmedFault> faults_ ABSL_GUARDED_BY(mu_);
  int64_t injected_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t sync_delay_micros_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t calls_[kNumFaultOps] ABSL_GUARDED_BY(mu_) = {};
  // Files written through this object -> length at the last Sync.
  std::map<std::string, int64_t> synced_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata

#endif  // STRATA_UTIL_FAULT_INJECTION_FILE_SYSTEM_H_
