// The head: the in-memory, appendable block holding the newest samples.
// It implements BlockReader so queries and compaction read it like any
// persisted block. Appends come through HeadAppender (head_appender.h),
// which writes the WAL first.
//
// Thread-safety: safe for concurrent appenders and readers.
#ifndef STRATA_HEAD_HEAD_H_
#define STRATA_HEAD_HEAD_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "head/exemplar_storage.h"
#include "head/head_chunk_files.h"
#include "head/mem_postings.h"
#include "head/ooo_head.h"
#include "head/open_batches.h"
#include "head/series_map.h"
#include "head/symbol_table.h"
#include "index/reader.h"

namespace strata {

struct HeadOptions {
  // Chunk range: Prometheus cuts head chunks at multiples of this (the
  // block duration).
  int64_t chunk_range_ms = 2 * 3600 * 1000;
  // Size of the exemplar ring; 0: no exemplars.
  int64_t max_exemplars = 0;
  // Out-of-order time window (Head::SetOutOfOrderTimeWindow); 0: off.
  int64_t out_of_order_time_window_ms = 0;
  // Samples per open out-of-order chunk before it is cut (Prometheus's
  // out_of_order_cap_max).
  int out_of_order_cap_max = 32;
  // Accept native histogram samples (HeadAppender::AppendHistogram);
  // Head::SetNativeHistogramsEnabled changes it while open.
  bool enable_native_histograms = false;
};

// Counters for monitoring; monotonic.
struct HeadCounters {
  std::atomic<int64_t> samples_appended{0};
  std::atomic<int64_t> series_created{0};
  std::atomic<int64_t> chunks_created{0};
  // By Truncate.
  std::atomic<int64_t> chunks_removed{0};
  std::atomic<int64_t> series_removed{0};
  std::atomic<int64_t> out_of_order{0};
  std::atomic<int64_t> out_of_bounds{0};
  std::atomic<int64_t> duplicates{0};
  // Out-of-order samples committed to the OooHead, and those refused for
  // being older than the out-of-order window.
  std::atomic<int64_t> ooo_appended{0};
  std::atomic<int64_t> too_old{0};
  std::atomic<int64_t> ooo_chunks_created{0};
};

// One committed sample for Head::AppendBatch.
struct HeadSample {
  MemSeries* series;
  int64_t t;
  double v;
};

// One committed native histogram sample for Head::AppendHistogramBatch:
// exactly one of h and fh non-null (not owned).
struct HeadHistogramSample {
  MemSeries* series;
  int64_t t;
  const Histogram* h;
  const FloatHistogram* fh;
};

// What Head::AppendBatch did with each sample of a batch.
struct AppendBatchResult {
  int64_t appended = 0;
  int64_t duplicates = 0;    // Same timestamp and value: no-ops.
  int64_t out_of_order = 0;  // Older than the series' newest sample.
  int64_t conflicts = 0;     // Same timestamp, another value.
};

class Head : public BlockReader {
 public:
  // With `chunk_files`, completed chunks are written there and dropped
  // from memory (see head_chunk_files.h); the head shares their ownership
  // with readers that outlive the DB.
  explicit Head(const HeadOptions& options,
                std::shared_ptr<HeadChunkFiles> chunk_files = nullptr);
  ~Head() override;

  // Finds or creates the series for `labels` (already validated). A new
  // series gets the next free id. `created` tells which happened.
  MemSeries* GetOrCreate(const Labels& labels, bool* created);
  // For WAL replay: the series keeps `id` if it is new.
  MemSeries* GetOrCreateWithId(SeriesId id, const Labels& labels,
                               bool* created);
  MemSeries* GetById(SeriesId id) const { return series_.GetById(id); }
  // Every series so far has an id below this one.
  SeriesId NextSeriesId() const { return next_id_.load(); }
  // The live series with `labels`, nullptr if none (never creates one).
  MemSeries* Get(const Labels& labels) const {
    return series_.Get(labels.Hash(), labels);
  }
  // A cache-prefetch hint for a later GetById(id); any id is safe.
  void PrefetchId(SeriesId id) const { series_.PrefetchId(id); }

