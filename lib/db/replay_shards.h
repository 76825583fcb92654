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
  void Add(MemSeries* series, SeriesId id, int64_t t, double v);
  // Hands over what is buffered and waits until every sample is appended.
  void Finish();

  // Valid after Finish: samples appended (duplicates included, as replay
  // counts them) and rejected.
  int64_t appended() const { return appended_; }
  int64_t rejected() const { return rejected_; }

  // The worker count for this machine: one per core, or
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

  void Push(Shard* shard);
  void Work(Shard* shard);
  // Appends `batch`; adds to the counters.
  void AppendBatch(const std::vector<HeadSample>& batch, int64_t* appended,
                   int64_t* rejected);

  Head* const head_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<HeadSample> inline_batch_;
  bool finished_ = false;
  int64_t appended_ = 0;
  int64_t rejected_ = 0;
};

}  // namespace strata

#endif  // STRATA_DB_REPLAY_SHARDS_H_
