// The POSIX FileSystem: the only place Strata calls the OS for files.
//
// Every system call is retried on EINTR; errors become IOError statuses
// built by Status::FromErrno with the operation and the path as context
// (NotFound for ENOENT).
//
// Thread-safety: PosixFileSystem is stateless and safe to share. A
// PosixWritableFile may have Sync() called from one thread while another
// thread Appends or Truncates (the WAL's group commit relies on this: the
// kernel orders pwrite, ftruncate and fdatasync on one descriptor, and the
// size is an atomic); other calls on one file must not overlap.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "util/file_system.h"

namespace strata {
namespace {

constexpr mode_t kFileMode = 0644;
constexpr mode_t kDirMode = 0755;

Status ErrnoStatus(int err, std::string_view op, const std::string& path) {
  std::string context(op);
  context += ' ';
  context += path;
  // A missing file is NotFound so callers can tell it from a failing disk.
  if (err == ENOENT) {
    return Status::NotFound(context + ": " + std::strerror(err));
  }
  return Status::FromErrno(err, context);
}

// Calls f() until it does not fail with EINTR.
template <typename F>
auto RetryOnEintr(F f) {
  decltype(f()) r;
  do {
    r = f();
  } while (r == -1 && errno == EINTR);
  return r;
}

StatusOr<int> OpenFd(const std::string& path, int flags, mode_t mode = 0) {
  const int fd = RetryOnEintr(
      [&] { return ::open(path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  return fd;
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, int64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::FailedPrecondition("append to closed " + path_);
    int64_t offset = size_.load(std::memory_order_relaxed);
    while (!data.empty()) {
      const ssize_t n = RetryOnEintr(
          [&] { return ::pwrite(fd_, data.data(), data.size(), offset); });
      if (n < 0) {
        // The bytes written so far stay in the file; Size() reports them so
        // the caller can truncate them away.
        size_.store(offset, std::memory_order_relaxed);
        return ErrnoStatus(errno, "pwrite", path_);
      }
      offset += n;
      data.remove_prefix(static_cast<size_t>(n));
    }
    size_.store(offset, std::memory_order_relaxed);
    return Status::OK();
  }

  Status Sync() override {
    if (fd_ < 0) return Status::FailedPrecondition("sync of closed " + path_);
    if (RetryOnEintr([&] { return ::fdatasync(fd_); }) != 0) {
      return ErrnoStatus(errno, "fdatasync", path_);
    }
    return Status::OK();
  }

  Status Truncate(int64_t size) override {
    if (fd_ < 0)
      return Status::FailedPrecondition("truncate of closed " + path_);
    if (RetryOnEintr([&] { return ::ftruncate(fd_, size); }) != 0) {
      return ErrnoStatus(errno, "ftruncate", path_);
    }
    size_.store(size, std::memory_order_relaxed);
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    const int fd = std::exchange(fd_, -1);
    // Never retry close(2): on Linux the descriptor is gone even on EINTR.
    if (::close(fd) != 0 && errno != EINTR) {
      return ErrnoStatus(errno, "close", path_);
    }
    return Status::OK();
  }

  int64_t Size() const override {
    return size_.load(std::memory_order_relaxed);
  }

 private:
  const std::string path_;
  int fd_;
  std::atomic<int64_t> size_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd)
      : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status Read(int64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      const ssize_t r = RetryOnEintr([&] {
        return ::pread(fd_, scratch + done, n - done,
                       offset + static_cast<int64_t>(done));
      });
      if (r < 0) {
        *result = std::string_view();
        return ErrnoStatus(errno, "pread", path_);
      }
      if (r == 0) break;  // End of file.
      done += static_cast<size_t>(r);
    }
    *result = std::string_view(scratch, done);
    return Status::OK();
  }

  StatusOr<int64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return ErrnoStatus(errno, "fstat", path_);
    return static_cast<int64_t>(st.st_size);
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixMappedFile final : public MappedFile {
 public:
  PosixMappedFile(void* base, size_t size) : base_(base), size_(size) {}
  ~PosixMappedFile() override {
    if (base_ != nullptr) ::munmap(base_, size_);
  }
  std::string_view data() const override {
    return base_ == nullptr
               ? std::string_view()
               : std::string_view(static_cast<const char*>(base_), size_);
  }

 private:
  void* const base_;  // nullptr for an empty file (mmap rejects length 0).
  const size_t size_;
};

class PosixFileSystem final : public FileSystem {
 public:
  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override {
    STRATA_ASSIGN_OR_RETURN(
        int fd, OpenFd(path, O_WRONLY | O_CREAT | O_TRUNC, kFileMode));
    return std::unique_ptr<WritableFile>(
        std::make_unique<PosixWritableFile>(path, fd, 0));
  }

  StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override {
    STRATA_ASSIGN_OR_RETURN(int fd,
                            OpenFd(path, O_WRONLY | O_CREAT, kFileMode));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "fstat", path);
    }
    return std::unique_ptr<WritableFile>(
        std::make_unique<PosixWritableFile>(path, fd, st.st_size));
  }

  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    STRATA_ASSIGN_OR_RETURN(int fd, OpenFd(path, O_RDONLY));
    return std::unique_ptr<RandomAccessFile>(
        std::make_unique<PosixRandomAccessFile>(path, fd));
  }

