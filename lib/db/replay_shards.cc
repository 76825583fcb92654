#include "db/replay_shards.h"

#include <algorithm>
#include <cstdlib>

#include "util/usable_cores.h"

namespace strata {
namespace {

// Most batches queued per worker before the producer waits, bounding the
// memory a fast reader can pile up.
constexpr size_t kMaxQueuedBatches = 16;

}  // namespace

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
    shard->filling.reserve(kBatchSamples);
    Shard* raw = shard.get();
    shard->thread = std::thread([this, raw] { Work(raw); });
    shards_.push_back(std::move(shard));
  }
  // A power-of-two count (the usual core count) routes with a mask; a
  // division per sample shows in the reading thread's profile.
  if (workers > 0 && (workers & (workers - 1)) == 0) {
    shard_mask_ = static_cast<uint32_t>(workers - 1);
  }
  if (workers == 0) inline_batch_.reserve(kBatchSamples);
}

ReplayShards::~ReplayShards() { Finish(); }

void ReplayShards::AddInline(MemSeries* series, int64_t t, double v) {
  inline_batch_.push_back({series, t, v});
  if (inline_batch_.size() >= kBatchSamples) {
    AppendBatch(inline_batch_, &appended_, &rejected_);
    inline_batch_.clear();
  }
}

void ReplayShards::Push(Shard* shard) {
  std::vector<HeadSample> batch;
  batch.reserve(kBatchSamples);
  batch.swap(shard->filling);
  MutexLock lock(&shard->mu);
  auto has_room = [shard]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu) {
    return shard->batches.size() < kMaxQueuedBatches;
  };
  shard->mu.Await(absl::Condition(&has_room));
  shard->batches.push_back(std::move(batch));
}

void ReplayShards::Work(Shard* shard) {
  for (;;) {
    std::vector<HeadSample> batch;
    {
      MutexLock lock(&shard->mu);
      auto ready = [shard]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu) {
        return !shard->batches.empty() || shard->closed;
      };
      shard->mu.Await(absl::Condition(&ready));
      if (shard->batches.empty()) return;  // Closed and drained.
      batch = std::move(shard->batches.front());
      shard->batches.pop_front();
    }
    AppendBatch(batch, &shard->appended, &shard->rejected);
  }
}

void ReplayShards::AppendBatch(const std::vector<HeadSample>& batch,
                               int64_t* appended, int64_t* rejected) {
  const AppendBatchResult result = head_->AppendBatch(batch);
  // Replay counts a duplicate as appended: it was acknowledged once.
  *appended += result.appended + result.duplicates;
  *rejected += result.out_of_order + result.conflicts;
}

void ReplayShards::Finish() {
  if (finished_) return;
  finished_ = true;
  if (shards_.empty()) {
    AppendBatch(inline_batch_, &appended_, &rejected_);
    inline_batch_.clear();
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
