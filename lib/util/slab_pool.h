// SlabPool: fixed-size slots for small buffers that are allocated, grown
// and freed at high rates and written at random: the open chunks' byte
// buffers (chunk/bit_writer.h). Slots are carved from 2 MiB regions backed
// by transparent huge pages (util/huge_region.h), so that appending to
// many series misses the TLB far less often than with malloc's 4 KiB
// pages, and packed densely.
//
// Unlike HugePagePool, whose series live long, buffers here move between
// pools as they grow; a region all of whose slots are free is returned to
// the system (one such region is kept to absorb churn), so that memory a
// size no longer needs goes back instead of staying with the pool.
//
// Thread-safety: Allocate and Free are safe to call concurrently.
#ifndef STRATA_UTIL_SLAB_POOL_H_
#define STRATA_UTIL_SLAB_POOL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "util/huge_region.h"
#include "util/mutex.h"

namespace strata {

class SlabPool {
 public:
  // `slot_bytes`: a power of two from 64 to kHugeRegionBytes / 2.
  explicit SlabPool(size_t slot_bytes);
  ~SlabPool();
  SlabPool(const SlabPool&) = delete;
  SlabPool& operator=(const SlabPool&) = delete;

  // A slot of slot_bytes() bytes, aligned to its size; its contents are
  // undefined. Throws std::bad_alloc when the system has no memory.
  void* Allocate() ABSL_LOCKS_EXCLUDED(mu_);
  // Returns a slot from this pool's Allocate().
  void Free(void* slot) ABSL_LOCKS_EXCLUDED(mu_);

  size_t slot_bytes() const { return slot_bytes_; }
  // Bytes of the regions currently mapped.
  size_t mapped_bytes() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct FreeSlot {
    FreeSlot* next;
  };
  struct Region {
    char* base = nullptr;
    FreeSlot* free = nullptr;  // Freed slots.
    size_t carved = 0;         // Bytes from base ever handed out.
    size_t used = 0;           // Slots handed out and not freed.
    // Index in with_room_, or kNone when the region is full.
    size_t with_room_index = kNone;
  };
  static constexpr size_t kNone = ~size_t{0};

  bool HasRoom(const Region& r) const {
    return r.free != nullptr || r.carved < kHugeRegionBytes;
  }
  void AddWithRoom(Region* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveWithRoom(Region* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Region* NewRegion() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t slot_bytes_;
  mutable Mutex mu_;
  // Every mapped region by its base address.
  absl::flat_hash_map<uintptr_t, std::unique_ptr<Region>> regions_
      ABSL_GUARDED_BY(mu_);
  // Regions with a free or uncarved slot; Allocate takes from the last.
  std::vector<Region*> with_room_ ABSL_GUARDED_BY(mu_);
  // Regions with no slot in use; at most one stays mapped.
  size_t empty_regions_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace strata

#endif  // STRATA_UTIL_SLAB_POOL_H_
