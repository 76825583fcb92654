// An exclusive advisory lock (flock) on `<dir>/lock`, so two processes
// never open one data directory, as Prometheus does. Released when the
// DirLock is destroyed or the process dies (kill -9 included).
#ifndef STRATA_UTIL_DIR_LOCK_H_
#define STRATA_UTIL_DIR_LOCK_H_

#include <memory>
#include <string>

#include "strata/status.h"

namespace strata {

class DirLock {
 public:
  // FailedPrecondition if another process holds the lock.
  static StatusOr<std::unique_ptr<DirLock>> Acquire(const std::string& dir);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace strata

#endif  // STRATA_UTIL_DIR_LOCK_H_
