// One series in the head: its interned labels, its completed chunks and the
// open chunk samples are appended to.
//
// Thread-safety: labels, id and hash are constant after construction. Chunk
// state is guarded by mu_. max_time_hint() may be read without the lock; it
// is only a hint for early rejection, the check that counts happens under
// mu_.
//
// Layout: appends are bound by memory latency (a batch touches a different
// series with each sample), so the fields are grouped by cache line. Line 0
// holds everything a committed append reads and writes (lock, open chunk
// and encoder state, cut time), line 1 what an appender checks before
// commit (time hint, pending sample, pin), the rest is cold. An append then
// touches line 0, a store to line 1 and the end of the chunk bytes.
#ifndef STRATA_HEAD_MEM_SERIES_H_
#define STRATA_HEAD_MEM_SERIES_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <span>
#include <vector>

#include "chunk/cut_policy.h"
#include "chunk/xor_chunk.h"
#include "head/head_chunk_files.h"
#include "head/mem_postings.h"
#include "head/open_histogram_chunk.h"
#include "head/series_state.h"
#include "index/reader.h"
#include "strata/labels.h"
#include "util/spin_lock.h"

namespace strata {

enum class AppendOutcome : uint8_t {
  kAppended,
  kDuplicate,   // Same timestamp and value bits as the newest: a no-op.
  kOutOfOrder,  // Older than the newest sample.
  kConflict,    // Same timestamp as the newest, another value.
  kRemoved,     // Head truncation removed the series (MemSeries::Append).
};

class alignas(64) MemSeries {
 public:
  MemSeries(SeriesId id, uint64_t hash, std::vector<MemPostings::Pair> labels);
  MemSeries(const MemSeries&) = delete;
  MemSeries& operator=(const MemSeries&) = delete;

  // Series live in a HugePagePool (util/huge_page_pool.h): appends and
  // replay touch them at random, and huge pages spare a TLB miss each.
  static void* operator new(size_t size);
  static void* operator new(size_t size, std::align_val_t);
  static void operator delete(void* p);
  static void operator delete(void* p, std::align_val_t);

  SeriesId id() const { return id_; }
  uint64_t hash() const { return hash_; }
  const std::vector<MemPostings::Pair>& label_pairs() const { return labels_; }
  Labels labels() const;
  bool LabelsEqual(const Labels& other) const;

  // Classifies a candidate sample against the newest committed one.
  AppendOutcome Check(int64_t t, double v) const ABSL_LOCKS_EXCLUDED(mu_);
  // Appends if in order, cutting chunks as Prometheus does for
  // `chunk_range` (the block duration). Sets *new_chunk if a chunk was
  // started for this sample. With `files`, a chunk cut is written there
  // and dropped from memory (kept in memory if the write fails). kRemoved,
  // appending nothing, once head truncation marked the series dead.
  AppendOutcome Append(int64_t t, double v, int64_t chunk_range,
                       HeadChunkFiles* files, bool* new_chunk)
      ABSL_LOCKS_EXCLUDED(mu_);

  // --- mem_series_histogram.cc: native histograms ---
  // Check and Append for one histogram sample, exactly one of `h` and `fh`
  // non-null (validated by the caller). Chunks are cut, recoded and get
  // their counter-reset header as Prometheus 2.42's appendHistogram and
  // appendFloatHistogram do (chunk/histogram_series.h); a sample of
  // another kind than the open chunk's starts a new chunk. A duplicate is
  // a histogram equal to the newest sample (chunk::HistogramsEqual).
  AppendOutcome CheckHistogram(int64_t t, const Histogram* h,
                               const FloatHistogram* fh) const
      ABSL_LOCKS_EXCLUDED(mu_);
  AppendOutcome AppendHistogram(int64_t t, const Histogram* h,
                                const FloatHistogram* fh, int64_t chunk_range,
                                HeadChunkFiles* files, bool* new_chunk)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Newest committed timestamp, kMinTime if none. Lock-free hint.
  int64_t max_time_hint() const {
    return max_time_.load(std::memory_order_acquire);
  }

  // Chunk metas overlapping [mint, maxt], refs encoding (id, chunk seq).
  void ChunkMetas(int64_t mint, int64_t maxt, std::vector<ChunkMeta>* out) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // A copy of the chunk with sequence number `seq`; a chunk on disk is
  // read from `files` (after the series lock is released).
  StatusOr<ChunkBytes> ChunkCopy(uint32_t seq,
                                 const HeadChunkFiles* files) const
      ABSL_LOCKS_EXCLUDED(mu_);
  size_t NumChunks() const ABSL_LOCKS_EXCLUDED(mu_);

  // Whether a WAL series record for this series has been written.
  bool wal_logged() const {
    return wal_logged_.load(std::memory_order_acquire);
  }
  void set_wal_logged() { wal_logged_.store(true, std::memory_order_release); }

