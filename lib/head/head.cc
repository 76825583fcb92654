#include "head/head.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "index/intervals.h"
#include "util/log.h"

namespace strata {

class Head::HeadIndexReader : public IndexReader {
 public:
  explicit HeadIndexReader(const Head* head) : head_(head) {}

  StatusOr<std::vector<std::string>> LabelNames() const override {
    return head_->postings_.LabelNames();
  }
  StatusOr<std::vector<std::string>> LabelValues(
      std::string_view name) const override {
    Symbol sym = head_->symbols_.Find(name);
    if (sym == nullptr) return std::vector<std::string>();
    return head_->postings_.LabelValues(sym);
  }
  StatusOr<Postings> PostingsFor(
      std::string_view name,
      const std::vector<std::string>& values) const override {
    Symbol name_sym = head_->symbols_.Find(name);
    if (name_sym == nullptr) return Postings();
    std::vector<Symbol> syms;
    syms.reserve(values.size());
    for (const std::string& v : values) {
      if (Symbol s = head_->symbols_.Find(v)) syms.push_back(s);
    }
    return head_->postings_.Get(name_sym, syms);
  }
  StatusOr<Postings> AllPostings() const override {
    return head_->postings_.All();
  }
  Status Series(SeriesId id, Labels* labels,
                std::vector<ChunkMeta>* chunks) const override {
    MemSeries* s = head_->series_.GetById(id);
    if (s == nullptr) return Status::NotFound("series not in head");
    if (labels != nullptr) *labels = s->labels();
    if (chunks != nullptr) {
      chunks->clear();
      s->ChunkMetas(kMinTime, kMaxTime, chunks);
    }
    return Status::OK();
  }
  bool SortedByLabels() const override { return false; }

 private:
  const Head* head_;
};

class Head::HeadChunkReader : public ChunkReader {
 public:
  explicit HeadChunkReader(const Head* head) : head_(head) {}
  StatusOr<ChunkBytes> Chunk(const ChunkMeta& meta) const override {
    MemSeries* s = head_->series_.GetById(MemSeries::ChunkRefSeries(meta.ref));
    if (s == nullptr) return Status::NotFound("series not in head");
    return s->ChunkCopy(MemSeries::ChunkRefSeq(meta.ref),
                        head_->chunk_files_.get());
  }

 private:
  const Head* head_;
};

// Deleted intervals per series, until head truncation drops the data.
class Head::HeadTombstones : public TombstoneReader {
 public:
  Intervals Get(SeriesId id) const override {
    MutexLock lock(&mu_);
    auto it = stones_.find(id);
    return it == stones_.end() ? Intervals() : it->second;
  }
  bool Empty() const override {
    MutexLock lock(&mu_);
    return stones_.empty();
  }
  void Add(SeriesId id, Interval iv) {
    MutexLock lock(&mu_);
    AddInterval(&stones_[id], iv);
  }
  void ForEach(
      const std::function<void(SeriesId, const Intervals&)>& fn) const {
    MutexLock lock(&mu_);
    for (const auto& [id, ivs] : stones_) fn(id, ivs);
  }
  // Forgets intervals wholly before mint, and series no longer present.
  void Truncate(int64_t mint, const SeriesMap& series) {
    MutexLock lock(&mu_);
    for (auto it = stones_.begin(); it != stones_.end();) {
      std::erase_if(it->second,
                    [&](const Interval& i) { return i.maxt < mint; });
      if (it->second.empty() || series.GetById(it->first) == nullptr) {
        stones_.erase(it++);
      } else {
        ++it;
      }
    }
  }

