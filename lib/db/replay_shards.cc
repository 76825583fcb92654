#include "db/replay_shards.h"

#include <algorithm>
#include <cstdlib>
#include <span>
#include <utility>

#include "util/usable_cores.h"

namespace strata {

int ReplayShards::DefaultWorkers() {
  if (const char* env = std::getenv("STRATA_REPLAY_WORKERS")) {
    return std::max(0, std::atoi(env));
  }
  // On a single usable core, threads only add hand-overs: replay inline.
  const int cores = UsableCores();
  return cores > 1 ? cores : 0;
}

ReplayShards::ReplayShards(Head* head, int workers) : head_(head) {
  for (int i = 0; i < workers; ++i) {
    auto shard = std::make_unique<Shard>();
    Shard* raw = shard.get();
    shard->thread = std::thread([this, raw] { Work(raw); });
    shards_.push_back(std::move(shard));
  }
  // A power-of-two count (the usual core count) routes with a mask; a
  // division per sample shows in the reading thread's profile.
  if (workers > 0 && (workers & (workers - 1)) == 0) {
    shard_mask_ = static_cast<uint32_t>(workers - 1);
  }
}

ReplayShards::~ReplayShards() { Finish(); }

void ReplayShards::AddHistogram(MemSeries* series, SeriesId id, int64_t t,
                                Histogram h) {
  AddHistogramValue(series, id, t, std::move(h));
}

void ReplayShards::AddHistogram(MemSeries* series, SeriesId id, int64_t t,
                                FloatHistogram fh) {
  AddHistogramValue(series, id, t, std::move(fh));
}

void ReplayShards::AddHistogramValue(
    MemSeries* series, SeriesId id, int64_t t,
    std::variant<Histogram, FloatHistogram> value) {
  Batch* batch = Filling(id);
  batch->histograms.push_back(
      {batch->floats.size(), series, t, std::move(value)});
  if (batch->histograms.size() >= kBatchHistograms) Hand(id);
}

void ReplayShards::Hand(SeriesId id) {
  if (!shards_.empty()) return Push(ShardOf(id));
  PrepareHandOver(&inline_batch_);
  AppendBatch(inline_batch_, &appended_, &rejected_);
  inline_batch_.floats.clear();
  inline_batch_.histograms.clear();
}

void ReplayShards::PrepareHandOver(Batch* batch) {
  // Histograms are slotted in by position among the floats, which a
  // reordering would break; such a batch goes as it came.
  if (batch->histograms.empty()) grouper_.Group(&batch->floats, batch->ids);
  batch->ids.clear();
  const size_t workers = std::max<size_t>(1, shards_.size());
  window_samples_ = std::clamp(
      kWindowSamplesPerSeries * head_->NumSeries() / workers, kBatchSamples,
      std::max(kBatchSamples, kMaxWindowSamples / workers));
}

void ReplayShards::Push(Shard* shard) {
  Batch batch;
  std::swap(batch, shard->filling);
  PrepareHandOver(&batch);
  const size_t samples = batch.floats.size();
  MutexLock lock(&shard->mu);
  auto has_room = [shard, samples]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu) {
    return shard->batches.empty() ||
           shard->queued_samples + samples <= kMaxQueuedSamples;
  };
  shard->mu.Await(absl::Condition(&has_room));
  shard->queued_samples += samples;
  shard->batches.push_back(std::move(batch));
  // A batch a worker is done with keeps its capacity: filling it again
  // takes no page faults and no regrowth.
  if (!shard->spare.empty()) {
    shard->filling = std::move(shard->spare.back());
    shard->spare.pop_back();
  }
}

void ReplayShards::Work(Shard* shard) {
  for (;;) {
    Batch batch;
    {
      MutexLock lock(&shard->mu);
      auto ready = [shard]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu) {
        return !shard->batches.empty() || shard->closed;
      };
      shard->mu.Await(absl::Condition(&ready));
      if (shard->batches.empty()) return;  // Closed and drained.
      batch = std::move(shard->batches.front());
      shard->batches.pop_front();
      shard->queued_samples -= batch.floats.size();
    }
    AppendBatch(batch, &shard->appended, &shard->rejected);
    batch.floats.clear();
    batch.ids.clear();
    batch.histograms.clear();
    MutexLock lock(&shard->mu);
    if (shard->spare.size() < kMaxSpareBatches) {
      shard->spare.push_back(std::move(batch));
    }
  }
}

void ReplayShards::AppendBatch(const Batch& batch, int64_t* appended,
                               int64_t* rejected) {
  AppendBatchResult total;
  const auto add = [&](const AppendBatchResult& r) {
    total.appended += r.appended;
    total.duplicates += r.duplicates;
    total.out_of_order += r.out_of_order;
    total.conflicts += r.conflicts;
  };
  const std::span<const HeadSample> floats(batch.floats);
  std::vector<HeadHistogramSample> run;
  size_t done = 0;  // Floats appended.
  for (size_t i = 0; i < batch.histograms.size();) {
    const size_t before = batch.histograms[i].floats_before;
    if (before > done)
      add(head_->AppendBatch(floats.subspan(done, before - done)));
    done = before;
    // The histograms with no float between them, as one batch.
    run.clear();
    for (; i < batch.histograms.size() &&
           batch.histograms[i].floats_before == before;
         ++i) {
      const PendingHistogram& p = batch.histograms[i];
      run.push_back({p.series, p.t, std::get_if<Histogram>(&p.value),
                     std::get_if<FloatHistogram>(&p.value)});
    }
    add(head_->AppendHistogramBatch(run));
  }
  if (done < floats.size()) add(head_->AppendBatch(floats.subspan(done)));
  // Replay counts a duplicate as appended: it was acknowledged once.
  *appended += total.appended + total.duplicates;
  *rejected += total.out_of_order + total.conflicts;
}

void ReplayShards::Finish() {
  if (finished_) return;
  finished_ = true;
  if (shards_.empty()) {
    Hand(0);
    return;
  }
  for (auto& shard : shards_) {
    if (!shard->filling.empty()) Push(shard.get());
    MutexLock lock(&shard->mu);
    shard->closed = true;
  }
  for (auto& shard : shards_) {
    shard->thread.join();
    appended_ += shard->appended;
    rejected_ += shard->rejected;
  }
}

}  // namespace strata