  // The newest pending (appended, uncommitted) sample of the appender batch
  // identified by `token`, so an appender checks in-batch order without a
  // map. Only the owning appender reads its own token's values. Two
  // appenders sharing a series may overwrite each other; then a check is
  // skipped, and Append()'s locked check still guards the chunk.
  bool HasPending(uint64_t token) const {
    return pending_token_.load(std::memory_order_relaxed) == token;
  }
  int64_t pending_t() const {
    return pending_t_.load(std::memory_order_relaxed);
  }
  uint64_t pending_bits() const {
    return pending_bits_.load(std::memory_order_relaxed);
  }
  void SetPending(uint64_t token, int64_t t, uint64_t bits) {
    pending_t_.store(t, std::memory_order_relaxed);
    pending_bits_.store(bits, std::memory_order_relaxed);
    pending_token_.store(token, std::memory_order_relaxed);
  }

  // Appenders holding uncommitted out-of-order samples, histograms or
  // exemplars for this series pin it (in-order float samples do not: see
  // head/open_batches.h); head truncation removes a series only by
  // atomically marking an unpinned one dead, so a pin and a removal never
  // both succeed.
  // Returns false if the series is dead (then do not pin/unpin it).
  bool PinForCommit() {
    return (pins_.fetch_add(1, std::memory_order_acq_rel) & kDead) == 0;
  }
  void UnpinForCommit() { pins_.fetch_sub(1, std::memory_order_acq_rel); }
  // Marks the series dead if it holds no chunk and nobody holds a pin,
  // atomically with respect to Append (both run under mu_), so a sample
  // committed in between is never lost with the series.
  bool MarkDeadIfEmpty() ABSL_LOCKS_EXCLUDED(mu_);
  // Succeeds only if nobody holds a pin.
  bool MarkDead() {
    int32_t expected = 0;
    return pins_.compare_exchange_strong(expected, kDead,
                                         std::memory_order_acq_rel);
  }
  bool dead() const {
    return (pins_.load(std::memory_order_acquire) & kDead) != 0;
  }

  // Cache-prefetch hints for a batch of appends to many series, issued a
  // few samples ahead so the memory loads overlap: stage 1 fetches the two
  // hot lines of this object, stage 2 the end of the open chunk's bytes.
  // Stage 2 reads the chunk's buffer pointer without the lock: a racing
  // append may make it stale, which only makes the hint useless (prefetch
  // never faults), so it is safe as a hint.
  void PrefetchSelf() const {
    __builtin_prefetch(this, 1);
    __builtin_prefetch(reinterpret_cast<const char*>(this) + 64, 1);
  }
  // The line an appender checks before commit (line 1), for
  // Appender::AppendBatch.
  void PrefetchAppenderLine() const {
    __builtin_prefetch(reinterpret_cast<const char*>(this) + 64, 1);
  }
  __attribute__((no_sanitize("thread"))) void PrefetchOpenChunkTail() const
      ABSL_NO_THREAD_SAFETY_ANALYSIS {
    open_.PrefetchTail();
  }

  // Calls fn with a view of the chunks and append state, holding the
  // series lock (fn must not touch this series). `scratch` is reused for
  // the view's vector. Chunks on disk are read from `files`; a chunk that
  // cannot be read fails the call (fn not called). With `files` null,
  // chunks on disk are given by reference (SeriesChunkView::disk_ref).
  Status ViewState(SeriesStateView* scratch, const HeadChunkFiles* files,
                   const std::function<void(const SeriesStateView&)>& fn) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Installs a saved state into a series that holds no chunk yet, copying
  // the bytes; a chunk given by disk_ref is kept as that reference (the
  // caller checked it is in the head-chunk files). An open histogram chunk
  // is decoded once (its encoder state, windows aside, is in its bytes).
  // Returns false, changing nothing, if the open chunk's state does not
  // fit its bytes or the newest sample's kind.
  bool RestoreState(const SeriesStateView& state) ABSL_LOCKS_EXCLUDED(mu_);

  // For DB open: installs chunks found in the head-chunk files into a
  // series that holds no chunk yet (oldest first, none overlapping) and
  // sets the newest sample time to the last one's maxt. The value of that
  // sample is not known until FinishMappedLoad. Returns false, changing
  // nothing, if the series has chunks or `chunks` is empty.
  bool AttachMappedChunks(std::span<const MappedChunk> chunks)
      ABSL_LOCKS_EXCLUDED(mu_);
  // After the WAL replay: if the newest sample is the end of a chunk on
  // disk (the WAL added nothing after it), reads that chunk for its value,
  // which the duplicate check needs.
  Status FinishMappedLoad(const HeadChunkFiles& files) ABSL_LOCKS_EXCLUDED(mu_);

