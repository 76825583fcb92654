#include "block/batch_file_reader.h"

#include <fcntl.h>
#include <liburing.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/base/thread_annotations.h"
#include "util/mutex.h"

namespace strata {
namespace {

class UringFileReader final : public BatchFileReader {
 public:
  UringFileReader(std::vector<std::string> paths, std::vector<int> fds,
                  unsigned depth)
      : paths_(std::move(paths)), fds_(std::move(fds)), depth_(depth) {}
  ~UringFileReader() override {
    MutexLock lock(&mu_);
    if (ring_ok_) io_uring_queue_exit(&ring_);
    for (int fd : fds_) ::close(fd);
  }

  Status Init() {
    MutexLock lock(&mu_);
    const int err = io_uring_queue_init(depth_, &ring_, 0);
    if (err < 0) {
      return Status::NotSupported(std::string("io_uring_queue_init: ") +
                                  std::strerror(-err));
    }
    ring_ok_ = true;
    return Status::OK();
  }

  Status ReadBatch(std::span<ReadRequest> requests) const override {
    for (ReadRequest& r : requests) {
      if (r.file >= fds_.size()) {
        return Status::InvalidArgument("read of an unknown file");
      }
      r.bytes_read = 0;
    }
    MutexLock lock(&mu_);
    if (broken_) return PreadAll(requests);
    Status s = RingRead(requests);
    if (!s.ok() && broken_) {
      // The ring itself failed and may hold reads in flight: tear it down
      // (the kernel cancels or finishes them) and use pread from now on.
      io_uring_queue_exit(&ring_);
      ring_ok_ = false;
      for (ReadRequest& r : requests) r.bytes_read = 0;
      return PreadAll(requests);
    }
    return s;
  }

  const char* Name() const override { return "io_uring"; }

 private:
  // Submits all requests, up to depth_ in flight; resubmits short reads for
  // the rest until EOF (a read returning 0). On a failure of the ring
  // itself sets broken_.
  Status RingRead(std::span<ReadRequest> requests) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<size_t> pending(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) pending[i] = i;
    std::vector<size_t> again;
    while (!pending.empty()) {
      again.clear();
      for (size_t start = 0; start < pending.size(); start += depth_) {
        const size_t n = std::min<size_t>(depth_, pending.size() - start);
        for (size_t k = 0; k < n; ++k) {
          ReadRequest& r = requests[pending[start + k]];
          io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
          if (sqe == nullptr) {
            broken_ = true;
            return Status::Internal("io_uring submission queue full");
          }
          io_uring_prep_read(sqe, fds_[r.file], r.dest + r.bytes_read,
                             static_cast<unsigned>(r.length - r.bytes_read),
                             static_cast<uint64_t>(r.offset) + r.bytes_read);
          io_uring_sqe_set_data64(sqe, pending[start + k]);
        }
        const int submitted = io_uring_submit(&ring_);
        if (submitted != static_cast<int>(n)) {
          broken_ = true;
          return Status::FromErrno(submitted < 0 ? -submitted : EAGAIN,
                                   "io_uring_submit");
        }
        Status first_error;
        for (size_t k = 0; k < n; ++k) {
          io_uring_cqe* cqe = nullptr;
          int err = io_uring_wait_cqe(&ring_, &cqe);
          while (err == -EINTR) err = io_uring_wait_cqe(&ring_, &cqe);
          if (err < 0) {
            broken_ = true;
            return Status::FromErrno(-err, "io_uring_wait_cqe");
          }
          const size_t idx = io_uring_cqe_get_data64(cqe);
          const int res = cqe->res;
          io_uring_cqe_seen(&ring_, cqe);
          ReadRequest& r = requests[idx];
          if (res == -EAGAIN || res == -EINTR) {
            again.push_back(idx);
          } else if (res < 0) {
            if (first_error.ok()) {
              first_error = Status::FromErrno(-res, "read " + paths_[r.file]);
            }
          } else if (res > 0) {
            r.bytes_read += static_cast<size_t>(res);
            if (r.bytes_read < r.length) again.push_back(idx);
          }
        }
        STRATA_RETURN_IF_ERROR(first_error);
      }
      pending.swap(again);
    }
    return Status::OK();
  }

  Status PreadAll(std::span<ReadRequest> requests) const {
    for (ReadRequest& r : requests) {
      while (r.bytes_read < r.length) {
        const ssize_t n = ::pread(fds_[r.file], r.dest + r.bytes_read,
                                  r.length - r.bytes_read,
                                  static_cast<off_t>(r.offset + r.bytes_read));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Status::FromErrno(errno, "pread " + paths_[r.file]);
        if (n == 0) break;
        r.bytes_read += static_cast<size_t>(n);
      }
    }
    return Status::OK();
  }

  // Constant after construction.
  const std::vector<std::string> paths_;
  const std::vector<int> fds_;
  const unsigned depth_;

  mutable Mutex mu_;
  mutable bool ring_ok_ ABSL_GUARDED_BY(mu_) = false;
  mutable io_uring ring_ ABSL_GUARDED_BY(mu_);
  mutable bool broken_ ABSL_GUARDED_BY(mu_) = false;
};

class PreadFileReader final : public BatchFileReader {
 public:
  explicit PreadFileReader(std::vector<std::unique_ptr<RandomAccessFile>> files)
      : files_(std::move(files)) {}

  Status ReadBatch(std::span<ReadRequest> requests) const override {
    for (ReadRequest& r : requests) {
      if (r.file >= files_.size()) {
        return Status::InvalidArgument("read of an unknown file");
      }
      std::string_view got;
      STRATA_RETURN_IF_ERROR(
          files_[r.file]->Read(r.offset, r.length, &got, r.dest));
      if (got.data() != r.dest && !got.empty()) {
        std::memmove(r.dest, got.data(), got.size());
      }
      r.bytes_read = got.size();
    }
    return Status::OK();
  }

  const char* Name() const override { return "pread"; }

 private:
  const std::vector<std::unique_ptr<RandomAccessFile>> files_;
};

}  // namespace

StatusOr<std::unique_ptr<BatchFileReader>> NewUringFileReader(
    const std::vector<std::string>& paths, unsigned queue_depth) {
  std::vector<int> fds;
  for (const std::string& p : paths) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      for (int f : fds) ::close(f);
      return Status::FromErrno(err, "open " + p);
    }
    fds.push_back(fd);
  }
  auto reader =
      std::make_unique<UringFileReader>(paths, std::move(fds), queue_depth);
  STRATA_RETURN_IF_ERROR(reader->Init());
  return std::unique_ptr<BatchFileReader>(std::move(reader));
}

StatusOr<std::unique_ptr<BatchFileReader>> NewPreadFileReader(
    FileSystem* fs, const std::vector<std::string>& paths) {
  std::vector<std::unique_ptr<RandomAccessFile>> files;
  for (const std::string& p : paths) {
    STRATA_ASSIGN_OR_RETURN(auto f, fs->NewRandomAccessFile(p));
    files.push_back(std::move(f));
  }
  return std::unique_ptr<BatchFileReader>(
      std::make_unique<PreadFileReader>(std::move(files)));
}

}  // namespace strata
