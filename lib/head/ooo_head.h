// OooHead: the out-of-order part of the head (Prometheus 2.42's OOO head).
// Samples older than their series' newest sample, but within the DB's
// out-of-order time window, are committed here instead of the in-order
// chunks: per series an open OooChunk (sorted samples) that is cut into a
// closed XOR chunk once it holds out_of_order_cap_max samples. Prometheus
// writes closed out-of-order chunks to chunks_head/; Strata keeps them in
// memory (the WBL replays them after a restart, see lib/head/FORMAT.md).
//
// It is a BlockReader of its own, over the head's series ids and labels:
// a querier merges it with the head and the blocks like any overlapping
// block. A series' out-of-order chunks may overlap one another, so readers
// see them merged, sorted and de-duplicated (the first sample inserted at a
// timestamp wins), re-cut every kOooSamplesPerChunk samples.
//
// Thread-safety: all methods are safe to call concurrently. Series data
// is guarded by per-shard mutexes; commit_mutex() orders WBL writes with
// compaction (see there).
#ifndef STRATA_HEAD_OOO_HEAD_H_
#define STRATA_HEAD_OOO_HEAD_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "head/ooo_chunk.h"
#include "index/reader.h"
#include "util/mutex.h"

namespace strata {

class Head;

// One series' out-of-order samples, taken out of the OooHead for
// compaction.
struct OooTakenSeries {
  SeriesId id = 0;
  Labels labels;
  std::vector<OooSample> samples;  // Sorted, unique timestamps.
};

class OooHead : public BlockReader {
 public:
  // `head` owns this object and provides the series' labels, postings and
  // tombstones.
  explicit OooHead(const Head* head);
  ~OooHead() override;

  // Inserts a committed out-of-order sample into series `id`, first
  // cutting its open chunk if that holds `cap_max` samples. Returns false,
  // a no-op, if the open chunk already holds a sample at `t` (Prometheus
  // detects duplicates only there). Sets *chunk_cut when a chunk was cut.
  bool Insert(SeriesId id, int64_t t, double v, int cap_max, bool* chunk_cut);
  // Whether series `id` holds out-of-order samples.
  bool Has(SeriesId id) const;
  size_t NumSeries() const;

  // Committers hold it shared from their WBL write to their inserts;
  // compaction holds it exclusively while it starts a new WBL segment and
  // takes every sample (TakeAll). So each WBL record is either wholly in
  // the segments before the cut and its samples in what was taken, or
  // after the cut.
  Mutex& commit_mutex() const { return commit_mu_; }

  // Removes and returns every series' samples (merged, sorted, without
  // the head's deleted intervals), sorted by labels; series the head no
  // longer has are dropped. The time range becomes empty.
  std::vector<OooTakenSeries> TakeAll();
  // Inserts taken samples back (a compaction that failed).
  void Restore(const std::vector<OooTakenSeries>& taken, int cap_max);

  // BlockReader. Postings, label names and values are the head's
  // (restricted to series holding out-of-order samples for postings).
  int64_t MinTime() const override { return min_time_.load(); }
  int64_t MaxTime() const override { return max_time_.load(); }
  const IndexReader& Index() const override;
  const ChunkReader& Chunks() const override;
  const TombstoneReader& Tombstones() const override;
  std::string Name() const override { return "ooo-head"; }

 private:
  class IndexReaderImpl;
  class ChunkReaderImpl;

  // A cut chunk: XOR bytes and its time range.
  struct ClosedChunk {
    std::string bytes;
    int64_t mint;
    int64_t maxt;
  };
  struct SeriesData {
    OooChunk open;
    std::vector<ClosedChunk> closed;
  };
  struct Shard {
    mutable Mutex mu;
    absl::flat_hash_map<SeriesId, SeriesData> series ABSL_GUARDED_BY(mu);
  };
  static constexpr size_t kShards = 16;

  Shard& ShardFor(SeriesId id) const { return shards_[id % kShards]; }
  // Series `id`'s samples merged (see the class comment); false if none.
  bool Merged(SeriesId id, std::vector<OooSample>* out) const;
  // The same restricted to [mint, maxt], decoding only the chunks that
  // overlap it (a reader's chunk at a time stays linear in the chunks).
  bool MergedInRange(SeriesId id, int64_t mint, int64_t maxt,
                     std::vector<OooSample>* out) const;
  static void MergeLocked(const SeriesData& d, std::vector<OooSample>* out);
  // Ids of the series holding samples.
  Postings Ids() const;
  void WidenTimeRange(int64_t t);

  const Head* const head_;
  mutable std::array<Shard, kShards> shards_;
  // kMaxTime / kMinTime while empty.
  std::atomic<int64_t> min_time_{kMaxTime};
  std::atomic<int64_t> max_time_{kMinTime};
  mutable Mutex commit_mu_;
  std::unique_ptr<IndexReaderImpl> index_;
  std::unique_ptr<ChunkReaderImpl> chunks_;
};

}  // namespace strata

#endif  // STRATA_HEAD_OOO_HEAD_H_
