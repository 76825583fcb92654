// HugePagePool: fixed-size slots carved from 2 MiB regions that the kernel
// is asked to back with transparent huge pages (madvise MADV_HUGEPAGE).
//
// For objects read at random at high rates, such as the head's series
// during appends and WAL replay: with 4 KiB pages nearly every such access
// also misses the TLB; a 2 MiB page covers 8,192 series of 256 bytes. Where
// the kernel has transparent huge pages off, or none free, the regions are
// ordinary pages and only the packing remains.
//
// Freed slots are kept for reuse; regions are never returned to the
// system (series churn reuses them).
//
// Thread-safety: Allocate and Free are safe to call concurrently.
#ifndef STRATA_UTIL_HUGE_PAGE_POOL_H_
#define STRATA_UTIL_HUGE_PAGE_POOL_H_

#include <cstddef>

#include "util/huge_region.h"
#include "util/mutex.h"

namespace strata {

class HugePagePool {
 public:
  static constexpr size_t kRegionBytes = kHugeRegionBytes;

  // `slot_bytes`: a multiple of 64 (slots are cache-line aligned), at most
  // kRegionBytes.
  explicit HugePagePool(size_t slot_bytes);
  HugePagePool(const HugePagePool&) = delete;
  HugePagePool& operator=(const HugePagePool&) = delete;

  // A slot of slot_bytes() bytes, 64-byte aligned. Throws std::bad_alloc
  // when the system has no memory, like operator new.
  void* Allocate() ABSL_LOCKS_EXCLUDED(mu_);
  // Returns a slot from Allocate() for reuse.
  void Free(void* slot) ABSL_LOCKS_EXCLUDED(mu_);

  size_t slot_bytes() const { return slot_bytes_; }
  // Bytes mapped for regions so far.
  size_t mapped_bytes() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct FreeSlot {
    FreeSlot* next;
  };

  const size_t slot_bytes_;
  mutable Mutex mu_;
  FreeSlot* free_ ABSL_GUARDED_BY(mu_) = nullptr;
  // The unused rest of the newest region.
  char* next_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t left_ ABSL_GUARDED_BY(mu_) = 0;
  size_t mapped_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace strata

#endif  // STRATA_UTIL_HUGE_PAGE_POOL_H_