 private:
  mutable Mutex mu_;
  absl::flat_hash_map<SeriesId, Intervals> stones_ ABSL_GUARDED_BY(mu_);
};

void Head::AddTombstone(SeriesId id, Interval iv) { tombstones_->Add(id, iv); }

void Head::ForEachTombstone(
    const std::function<void(SeriesId, const Intervals&)>& fn) const {
  tombstones_->ForEach(fn);
}

Head::Head(const HeadOptions& options,
           std::shared_ptr<HeadChunkFiles> chunk_files)
    : options_(options),
      chunk_files_(std::move(chunk_files)),
      exemplars_(options.max_exemplars),
      ooo_window_ms_(std::max<int64_t>(options.out_of_order_time_window_ms, 0)),
      native_histograms_(options.enable_native_histograms),
      ooo_(std::make_unique<OooHead>(this)),
      index_(std::make_unique<HeadIndexReader>(this)),
      chunks_(std::make_unique<HeadChunkReader>(this)),
      tombstones_(std::make_unique<HeadTombstones>()) {}

Head::~Head() = default;

const IndexReader& Head::Index() const { return *index_; }
const ChunkReader& Head::Chunks() const { return *chunks_; }
const TombstoneReader& Head::Tombstones() const { return *tombstones_; }

MemSeries* Head::GetOrCreate(const Labels& labels, bool* created) {
  return Create(0, labels, created);
}

MemSeries* Head::GetOrCreateWithId(SeriesId id, const Labels& labels,
                                   bool* created) {
  return Create(id, labels, created);
}

MemSeries* Head::Create(SeriesId wanted_id, const Labels& labels,
                        bool* created) {
  const uint64_t hash = labels.Hash();
  std::vector<MemPostings::Pair> pairs;
  // Runs only for a new series, under its stripe lock: the lookup and the
  // creation are one step.
  auto make = [&]() {
    SeriesId id = wanted_id;
    if (id == 0 || series_.GetById(id) != nullptr) {
      id = next_id_.fetch_add(1);
    } else {
      // Keep later ids above replayed ones.
      SeriesId next = next_id_.load();
      while (next <= id && !next_id_.compare_exchange_weak(next, id + 1)) {
      }
    }
    pairs.reserve(labels.size());
    for (const Label& l : labels) {
      pairs.push_back({symbols_.Intern(l.name), symbols_.Intern(l.value)});
    }
    return std::make_unique<MemSeries>(id, hash, pairs);
  };
  MemSeries* s = series_.GetOrCreate(hash, labels, make, created);
  if (*created) {
    postings_.Add(s->id(), pairs);
    counters_.series_created.fetch_add(1, std::memory_order_relaxed);
  }
  return s;
}

StatusOr<MemSeries*> Head::RestoreSeries(SeriesId id, const Labels& labels,
                                         const SeriesStateView& state) {
  if (id == 0 || series_.GetById(id) != nullptr) {
    return Status::Corruption(
        absl::StrCat("snapshot series id ", id, " is zero or taken"));
  }
  bool created = false;
  MemSeries* s = Create(id, labels, &created);
  if (!created || s->id() != id) {
    return Status::Corruption(
        absl::StrCat("snapshot series ", labels.ToString(), " appears twice"));
  }
  s->set_wal_logged();
  if (!s->RestoreState(state)) {
    return Status::Corruption(
        absl::StrCat("snapshot series ", labels.ToString(),
                     ": open chunk state does not fit its bytes or its "
                     "newest sample"));
  }
  const int64_t chunks =
      static_cast<int64_t>(state.closed.size()) + (state.has_open ? 1 : 0);
  if (chunks > 0) {
    counters_.chunks_created.fetch_add(chunks, std::memory_order_relaxed);
    const int64_t mint =
        state.closed.empty() ? state.open.mint : state.closed.front().mint;
    const int64_t maxt =
        state.has_open ? state.open.maxt : state.closed.back().maxt;
    UpdateTimeRange(mint, maxt);
  }
  return s;
}

void Head::BatchTally::Count(AppendOutcome outcome, int64_t t, bool new_chunk) {
  switch (outcome) {
    case AppendOutcome::kAppended:
      ++result.appended;
      min_t = std::min(min_t, t);
      max_t = std::max(max_t, t);
      break;
    case AppendOutcome::kDuplicate:
      ++result.duplicates;
      break;
    case AppendOutcome::kOutOfOrder:
      ++result.out_of_order;
      break;
    case AppendOutcome::kConflict:
      ++result.conflicts;
      break;
    case AppendOutcome::kRemoved:
      break;  // The caller moves the sample to a live series.
  }
  chunks_created += new_chunk ? 1 : 0;
}

AppendBatchResult Head::FinishBatch(const BatchTally& tally) {
  if (tally.result.appended > 0) {
    UpdateTimeRange(tally.min_t, tally.max_t);
    counters_.samples_appended.fetch_add(tally.result.appended,
                                         std::memory_order_relaxed);
  }
  if (tally.chunks_created > 0) {
    counters_.chunks_created.fetch_add(tally.chunks_created,
                                       std::memory_order_relaxed);
    // The chunks this batch cut reach the file outside any series lock.
    // A failure is logged and keeps later chunks in memory.
    if (chunk_files_ != nullptr) (void)chunk_files_->Flush();
  }
  return tally.result;
}

AppendBatchResult Head::AppendBatch(std::span<const HeadSample> samples,
                                    std::vector<uint32_t>* out_of_order,
                                    std::vector<uint32_t>* removed) {
  // Prefetch distance, in samples, per stage: the series' hot lines first,
  // then the end of its open chunk's bytes (whose address is in them).
  constexpr size_t kAhead = 8;
  BatchTally tally;
  const size_t n = samples.size();
  for (size_t i = 0; i < n; ++i) {
    if (i + 2 * kAhead < n) samples[i + 2 * kAhead].series->PrefetchSelf();
    if (i + kAhead < n) samples[i + kAhead].series->PrefetchOpenChunkTail();
    const HeadSample& s = samples[i];
    bool new_chunk = false;
    const AppendOutcome outcome = s.series->Append(
        s.t, s.v, options_.chunk_range_ms, chunk_files_.get(), &new_chunk);
    tally.Count(outcome, s.t, new_chunk);
    if (out_of_order != nullptr && outcome == AppendOutcome::kOutOfOrder) {
      out_of_order->push_back(static_cast<uint32_t>(i));
    }
    if (removed != nullptr && outcome == AppendOutcome::kRemoved) {
      removed->push_back(static_cast<uint32_t>(i));
    }
  }
  return FinishBatch(tally);
}

int64_t Head::AttachMappedChunks(MemSeries* s,
                                 std::span<const MappedChunk> chunks) {
  if (!s->AttachMappedChunks(chunks)) return kMinTime;
  counters_.chunks_created.fetch_add(static_cast<int64_t>(chunks.size()),
                                     std::memory_order_relaxed);
  UpdateTimeRange(chunks.front().mint, chunks.back().maxt);
  return chunks.back().maxt;
}

void Head::FinishMappedLoad() {
  if (chunk_files_ == nullptr) return;
  series_.ForEach([&](MemSeries* s) {
    Status st = s->FinishMappedLoad(*chunk_files_);
    if (!st.ok()) {
      STRATA_LOG(kWarn, "reading a series' last head chunk",
                 {{"series", s->labels().ToString()}, {"err", st.ToString()}});
    }
  });
}

AppendOutcome Head::AppendSample(MemSeries* s, int64_t t, double v) {
  const HeadSample one{s, t, v};
  const AppendBatchResult r = AppendBatch({&one, 1});
  if (r.appended > 0) return AppendOutcome::kAppended;
  if (r.duplicates > 0) return AppendOutcome::kDuplicate;
  if (r.out_of_order > 0) return AppendOutcome::kOutOfOrder;
  return AppendOutcome::kConflict;
}

void Head::UpdateTimeRange(int64_t min_t, int64_t max_t) {
  int64_t cur = min_time_.load(std::memory_order_relaxed);
  while (min_t < cur && !min_time_.compare_exchange_weak(cur, min_t)) {
  }
  cur = max_time_.load(std::memory_order_relaxed);
  while (max_t > cur && !max_time_.compare_exchange_weak(cur, max_t)) {
  }
}

Head::TruncateStats Head::Truncate(int64_t mint) {
  MutexLock lock(&truncate_mu_);
  FreeRemovedSeries();
  int64_t bound = min_valid_time_.load();
  while (bound < mint && !min_valid_time_.compare_exchange_weak(bound, mint)) {
  }
  TruncateStats stats;
  std::vector<MemSeries*> empty;
  int64_t new_min = kMaxTime;
  series_.ForEach([&](MemSeries* s) {
    const size_t before = s->NumChunks();
    const size_t left = s->TruncateChunksBefore(mint);
    stats.chunks_removed += static_cast<int64_t>(before - left);
    // A series with out-of-order samples stays until they are compacted.
    if (left == 0 && !ooo_->Has(s->id())) {
      empty.push_back(s);
    } else {
      new_min = std::min(new_min, s->MinTime());
    }
  });
  std::vector<std::unique_ptr<MemSeries>> removed;
  if (!empty.empty()) removal_rounds_.fetch_add(1, std::memory_order_acq_rel);
  for (MemSeries* s : empty) {
    // Re-checked under the series lock: an appender may have committed to
    // it since the scan, or may hold a pin.
    if (!s->MarkDeadIfEmpty()) continue;
    postings_.Delete(s->id(), s->label_pairs());
    if (auto owned = series_.Remove(s)) {
      removed.push_back(std::move(owned));
      ++stats.series_removed;
    }
  }
  if (!removed.empty()) {
    // After the removals: batches that start from here on cannot find them.
    const uint64_t generation = open_batches_.Advance();
    for (auto& owned : removed) {
      graveyard_.push_back({generation, std::move(owned)});
    }
  }
  tombstones_->Truncate(mint, series_);
  if (chunk_files_ != nullptr) chunk_files_->Truncate(mint);
  counters_.chunks_removed.fetch_add(stats.chunks_removed,
                                     std::memory_order_relaxed);
  counters_.series_removed.fetch_add(stats.series_removed,
                                     std::memory_order_relaxed);
  min_time_.store(new_min);
  if (new_min == kMaxTime) max_time_.store(kMinTime);
  return stats;
}

void Head::FreeRemovedSeries() {
  const uint64_t oldest_open = open_batches_.OldestOpen();
  std::erase_if(graveyard_, [&](const RemovedSeries& r) {
    return r.generation < oldest_open;
  });
}

int64_t Head::AppendableMinValidTime() const {
  const int64_t max_t = max_time_.load();
  int64_t bound = min_valid_time_.load();
  if (max_t != kMinTime)
    bound = std::max(bound, max_t - options_.chunk_range_ms / 2);
  return bound;
}

size_t Head::NumChunks() const {
  // Removed first: a chunk is counted created before it can be removed,
  // so the difference never goes negative.
  const int64_t removed = counters_.chunks_removed.load();
  return static_cast<size_t>(counters_.chunks_created.load() - removed);
}

}  // namespace strata
