#include "util/memory_budget.h"

#include <algorithm>
#include <limits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace strata {

bool MemoryPool::TryReserve(int64_t bytes) {
  int64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (limit_ > 0 && used + bytes > limit_) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes,
                                        std::memory_order_relaxed));
  return true;
}

void MemoryPool::Release(int64_t bytes) {
  used_.fetch_sub(bytes, std::memory_order_relaxed);
}

MemoryBudget::~MemoryBudget() {
  if (pool_ != nullptr) pool_->Release(used_);
  if (peak_ >= kTrimAfterPeakBytes) ReleaseFreeMemoryToOs();
}

bool MemoryBudget::Add(int64_t bytes) {
  if (bytes <= 0) {
    // Never below zero, whatever a caller's estimate says.
    const int64_t release = std::min(-bytes, used_);
    used_ -= release;
    if (pool_ != nullptr) pool_->Release(release);
    return true;
  }
  if (limit_ > 0 && used_ + bytes > limit_) {
    exceeded_ = Exceeded::kRequestLimit;
    return false;
  }
  if (pool_ != nullptr && !pool_->TryReserve(bytes)) {
    exceeded_ = Exceeded::kPoolLimit;
    return false;
  }
  used_ += bytes;
  peak_ = std::max(peak_, used_);
  return true;
}

int64_t MemoryBudget::Remaining() const {
  int64_t remaining = std::numeric_limits<int64_t>::max();
  if (limit_ > 0) remaining = std::max<int64_t>(0, limit_ - used_);
  if (pool_ != nullptr && pool_->limit() > 0) {
    remaining = std::min(remaining,
                         std::max<int64_t>(0, pool_->limit() - pool_->used()));
  }
  return remaining;
}

void ReleaseFreeMemoryToOs() {
#if defined(__GLIBC__)
  static std::atomic<bool> trimming{false};
  if (trimming.exchange(true, std::memory_order_acquire)) return;
  malloc_trim(0);
  trimming.store(false, std::memory_order_release);
#endif
}

}  // namespace strata