  // For loading a shutdown snapshot: creates series `id` with its saved
  // chunks and append state, marked WAL-logged, and counts its chunks and
  // time range. Corruption, creating nothing or leaving the series
  // chunkless, if the labels or the id are taken or the state does not
  // fit its bytes.
  StatusOr<MemSeries*> RestoreSeries(SeriesId id, const Labels& labels,
                                     const SeriesStateView& state);

  // For DB open, before the WAL replays samples into `s`: installs the
  // chunks the head-chunk files hold for it (see
  // MemSeries::AttachMappedChunks) and counts them. Returns the newest
  // chunk end attached, kMinTime if none (then nothing changed).
  int64_t AttachMappedChunks(MemSeries* s, std::span<const MappedChunk> chunks);
  // After the WAL replay: MemSeries::FinishMappedLoad for every series.
  void FinishMappedLoad();
  // nullptr when chunks stay in memory.
  HeadChunkFiles* chunk_files() const { return chunk_files_.get(); }

  // Appends committed samples in order, as AppendSample would one by one,
  // and updates the head's time range and counters once for the batch.
  // Consecutive samples usually belong to different series, so it loads
  // the series a few samples ahead (see MemSeries::Prefetch*).
  // Concurrent batches may share series (MemSeries locks; the prefetch
  // reads are hints only). With `out_of_order`, the indices of the samples
  // refused as out of order (another batch appended a newer sample since
  // they were checked) are appended to it; with `removed`, those of the
  // samples whose series head truncation removed (appended nowhere, not
  // counted). A caller without `removed` must keep its series from
  // removal (pins, or no concurrent Truncate).
  AppendBatchResult AppendBatch(std::span<const HeadSample> samples,
                                std::vector<uint32_t>* out_of_order = nullptr,
                                std::vector<uint32_t>* removed = nullptr);
  // One sample: AppendBatch of one, for callers without batches (tools).
  AppendOutcome AppendSample(MemSeries* s, int64_t t, double v);
  // AppendBatch for native histograms (head_histogram.cc): each sample as
  // MemSeries::AppendHistogram, counted in the same counters.
  AppendBatchResult AppendHistogramBatch(
      std::span<const HeadHistogramSample> samples);
  bool NativeHistogramsEnabled() const {
    return native_histograms_.load(std::memory_order_relaxed);
  }
  void SetNativeHistogramsEnabled(bool on) {
    native_histograms_.store(on, std::memory_order_relaxed);
  }

  // Samples older than this are out of bounds for new appenders:
  // max(persisted-block boundary, newest sample - chunk_range/2).
  int64_t AppendableMinValidTime() const;
  void SetMinValidTime(int64_t t) { min_valid_time_.store(t); }
  // The persisted-block boundary alone.
  int64_t MinValidTime() const { return min_valid_time_.load(); }

  struct TruncateStats {
    int64_t chunks_removed = 0;
    int64_t series_removed = 0;
  };
  // Drops chunks that end before `mint` and then series left without
  // chunks and without pinned commits; raises the append bound to mint.
  // Removed series are freed at a later Truncate, once every appender
  // batch open at their removal has ended (open_batches.h), so a reader
  // or appender that looked one up before never touches freed memory.
  TruncateStats Truncate(int64_t mint) ABSL_LOCKS_EXCLUDED(truncate_mu_);

  // Marks [iv.mint, iv.maxt] of series `id` deleted (after the caller has
  // logged it to the WAL). Queries stop returning those samples at once.
  void AddTombstone(SeriesId id, Interval iv);
  // Calls fn for every series with deleted intervals (unordered), holding
  // the tombstones' lock: fn must not add tombstones.
  void ForEachTombstone(
      const std::function<void(SeriesId, const Intervals&)>& fn) const;

