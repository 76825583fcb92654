// ReplayShards: appends replayed WAL samples to the head on several
// threads. Samples are routed by series id, so each series is appended by
// exactly one worker and in WAL order, which is all the head needs; the
// caller (the single thread reading the WAL) resolves series and hands
// samples over in batches. Native histogram samples travel in the same
// batches, in order with the float samples (as Prometheus's replay sends
// both down one channel per shard), so a series switching between floats
// and histograms is appended in WAL order and nothing waits for the end
// of the replay: memory stays bounded by the queued batches.
//
// Float samples are handed over in windows sized to the head (a few
// samples per series), each grouped by series (series_grouping.h) so that
// a worker appends a series' samples of the window one after another
// rather than missing the cache on every sample; a window holding
// histograms keeps its order. Workers append with Head::AppendBatch, which
// prefetches a few samples ahead.
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
#include <variant>
#include <vector>

#include "db/series_grouping.h"
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
    Batch* batch = Filling(id);
    batch->floats.push_back({series, t, v});
    batch->ids.push_back(id);
    if (batch->floats.size() >= window_samples_) Hand(id);
  }
  // A native histogram sample (integer or float), appended after every
  // sample Add or AddHistogram gave before it for the same series.
  void AddHistogram(MemSeries* series, SeriesId id, int64_t t, Histogram h);
  void AddHistogram(MemSeries* series, SeriesId id, int64_t t,
                    FloatHistogram fh);
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
  // A histogram sample of a batch, with its place among the float ones.
  struct PendingHistogram {
    size_t floats_before;  // Batch::floats appended before it.
    MemSeries* series;
    int64_t t;
    std::variant<Histogram, FloatHistogram> value;
  };
  // Samples in the order given: floats, with histograms slotted in.
  struct Batch {
    std::vector<HeadSample> floats;
    std::vector<uint32_t> ids;  // Of floats[i]'s series.
    std::vector<PendingHistogram> histograms;
    bool empty() const { return floats.empty() && histograms.empty(); }
  };
  // One worker's inbox.
  struct Shard {
    Mutex mu;
    std::deque<Batch> batches ABSL_GUARDED_BY(mu);
    size_t queued_samples ABSL_GUARDED_BY(mu) = 0;
    // Appended batches, emptied, for the producer to fill again.
    std::vector<Batch> spare ABSL_GUARDED_BY(mu);
    bool closed ABSL_GUARDED_BY(mu) = false;
    Batch filling;         // Producer only.
    int64_t appended = 0;  // Worker only until joined.
    int64_t rejected = 0;
    std::thread thread;
  };

  // Float samples handed to a worker at once: at least kBatchSamples, else
  // kWindowSamplesPerSeries per series of the head, at most
  // kMaxWindowSamples across all workers. A sample takes 28 bytes in a
  // batch; per worker at most five batches live (filling, queued,
  // appending, two spare) plus the grouper's 24-byte scratch: about 330 MB
  // at the 2M cap (measured: 250 MB more peak RSS for a 1M-series replay).
  // A batch goes earlier when it holds kBatchHistograms histograms (each
  // some hundred bytes).
  static constexpr size_t kBatchSamples = 8192;
  static constexpr size_t kWindowSamplesPerSeries = 4;
  static constexpr size_t kMaxWindowSamples = size_t{2} << 20;
  static constexpr size_t kBatchHistograms = 1024;
  // Float samples queued per worker before the producer waits (one batch
  // at least), bounding the memory a fast reader can pile up.
  static constexpr size_t kMaxQueuedSamples = 16 * kBatchSamples;
  // Emptied batches kept per worker for reuse.
  static constexpr size_t kMaxSpareBatches = 2;
  static constexpr uint32_t kNoMask = ~uint32_t{0};

  Shard* ShardOf(SeriesId id) const {
    return shards_[shard_mask_ != kNoMask ? id & shard_mask_
                                          : id % shards_.size()]
        .get();
  }
  // The batch being filled for series `id`.
  Batch* Filling(SeriesId id) {
    return shards_.empty() ? &inline_batch_ : &ShardOf(id)->filling;
  }
  // Hands the batch of series `id` over (without workers: appends it),
  // grouped by series unless it holds histograms.
  void Hand(SeriesId id);
  // Groups `batch` and sizes the next windows to the head.
  void PrepareHandOver(Batch* batch);
  void AddHistogramValue(MemSeries* series, SeriesId id, int64_t t,
                         std::variant<Histogram, FloatHistogram> value);
  void Push(Shard* shard);
  void Work(Shard* shard);
  // Appends `batch` in order; adds to the counters.
  void AppendBatch(const Batch& batch, int64_t* appended, int64_t* rejected);

  Head* const head_;
  std::vector<std::unique_ptr<Shard>> shards_;
  Batch inline_batch_;
  // Producer only.
  SeriesGrouper grouper_;
  size_t window_samples_ = kBatchSamples;
  // workers - 1 when the worker count is a power of two, else kNoMask.
  uint32_t shard_mask_ = kNoMask;
  bool finished_ = false;
  int64_t appended_ = 0;
  int64_t rejected_ = 0;
};

}  // namespace strata

#endif  // STRATA_DB_REPLAY_SHARDS_H_
