// ReplayShards: appends replayed WAL samples to the head on several
// threads. Samples are routed by series id, so each series is appended by
// exactly one worker and in WAL order, which is all the head needs; the
// caller (the single thread reading the WAL) resolves series and hands
// samples over in batches.
//
// Workers append with Head::AppendBatch, which prefetches a few samples
// ahead: consecutive samples of a WAL record belong to different series.
//
// Thread-safety: Add and Finish are called by one producer thread.
// Workers touch only their own queue and the head (whose series have their
// own locks).
#ifndef STRATA_DB_REPLAY_SHARDS_H_
#define STRATA_DB_REPLAY_SHARDS_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "head/head.h"
#include "head/mem_series.h"
#include "util/mutex.h"

namespace strata {

class ReplayShards {
 public:
  // `workers` threads; 0 appends on the calling thread in Add.
  ReplayShards(Head* head, int workers);
  // Finishes if the owner did not.
  ~ReplayShards();
  ReplayShards(const ReplayShards&) = delete;
  ReplayShards& operator=(const ReplayShards&) = delete;

  // `id` is the series' head id (series->id()), passed so that routing
  // needs no load of the series.
  void Add(MemSeries* series, SeriesId id, int64_t t, double v) {
    if (shards_.empty()) return AddInline(series, t, v);
    Shard* shard =
        shards_[shard_mask_ != kNoMask ? id & shard_mask_ : id % shards_.size()]
            .get();
    shard->filling.push_back({series, t, v});
    if (shard->filling.size() >= kBatchSamples) Push(shard);
  }
  // Hands over what is buffered and waits until every sample is appended.
  void Finish();

  // Valid after Finish: samples appended (duplicates included, as replay
  // counts them) and rejected.
  int64_t appended() const { return appended_; }
  int64_t rejected() const { return rejected_; }

  // The worker count for this process: one per core it may run on (its
  // affinity), none with a single core (the reading thread appends), or
  // $STRATA_REPLAY_WORKERS (0: replay on the reading thread) for
  // measurements.
  static int DefaultWorkers();

 private:
  // One worker's inbox.
  struct Shard {
    Mutex mu;
    std::deque<std::vector<HeadSample>> batches ABSL_GUARDED_BY(mu);
    bool closed ABSL_GUARDED_BY(mu) = false;
    std::vector<HeadSample> filling;  // Producer only.
    int64_t appended = 0;             // Worker only until joined.
    int64_t rejected = 0;
    std::thread thread;
  };

  // Samples handed to a worker at once.
  static constexpr size_t kBatchSamples = 8192;
  static constexpr uint32_t kNoMask = ~uint32_t{0};

  void AddInline(MemSeries* series, int64_t t, double v);
  void Push(Shard* shard);
  void Work(Shard* shard);
  // Appends `batch`; adds to the counters.
  void AppendBatch(const std::vector<HeadSample>& batch, int64_t* appended,
                   int64_t* rejected);

  Head* const head_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<HeadSample> inline_batch_;
  // workers - 1 when the worker count is a power of two, else kNoMask.
  uint32_t shard_mask_ = kNoMask;
  bool finished_ = false;
  int64_t appended_ = 0;
  int64_t rejected_ = 0;
};

}  // namespace strata

#endif  // STRATA_DB_REPLAY_SHARDS_H_
