#include "util/slab_pool.h"

#include <bit>
#include <cassert>
#include <new>

namespace strata {

SlabPool::SlabPool(size_t slot_bytes) : slot_bytes_(slot_bytes) {
  assert(std::has_single_bit(slot_bytes) && slot_bytes >= 64 &&
         slot_bytes <= kHugeRegionBytes / 2);
}

SlabPool::~SlabPool() {
  MutexLock lock(&mu_);
  for (auto& [base, region] : regions_) UnmapHugeRegion(region->base);
}

void* SlabPool::Allocate() {
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

void SlabPool::Free(void* slot) {
  if (slot == nullptr) return;
  MutexLock lock(&mu_);
  const auto base =
      reinterpret_cast<uintptr_t>(slot) & ~(uintptr_t{kHugeRegionBytes} - 1);
  auto it = regions_.find(base);
  assert(it != regions_.end());
  Region* r = it->second.get();
  r->free = new (slot) FreeSlot{r->free};
  if (r->with_room_index == kNone) AddWithRoom(r);
  if (--r->used > 0) return;
  if (empty_regions_ == 0) {
    ++empty_regions_;  // Kept for the next allocations.
    return;
  }
  RemoveWithRoom(r);
  UnmapHugeRegion(r->base);
  regions_.erase(it);
}

size_t SlabPool::mapped_bytes() const {
  MutexLock lock(&mu_);
  return regions_.size() * kHugeRegionBytes;
}

void SlabPool::AddWithRoom(Region* r) {
  r->with_room_index = with_room_.size();
  with_room_.push_back(r);
}

void SlabPool::RemoveWithRoom(Region* r) {
  Region* last = with_room_.back();
  with_room_[r->with_room_index] = last;
  last->with_room_index = r->with_room_index;
  with_room_.pop_back();
  r->with_room_index = kNone;
}

SlabPool::Region* SlabPool::NewRegion() {
  auto region = std::make_unique<Region>();
  region->base = static_cast<char*>(MapHugeRegion());
  Region* r = region.get();
  regions_.emplace(reinterpret_cast<uintptr_t>(r->base), std::move(region));
  AddWithRoom(r);
  ++empty_regions_;
  return r;
}

}  // namespace strata