  StatusOr<std::unique_ptr<MappedFile>> MapFile(
      const std::string& path) override {
    STRATA_ASSIGN_OR_RETURN(int fd, OpenFd(path, O_RDONLY));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "fstat", path);
    }
    const size_t size = static_cast<size_t>(st.st_size);
    void* base = nullptr;
    if (size > 0) {
      base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
      if (base == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        return ErrnoStatus(err, "mmap", path);
      }
    }
    ::close(fd);  // The mapping keeps the file alive.
    return std::unique_ptr<MappedFile>(
        std::make_unique<PosixMappedFile>(base, size));
  }

  StatusOr<std::string> ReadFile(const std::string& path) override {
    STRATA_ASSIGN_OR_RETURN(int fd, OpenFd(path, O_RDONLY));
    std::string out;
    struct stat st;
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      out.reserve(static_cast<size_t>(st.st_size));
    }
    char buf[64 * 1024];
    while (true) {
      const ssize_t n =
          RetryOnEintr([&] { return ::read(fd, buf, sizeof(buf)); });
      if (n < 0) {
        const int err = errno;
        ::close(fd);
        return ErrnoStatus(err, "read", path);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  bool Exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }

  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  StatusOr<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return ErrnoStatus(errno, "opendir", path);
    std::vector<std::string> names;
    while (true) {
      errno = 0;
      const dirent* e = ::readdir(d);
      if (e == nullptr) {
        const int err = errno;
        ::closedir(d);
        if (err != 0) return ErrnoStatus(err, "readdir", path);
        break;
      }
      const std::string_view name(e->d_name);
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  Status CreateDirs(const std::string& path) override {
    if (path.empty()) return Status::InvalidArgument("empty directory path");
    // Create each prefix in turn; EEXIST is fine when it is a directory.
    size_t pos = 0;
    while (pos != std::string::npos) {
      pos = path.find('/', pos + 1);
      const std::string prefix = path.substr(0, pos);
      if (prefix.empty() || prefix == "/") continue;
      if (::mkdir(prefix.c_str(), kDirMode) != 0) {
        const int err = errno;
        if (err == EEXIST && IsDirectory(prefix)) continue;
        return ErrnoStatus(err, "mkdir", prefix);
      }
    }
    return Status::OK();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus(errno, "unlink", path);
    return Status::OK();
  }

  Status RemoveAll(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return Status::OK();
      return ErrnoStatus(errno, "lstat", path);
    }
    if (S_ISDIR(st.st_mode)) {
      STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(path));
      for (const std::string& name : names) {
        STRATA_RETURN_IF_ERROR(RemoveAll(JoinPath(path, name)));
      }
      if (::rmdir(path.c_str()) != 0) return ErrnoStatus(errno, "rmdir", path);
      return Status::OK();
    }
    return RemoveFile(path);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus(errno, "rename", from + " -> " + to);
    }
    return Status::OK();
  }

  Status Link(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus(errno, "link", from + " -> " + to);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& path) override {
    STRATA_ASSIGN_OR_RETURN(int fd, OpenFd(path, O_RDONLY | O_DIRECTORY));
    const int r = RetryOnEintr([&] { return ::fsync(fd); });
    const int err = errno;
    ::close(fd);
    if (r != 0) return ErrnoStatus(err, "fsync", path);
    return Status::OK();
  }

  StatusOr<int64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat", path);
    return static_cast<int64_t>(st.st_size);
  }

  Status TruncateFile(const std::string& path, int64_t size) override {
    if (RetryOnEintr([&] { return ::truncate(path.c_str(), size); }) != 0) {
      return ErrnoStatus(errno, "truncate", path);
    }
    return Status::OK();
  }
};

}  // namespace

FileSystem* PosixFileSystemSingleton() {
  // Never destroyed, so it stays usable from other static destructors.
  static FileSystem* const fs = new PosixFileSystem();
  return fs;
}

}  // namespace strata
