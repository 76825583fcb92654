#include "head/ooo_head.h"

#include <algorithm>

#include "head/head.h"

namespace strata {

class OooHead::IndexReaderImpl : public IndexReader {
 public:
  explicit IndexReaderImpl(const OooHead* ooo) : ooo_(ooo) {}

  StatusOr<std::vector<std::string>> LabelNames() const override {
    return ooo_->head_->Index().LabelNames();
  }
  StatusOr<std::vector<std::string>> LabelValues(
      std::string_view name) const override {
    return ooo_->head_->Index().LabelValues(name);
  }
  StatusOr<Postings> PostingsFor(
      std::string_view name,
      const std::vector<std::string>& values) const override {
    STRATA_ASSIGN_OR_RETURN(Postings p,
                            ooo_->head_->Index().PostingsFor(name, values));
    p &= ooo_->Ids();
    return p;
  }
  StatusOr<Postings> AllPostings() const override { return ooo_->Ids(); }
  Status Series(SeriesId id, Labels* labels,
                std::vector<ChunkMeta>* chunks) const override {
    const MemSeries* s = ooo_->head_->GetById(id);
    if (s == nullptr) return Status::NotFound("series not in head");
    std::vector<OooSample> samples;
    if (!ooo_->Merged(id, &samples)) {
      return Status::NotFound("series has no out-of-order samples");
    }
    if (labels != nullptr) *labels = s->labels();
    if (chunks != nullptr) {
      chunks->clear();
      AppendOooChunkMetas(id, samples, chunks);
    }
    return Status::OK();
  }
  bool SortedByLabels() const override { return false; }

 private:
  const OooHead* const ooo_;
};

class OooHead::ChunkReaderImpl : public ChunkReader {
 public:
  explicit ChunkReaderImpl(const OooHead* ooo) : ooo_(ooo) {}
  // The samples in the meta's range as they are now: a sample inserted
  // since Series() listed the metas may show up.
  StatusOr<ChunkBytes> Chunk(const ChunkMeta& meta) const override {
    std::vector<OooSample> samples;
    if (!ooo_->MergedInRange(OooChunkRefSeries(meta.ref), meta.mint, meta.maxt,
                             &samples)) {
      return Status::NotFound("out-of-order chunk not found");
    }
    return OooChunkBytes(samples, meta);
  }

 private:
  const OooHead* const ooo_;
};

OooHead::OooHead(const Head* head)
    : head_(head),
      index_(std::make_unique<IndexReaderImpl>(this)),
      chunks_(std::make_unique<ChunkReaderImpl>(this)) {}

OooHead::~OooHead() = default;

const IndexReader& OooHead::Index() const { return *index_; }
const ChunkReader& OooHead::Chunks() const { return *chunks_; }
const TombstoneReader& OooHead::Tombstones() const {
  return head_->Tombstones();
}

bool OooHead::Insert(SeriesId id, int64_t t, double v, int cap_max,
                     bool* chunk_cut) {
  *chunk_cut = false;
  Shard& shard = ShardFor(id);
  {
    MutexLock lock(&shard.mu);
    SeriesData& d = shard.series[id];
    if (d.open.size() >= static_cast<size_t>(std::max(cap_max, 1))) {
      d.closed.push_back(
          {EncodeXor(d.open.samples()), d.open.mint(), d.open.maxt()});
      d.open.clear();
      *chunk_cut = true;
    }
    if (!d.open.Insert(t, v)) return false;
  }
  WidenTimeRange(t);
  return true;
}

void OooHead::WidenTimeRange(int64_t t) {
  int64_t cur = min_time_.load(std::memory_order_relaxed);
  while (t < cur && !min_time_.compare_exchange_weak(cur, t)) {
  }
  cur = max_time_.load(std::memory_order_relaxed);
  while (t > cur && !max_time_.compare_exchange_weak(cur, t)) {
  }
}

bool OooHead::Has(SeriesId id) const {
  Shard& shard = ShardFor(id);
  MutexLock lock(&shard.mu);
  return shard.series.contains(id);
}

size_t OooHead::NumSeries() const {
  size_t n = 0;
  for (Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    n += shard.series.size();
  }
  return n;
}

Postings OooHead::Ids() const {
  Postings ids;
  for (Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    for (const auto& [id, d] : shard.series) ids.add(id);
  }
  return ids;
}

void OooHead::MergeLocked(const SeriesData& d, std::vector<OooSample>* out) {
  for (const ClosedChunk& c : d.closed) (void)DecodeXor(c.bytes, out);
  out->insert(out->end(), d.open.samples().begin(), d.open.samples().end());
  SortUnique(out);
}

bool OooHead::MergedInRange(SeriesId id, int64_t mint, int64_t maxt,
                            std::vector<OooSample>* out) const {
  out->clear();
  Shard& shard = ShardFor(id);
  MutexLock lock(&shard.mu);
  auto it = shard.series.find(id);
  if (it == shard.series.end()) return false;
  // Only the chunks overlapping the range, in insertion order, so the
  // first sample at a timestamp still wins.
  const SeriesData& d = it->second;
  for (const ClosedChunk& c : d.closed) {
    if (c.mint <= maxt && mint <= c.maxt) (void)DecodeXor(c.bytes, out);
  }
  for (const OooSample& s : d.open.samples()) {
    if (mint <= s.t && s.t <= maxt) out->push_back(s);
  }
  std::erase_if(*out,
                [&](const OooSample& s) { return s.t < mint || s.t > maxt; });
  SortUnique(out);
  return true;
}

bool OooHead::Merged(SeriesId id, std::vector<OooSample>* out) const {
  out->clear();
  Shard& shard = ShardFor(id);
  MutexLock lock(&shard.mu);
  auto it = shard.series.find(id);
  if (it == shard.series.end()) return false;
  MergeLocked(it->second, out);
  return true;
}

std::vector<OooTakenSeries> OooHead::TakeAll() {
  std::vector<OooTakenSeries> taken;
  for (Shard& shard : shards_) {
    absl::flat_hash_map<SeriesId, SeriesData> series;
    {
      MutexLock lock(&shard.mu);
      series.swap(shard.series);
    }
    for (const auto& [id, d] : series) {
      const MemSeries* s = head_->GetById(id);
      if (s == nullptr) continue;
      OooTakenSeries t{id, s->labels(), {}};
      MergeLocked(d, &t.samples);
      const Intervals deleted = head_->Tombstones().Get(id);
      std::erase_if(t.samples, [&](const OooSample& smp) {
        return std::any_of(
            deleted.begin(), deleted.end(),
            [&](const Interval& iv) { return iv.Contains(smp.t); });
      });
      if (!t.samples.empty()) taken.push_back(std::move(t));
    }
  }
  min_time_.store(kMaxTime);
  max_time_.store(kMinTime);
  std::sort(taken.begin(), taken.end(),
            [](const OooTakenSeries& a, const OooTakenSeries& b) {
              return a.labels < b.labels;
            });
  return taken;
}

void OooHead::Restore(const std::vector<OooTakenSeries>& taken, int cap_max) {
  for (const OooTakenSeries& s : taken) {
    for (const OooSample& smp : s.samples) {
      bool cut = false;
      (void)Insert(s.id, smp.t, smp.v, cap_max, &cut);
    }
  }
}

}  // namespace strata