  size_t NumSeries() const { return series_.size(); }
  // Chunks held: started minus removed by Truncate.
  size_t NumChunks() const;
  // The exemplars of the head's series (and of series it dropped since:
  // they leave only by eviction).
  CircularExemplarStorage& exemplars() { return exemplars_; }
  const CircularExemplarStorage& exemplars() const { return exemplars_; }
  HeadCounters& counters() { return counters_; }
  const HeadCounters& counters() const { return counters_; }
  const HeadOptions& options() const { return options_; }
  // The out-of-order samples (see ooo_head.h); lives as long as the head.
  OooHead& ooo() { return *ooo_; }
  const OooHead& ooo() const { return *ooo_; }
  // Out-of-order samples within this many ms of the head's newest sample
  // are accepted (Prometheus's out_of_order_time_window); 0 refuses them.
  // New appenders see a change.
  int64_t OutOfOrderTimeWindow() const { return ooo_window_ms_.load(); }
  void SetOutOfOrderTimeWindow(int64_t ms) {
    ooo_window_ms_.store(std::max<int64_t>(ms, 0));
  }
  const SymbolTable& symbols() const { return symbols_; }
  // Appender batches register here (see open_batches.h).
  OpenBatches& open_batches() { return open_batches_; }
  // How many truncations have started removing series. Raised before the
  // first series of a round is marked dead, so a thread that saw a series
  // dead sees the count raised. (OpenBatches' generation cannot serve: it
  // advances only once the round's series are out of the series map, as
  // freeing them needs.)
  uint64_t RemovalRounds() const {
    return removal_rounds_.load(std::memory_order_acquire);
  }
  // Calls fn for every series (unordered).
  void ForEachSeries(const std::function<void(MemSeries*)>& fn) const {
    series_.ForEach(fn);
  }

  // BlockReader.
  int64_t MinTime() const override { return min_time_.load(); }
  int64_t MaxTime() const override { return max_time_.load(); }
  const IndexReader& Index() const override;
  const ChunkReader& Chunks() const override;
  const TombstoneReader& Tombstones() const override;
  std::string Name() const override { return "head"; }

 private:
  class HeadIndexReader;
  class HeadChunkReader;
  class HeadTombstones;

  MemSeries* Create(SeriesId id, const Labels& labels, bool* created);
  // One append batch's outcomes, applied to the head by FinishBatch.
  struct BatchTally {
    AppendBatchResult result;
    int64_t chunks_created = 0;
    int64_t min_t = kMaxTime;
    int64_t max_t = kMinTime;
    void Count(AppendOutcome outcome, int64_t t, bool new_chunk);
  };
  // Updates the time range and counters, flushes cut chunks to disk.
  AppendBatchResult FinishBatch(const BatchTally& tally);
  // Frees the removed series no open appender batch can hold (Truncate;
  // the series of the latest removals wait at least until the next one).
  void FreeRemovedSeries() ABSL_EXCLUSIVE_LOCKS_REQUIRED(truncate_mu_);
  // Widens the head's time range to include [min_t, max_t].
  void UpdateTimeRange(int64_t min_t, int64_t max_t);

  const HeadOptions options_;
  const std::shared_ptr<HeadChunkFiles> chunk_files_;
  SymbolTable symbols_;
  MemPostings postings_;
  SeriesMap series_;
  HeadCounters counters_;
  CircularExemplarStorage exemplars_;
  std::atomic<SeriesId> next_id_{1};
  // kMaxTime / kMinTime while empty.
  std::atomic<int64_t> min_time_{kMaxTime};
  std::atomic<int64_t> max_time_{kMinTime};
  std::atomic<int64_t> min_valid_time_{kMinTime};
  std::atomic<int64_t> ooo_window_ms_;
  std::atomic<bool> native_histograms_;
  // After series_: reads labels from it.
  std::unique_ptr<OooHead> ooo_;
  Mutex truncate_mu_;
  OpenBatches open_batches_;
  std::atomic<uint64_t> removal_rounds_{0};
  // Removed series and the truncation generation that removed them.
  struct RemovedSeries {
    uint64_t generation;
    std::unique_ptr<MemSeries> series;
  };
  std::vector<RemovedSeries> graveyard_ ABSL_GUARDED_BY(truncate_mu_);
  std::unique_ptr<HeadIndexReader> index_;
  std::unique_ptr<HeadChunkReader> chunks_;
  std::unique_ptr<HeadTombstones> tombstones_;
};

}  // namespace strata

#endif  // STRATA_HEAD_HEAD_H_
