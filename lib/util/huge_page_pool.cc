#include "util/huge_page_pool.h"

#include <sys/mman.h>

#include <cassert>
#include <new>

#include "util/sanitizers.h"

#if STRATA_ADDRESS_SANITIZER
#include <sanitizer/lsan_interface.h>
#endif

namespace strata {
namespace {

// A fresh zero-filled region of `bytes`, aligned to its size, advised as
// huge pages (only advice: without transparent huge pages it fails
// harmlessly). Throws std::bad_alloc when the system has no memory.
char* MapAlignedRegion(size_t bytes) {
  // Map twice the size to cut out an aligned region; give back the rest.
  const size_t span = 2 * bytes;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + bytes - 1) & ~(uintptr_t{bytes} - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = aligned + bytes;
  if (start + span > end) {
    munmap(reinterpret_cast<void*>(end), start + span - end);
  }
  madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);
  return reinterpret_cast<char*>(aligned);
}

}  // namespace

HugePagePool::HugePagePool(size_t slot_bytes, EmptyRegions empty_regions)
    : slot_bytes_(slot_bytes), empty_regions_policy_(empty_regions) {
  assert(slot_bytes > 0 && slot_bytes % 64 == 0 && slot_bytes <= kRegionBytes);
}

HugePagePool::~HugePagePool() {
  MutexLock lock(&mu_);
  for (auto& [base, region] : regions_) Unmap(region.get());
}

void* HugePagePool::Allocate() {
  MutexLock lock(&mu_);
  Region* r = with_room_.empty() ? NewRegion() : with_room_.back();
  if (r->used == 0) --empty_regions_;
  void* slot;
  if (r->free != nullptr) {
    slot = r->free;
    r->free = r->free->next;
  } else {
    slot = r->base + r->carved;
    r->carved += slot_bytes_;
  }
  ++r->used;
  if (!HasRoom(*r)) RemoveWithRoom(r);
  return slot;
}

void HugePagePool::Free(void* slot) {
  if (slot == nullptr) return;
  MutexLock lock(&mu_);
  const auto base =
      reinterpret_cast<uintptr_t>(slot) & ~(uintptr_t{kRegionBytes} - 1);
  auto it = regions_.find(base);
  assert(it != regions_.end());
  Region* r = it->second.get();
  r->free = new (slot) FreeSlot{r->free};
  if (r->with_room_index == kNone) AddWithRoom(r);
  if (--r->used > 0) return;
  if (empty_regions_policy_ == EmptyRegions::kKeep || empty_regions_ == 0) {
    ++empty_regions_;
    return;
  }
  RemoveWithRoom(r);
  Unmap(r);
  regions_.erase(it);
}

size_t HugePagePool::mapped_bytes() const {
  MutexLock lock(&mu_);
  return regions_.size() * kRegionBytes;
}

void HugePagePool::AddWithRoom(Region* r) {
  r->with_room_index = with_room_.size();
  with_room_.push_back(r);
}

void HugePagePool::RemoveWithRoom(Region* r) {
  Region* last = with_room_.back();
  with_room_[r->with_room_index] = last;
  last->with_room_index = r->with_room_index;
  with_room_.pop_back();
  r->with_room_index = kNone;
}

HugePagePool::Region* HugePagePool::NewRegion() {
  auto region = std::make_unique<Region>();
  region->base = MapAlignedRegion(kRegionBytes);
#if STRATA_ADDRESS_SANITIZER
  __lsan_register_root_region(region->base, kRegionBytes);
#endif
  Region* r = region.get();
  regions_.emplace(reinterpret_cast<uintptr_t>(r->base), std::move(region));
  AddWithRoom(r);
  ++empty_regions_;
  return r;
}

void HugePagePool::Unmap(Region* r) {
#if STRATA_ADDRESS_SANITIZER
  __lsan_unregister_root_region(r->base, kRegionBytes);
#endif
  munmap(r->base, kRegionBytes);
}

}  // namespace strata
