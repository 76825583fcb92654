// HugePagePool: fixed-size slots carved from 2 MiB regions that the kernel
// is asked to back with transparent huge pages (madvise MADV_HUGEPAGE).
//
// For objects read or written at random at high rates: the head's series
// during appends and WAL replay, and the open chunks' byte buffers
// (chunk/bit_writer.h). With 4 KiB pages nearly every such access also
// misses the TLB; a 2 MiB page covers 8,192 series of 256 bytes. Where the
// kernel has transparent huge pages off, or none free, the regions are
// ordinary pages and only the packing remains.
//
// Freed slots are reused before new ones are carved. With
// EmptyRegions::kReturn, a region all of whose slots are free goes back
// to the system (one such region is kept to absorb churn): for buffers
// that move between pools of different sizes as they grow, whose memory
// one size may no longer need. With kKeep, regions stay mapped for the
// life of the pool: the head's series, whose churn reuses the slots.
//
// Under AddressSanitizer the regions are LeakSanitizer roots: objects in
// slots (series) own heap memory, which would otherwise look leaked.
//
// Thread-safety: Allocate and Free are safe to call concurrently.
#ifndef STRATA_UTIL_HUGE_PAGE_POOL_H_
#define STRATA_UTIL_HUGE_PAGE_POOL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "util/mutex.h"

namespace strata {

class HugePagePool {
 public:
  static constexpr size_t kRegionBytes = size_t{2} << 20;
  enum class EmptyRegions { kKeep, kReturn };

  // `slot_bytes`: a multiple of 64, at most kRegionBytes.
  explicit HugePagePool(size_t slot_bytes,
                        EmptyRegions empty_regions = EmptyRegions::kKeep);
  // Unmaps every region: no slot may be in use.
  ~HugePagePool();
  HugePagePool(const HugePagePool&) = delete;
  HugePagePool& operator=(const HugePagePool&) = delete;

  // A slot of slot_bytes() bytes, 64-byte aligned (aligned to its size
  // when that is a power of two); its contents are undefined. Throws
  // std::bad_alloc when the system has no memory, like operator new.
  void* Allocate() ABSL_LOCKS_EXCLUDED(mu_);
  // Returns a slot from this pool's Allocate() for reuse; null is ignored.
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
    return r.free != nullptr || r.carved + slot_bytes_ <= kRegionBytes;
  }
  void AddWithRoom(Region* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveWithRoom(Region* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Region* NewRegion() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void Unmap(Region* r);

  const size_t slot_bytes_;
  const EmptyRegions empty_regions_policy_;
  mutable Mutex mu_;
  // Every mapped region by its base address.
  absl::flat_hash_map<uintptr_t, std::unique_ptr<Region>> regions_
      ABSL_GUARDED_BY(mu_);
  // Regions with a free or uncarved slot; Allocate takes from the last.
  std::vector<Region*> with_room_ ABSL_GUARDED_BY(mu_);
  // Mapped regions with no slot in use.
  size_t empty_regions_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace strata

#endif  // STRATA_UTIL_HUGE_PAGE_POOL_H_
