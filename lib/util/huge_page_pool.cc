#include "util/huge_page_pool.h"

#include <cassert>
#include <cstdint>
#include <new>

#include "util/huge_region.h"
#include "util/sanitizers.h"

// Under AddressSanitizer, LeakSanitizer must scan the regions: objects in
// slots (the head's series) own heap memory, which would otherwise look
// leaked, since LeakSanitizer scans only the heap, stacks and globals.
#if STRATA_ADDRESS_SANITIZER
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
    void* region = MapHugeRegion();
#if STRATA_ADDRESS_SANITIZER
    __lsan_register_root_region(region, kRegionBytes);
#endif
    next_ = static_cast<char*>(region);
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
