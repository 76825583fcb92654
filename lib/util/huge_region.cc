#include "util/huge_region.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace strata {

void* MapHugeRegion() {
  // Map twice the region size to cut out an aligned region, which a huge
  // page can back; give back the rest.
  const size_t span = 2 * kHugeRegionBytes;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned =
      (start + kHugeRegionBytes - 1) & ~(uintptr_t{kHugeRegionBytes} - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = aligned + kHugeRegionBytes;
  if (start + span > end) {
    munmap(reinterpret_cast<void*>(end), start + span - end);
  }
  // Only advice: without transparent huge pages it fails harmlessly.
  madvise(reinterpret_cast<void*>(aligned), kHugeRegionBytes, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

void UnmapHugeRegion(void* region) { munmap(region, kHugeRegionBytes); }

}  // namespace strata