  // Drops chunks that end before `mint`. Returns the chunks left.
  size_t TruncateChunksBefore(int64_t mint) ABSL_LOCKS_EXCLUDED(mu_);
  // Oldest sample time, kMaxTime if none.
  int64_t MinTime() const ABSL_LOCKS_EXCLUDED(mu_);

  static uint64_t ChunkRef(SeriesId id, uint32_t seq) {
    return (uint64_t{id} << 32) | seq;
  }
  static SeriesId ChunkRefSeries(uint64_t ref) {
    return static_cast<SeriesId>(ref >> 32);
  }
  static uint32_t ChunkRefSeq(uint64_t ref) {
    return static_cast<uint32_t>(ref);
  }

 private:
  // A completed chunk: in memory (data) or on disk (disk_ref, data null).
  struct ClosedChunk {
    std::unique_ptr<char[]> data;
    uint32_t size;
    // Its sample count (in the padding after size): for a chunk on disk,
    // what the shutdown snapshot records with its reference.
    uint16_t samples;
    // Prometheus's chunk encoding byte (chunk::Encoding).
    uint8_t encoding;
    int64_t mint;
    int64_t maxt;
    uint64_t disk_ref = 0;
  };

  void CutChunk(int64_t t, int64_t chunk_range, HeadChunkFiles* files)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The open chunk as a ClosedChunk: written to `files` if given and the
  // write succeeds, else copied.
  ClosedChunk CloseOpenChunk(HeadChunkFiles* files)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  AppendOutcome CheckLocked(int64_t t, double v) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  AppendOutcome CheckHistogramLocked(int64_t t, const Histogram* h,
                                     const FloatHistogram* fh) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether the open chunk is the histogram one (then open_ is empty).
  bool HistogramChunkOpen() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return hist_ != nullptr && hist_->NumSamples() > 0;
  }
  bool HasOpenChunk() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return open_.NumSamples() > 0 || HistogramChunkOpen();
  }
  // The open chunk's newest sample time (exact under mu_).
  int64_t OpenLastTime() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return open_.NumSamples() > 0 ? open_.last_t()
                                  : max_time_.load(std::memory_order_relaxed);
  }
  // The histogram side of RestoreState (mem_series_histogram.cc): the open
  // histogram chunk, if any, and the newest histogram; null if they do
  // not fit.
  static std::unique_ptr<OpenHistogramChunk> RestoreHistogramState(
      const SeriesStateView& state);
  // The last closed chunk's newest value into hist_ if it is a histogram
  // chunk (FinishMappedLoad); false if it is a float chunk.
  Status LoadLastHistogram(uint8_t encoding, std::string_view bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Line 0: the committed-append path. A spin lock: taken once per
  // committed sample, held for a few dozen instructions (a chunk cut
  // allocates, a reader copies one chunk), rarely contended.
  mutable SpinLock mu_;
  // The open chunk, which has samples, or is empty when the series has no
  // open chunk (before its first sample, or after truncation dropped it).
  chunk::XorChunk open_ ABSL_GUARDED_BY(mu_);
  // Prometheus's nextAt: when the open chunk is cut.
  chunk::ChunkCutState cut_ ABSL_GUARDED_BY(mu_);

  // Line 1: the appender's checks before commit.
  alignas(64) std::atomic<int64_t> max_time_{kMinTime};
  std::atomic<uint64_t> pending_token_{0};
  std::atomic<int64_t> pending_t_{0};
  std::atomic<uint64_t> pending_bits_{0};
  static constexpr int32_t kDead = 1 << 30;
  std::atomic<int32_t> pins_{0};
  std::atomic<bool> wal_logged_{false};
  // First sample of the open chunk; read once per chunk, by the cut rule.
  int64_t open_mint_ ABSL_GUARDED_BY(mu_) = 0;
  // Value of the newest sample when there is no open chunk (otherwise the
  // chunk's last_v_bits()), for the duplicate check.
  uint64_t last_value_bits_ ABSL_GUARDED_BY(mu_) = 0;

  // Cold. Constant after construction:
  const SeriesId id_;
  const uint64_t hash_;
  const std::vector<MemPostings::Pair> labels_;
  std::vector<ClosedChunk> closed_ ABSL_GUARDED_BY(mu_);
  // Null until the series' first histogram sample.
  std::unique_ptr<OpenHistogramChunk> hist_ ABSL_GUARDED_BY(mu_);
  // Sequence number of closed_[0]; the open chunk is first_seq_ +
  // closed_.size().
  uint32_t first_seq_ ABSL_GUARDED_BY(mu_) = 0;
  // Next series in the same hash bucket; guarded by SeriesMap's stripe lock.
  friend class SeriesMap;
  MemSeries* next_in_bucket = nullptr;
};

}  // namespace strata

#endif  // STRATA_HEAD_MEM_SERIES_H_
