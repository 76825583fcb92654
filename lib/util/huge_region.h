// MapHugeRegion / UnmapHugeRegion: 2 MiB-aligned anonymous memory regions
// that the kernel is asked to back with transparent huge pages (madvise
// MADV_HUGEPAGE), for the pools that pack small objects read at random at
// high rates (util/huge_page_pool.h, util/slab_pool.h). Where transparent
// huge pages are off, or none are free, a region is ordinary pages.
//
// Thread-safety: safe to call concurrently.
#ifndef STRATA_UTIL_HUGE_REGION_H_
#define STRATA_UTIL_HUGE_REGION_H_

#include <cstddef>

namespace strata {

inline constexpr size_t kHugeRegionBytes = size_t{2} << 20;

// A fresh zero-filled region of kHugeRegionBytes, aligned to its size.
// Throws std::bad_alloc when the system has no memory, like operator new.
void* MapHugeRegion();
// Returns a region from MapHugeRegion to the system.
void UnmapHugeRegion(void* region);

}  // namespace strata

#endif  // STRATA_UTIL_HUGE_REGION_H_
