#include "util/huge_page_pool.h"

#include <sys/mman.h>

#include <cassert>
#include <cstdint>
#include <new>

// Under AddressSanitizer, LeakSanitizer must scan the regions: objects in
// slots (the head's series) own heap memory, which would otherwise look
// leaked, since LeakSanitizer scans only the heap, stacks and globals.
#if defined(__SANITIZE_ADDRESS__)
#define STRATA_SCAN_REGIONS_FOR_LEAKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRATA_SCAN_REGIONS_FOR_LEAKS 1
#endif
#endif
#ifdef STRATA_SCAN_REGIONS_FOR_LEAKS
#include <sanitizer/lsan_interface.h>
#endif

namespace strata {

HugePagePool::HugePagePool(size_t slot_bytes) : slot_bytes_(slot_bytes) {
  assert(slot_bytes > 0 && slot_bytes % 64 == 0 && slot_bytes <= kRegionBytes);
}

void* HugePagePool::Allocate() {
  MutexLock lock(&mu_);
  if (free_ != nullptr) {
    FreeSlot* slot = free_;
    free_ = slot->next;
    return slot;
  }
  if (left_ < slot_bytes_) {
    // Map twice the region size to cut out a 2 MiB-aligned region, which a
    // huge page can back; give back the rest.
    const size_t span = 2 * kRegionBytes;
    void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t aligned =
        (start + kRegionBytes - 1) & ~(uintptr_t{kRegionBytes} - 1);
    if (aligned > start) munmap(raw, aligned - start);
    const uintptr_t end = aligned + kRegionBytes;
    if (start + span > end)
      munmap(reinterpret_cast<void*>(end), start + span - end);
    // Only advice: without transparent huge pages it fails harmlessly.
    madvise(reinterpret_cast<void*>(aligned), kRegionBytes, MADV_HUGEPAGE);
#ifdef STRATA_SCAN_REGIONS_FOR_LEAKS
    __lsan_register_root_region(reinterpret_cast<void*>(aligned), kRegionBytes);
#endif
    next_ = reinterpret_cast<char*>(aligned);
    left_ = kRegionBytes;
    mapped_ += kRegionBytes;
  }
  void* slot = next_;
  next_ += slot_bytes_;
  left_ -= slot_bytes_;
  return slot;
}

void HugePagePool::Free(void* slot) {
  if (slot == nullptr) return;
  MutexLock lock(&mu_);
  free_ = new (slot) FreeSlot{free_};
}

size_t HugePagePool::mapped_bytes() const {
  MutexLock lock(&mu_);
  return mapped_;
}

}  // namespace strata
