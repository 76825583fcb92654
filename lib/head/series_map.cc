#include "head/series_map.h"

namespace strata {

SeriesMap::SeriesMap()
    : segments_(new std::atomic<Segment*>[kNumSegments]),
      stripes_(new Stripe[kStripes]) {
  for (size_t i = 0; i < kNumSegments; ++i) segments_[i] = nullptr;
}

SeriesMap::~SeriesMap() {
  for (size_t i = 0; i < kNumSegments; ++i) {
    Segment* seg = segments_[i].load();
    if (seg == nullptr) continue;
    for (auto& slot : seg->slots) delete slot.load();
    delete seg;
  }
}

MemSeries* SeriesMap::GetById(SeriesId id) const {
  Segment* seg = segments_[id >> kSegmentBits].load(std::memory_order_acquire);
  if (seg == nullptr) return nullptr;
  return seg->slots[id & (kSegmentSize - 1)].load(std::memory_order_acquire);
}

void SeriesMap::SetById(SeriesId id, MemSeries* s) {
  std::atomic<Segment*>& top = segments_[id >> kSegmentBits];
  Segment* seg = top.load(std::memory_order_acquire);
  if (seg == nullptr) {
    MutexLock lock(&segment_alloc_mu_);
    seg = top.load(std::memory_order_acquire);
    if (seg == nullptr) {
      seg = new Segment();
      top.store(seg, std::memory_order_release);
    }
  }
  seg->slots[id & (kSegmentSize - 1)].store(s, std::memory_order_release);
}

MemSeries* SeriesMap::Get(uint64_t hash, const Labels& labels) const {
  Stripe& stripe = stripes_[hash % kStripes];
  MutexLock lock(&stripe.mu);
  auto it = stripe.by_hash.find(hash);
  if (it == stripe.by_hash.end()) return nullptr;
  for (MemSeries* s = it->second; s != nullptr; s = s->next_in_bucket) {
    if (!s->dead() && s->LabelsEqual(labels)) return s;
  }
  return nullptr;
}

MemSeries* SeriesMap::GetOrCreate(
    uint64_t hash, const Labels& labels,
    const std::function<std::unique_ptr<MemSeries>()>& make, bool* created) {
  Stripe& stripe = stripes_[hash % kStripes];
  MutexLock lock(&stripe.mu);
  MemSeries*& head = stripe.by_hash[hash];
  for (MemSeries* s = head; s != nullptr; s = s->next_in_bucket) {
    if (!s->dead() && s->LabelsEqual(labels)) {
      *created = false;
      return s;
    }
  }
  std::unique_ptr<MemSeries> fresh = make();
  MemSeries* s = fresh.release();
  s->next_in_bucket = head;
  head = s;
  SetById(s->id(), s);
  size_.fetch_add(1, std::memory_order_relaxed);
  *created = true;
  return s;
}

std::unique_ptr<MemSeries> SeriesMap::Remove(MemSeries* s) {
  Stripe& stripe = stripes_[s->hash() % kStripes];
  {
    MutexLock lock(&stripe.mu);
    auto it = stripe.by_hash.find(s->hash());
    if (it == stripe.by_hash.end()) return nullptr;
    MemSeries** link = &it->second;
    while (*link != nullptr && *link != s) link = &(*link)->next_in_bucket;
    if (*link == nullptr) return nullptr;
    *link = s->next_in_bucket;
    if (it->second == nullptr) stripe.by_hash.erase(it);
    SetById(s->id(), nullptr);
  }
  size_.fetch_sub(1, std::memory_order_relaxed);
  return std::unique_ptr<MemSeries>(s);
}

void SeriesMap::ForEach(const std::function<void(MemSeries*)>& fn) const {
  for (size_t i = 0; i < kNumSegments; ++i) {
    Segment* seg = segments_[i].load(std::memory_order_acquire);
    if (seg == nullptr) continue;
    for (auto& slot : seg->slots) {
      if (MemSeries* s = slot.load(std::memory_order_acquire)) fn(s);
    }
  }
}

}  // namespace strata
