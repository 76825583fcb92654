// WalHeadLoader: rebuilds a head from WAL records. DB::Open's replay and
// strata-tsdb's read-only view of a data directory both use it; they differ
// only in how they read the log (replay repairs a torn tail, the tool never
// writes).
//
// Feed it every record in log order (a checkpoint's records first), then
// call Finish():
//   - series records create the series, keeping the WAL ref as the head id
//     where that id is free (refs and ids then agree);
//   - samples older than `min_valid_time` are skipped, since blocks hold
//     them; the rest are appended on ReplayShards workers (one per core);
//   - tombstones are added to the head;
//   - exemplars at or after `min_valid_time` go to the head's exemplar
//     storage (as Prometheus replays them: without their has-timestamp
//     flag; refusals, such as exemplars while the storage is off, are
//     dropped);
//   - with SetMappedChunks, a series a record creates first gets its chunks
//     from the head-chunk files, and its samples up to the last one's maxt
//     are skipped (the chunks hold them).
//   - native histogram records (types 7, 8) follow the samples' rules and
//     take the same path: routed to the series' ReplayShards worker in
//     WAL order with its float samples, appended as they come (never held
//     until the end of the replay).
// Metadata records are ignored.
//
// With workers, samples records (floats and histograms) are decoded and
// routed on a RecordPipeline thread while the caller reads on: OnRecord
// then cannot reject an undecodable samples record, Finish reports it (the
// record's samples are skipped either way). Before a series record changes the
// ref table the pipeline is drained, so a sample sees exactly the series the
// records before it introduced, as without the pipeline.
//
// Thread-safety: one thread calls OnRecord and Finish. The ref table is
// written only by that thread, and only while the pipeline is drained;
// the pipeline thread reads it.
#ifndef STRATA_DB_WAL_HEAD_LOADER_H_
#define STRATA_DB_WAL_HEAD_LOADER_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "db/mapped_chunk_index.h"
#include "db/record_pipeline.h"
#include "db/replay_shards.h"
#include "head/head.h"
#include "strata/status.h"
#include "wal/histogram_record.h"
#include "wal/record.h"

namespace strata {

class WalHeadLoader {
 public:
  struct Counts {
    int64_t records = 0;
    int64_t series_created = 0;
    // Appended (a duplicate of an appended sample counts: it was
    // acknowledged once).
    int64_t samples = 0;
    // Out of order or conflicting with an appended sample.
    int64_t samples_rejected = 0;
    // For a ref no series record introduced.
    int64_t samples_unknown_series = 0;
    int64_t samples_before_min_valid = 0;
    // Series whose WAL ref was taken by another head id (labels repeated
    // under two refs).
    int64_t ref_id_mismatches = 0;
    // Stored in the exemplar ring, and of refs no series record introduced.
    int64_t exemplars = 0;
    int64_t exemplars_unknown_series = 0;
    // Chunks attached from the head-chunk files, and samples they hold
    // that were skipped.
    int64_t mapped_chunks = 0;
    int64_t samples_in_mapped_chunks = 0;
    // Samples records that did not decode (skipped); only with workers.
    int64_t records_undecodable = 0;
  };

  // `workers`: threads besides the caller's (ReplayShards::DefaultWorkers).
  // 0 decodes and appends on the calling thread; otherwise one thread is
  // the decode pipeline and max(1, workers - 1) append.
  WalHeadLoader(Head* head, int64_t min_valid_time, int workers);
  WalHeadLoader(const WalHeadLoader&) = delete;
  WalHeadLoader& operator=(const WalHeadLoader&) = delete;

  // The series the head already holds (from a shutdown snapshot): later
  // records refer to them by their ids. They are looked up in the head
  // when a record names them, so a snapshot followed by a short WAL does
  // not pay for a table of every series. Call before the first record.
  void UseHeadSeries() { head_known_below_ = head_->NextSeriesId(); }
  // The chunks in the head-chunk files by WAL series ref (built); not
  // owned, must outlive the loader.
  void SetMappedChunks(const MappedChunkIndex* index) { mapped_ = index; }

  // Applies one record. Fails only on a record that does not decode.
  Status OnRecord(std::string_view record);
  // Waits until every sample is appended; counts() is final afterwards.
  // Returns the first samples record that did not decode on the pipeline
  // (counted in records_undecodable), OK if none.
  Status Finish();
  const Counts& counts() const { return counts_; }

 private:
  // A WAL ref's series, with its head id beside it so that routing a
  // sample to its worker needs no load of the series itself.
  struct RefTarget {
    MemSeries* series = nullptr;
    SeriesId id = 0;
    // Samples up to here are in chunks attached from disk.
    int64_t mapped_maxt = kMinTime;
  };
  void SetRef(uint64_t ref, MemSeries* series, int64_t mapped_maxt);
  // Attaches the mapped chunks of `ref` to the new series `s`; returns the
  // newest chunk end attached, kMinTime if none.
  int64_t AttachMapped(uint64_t ref, MemSeries* s);
  RefTarget FindRef(uint64_t ref) const;
  // Decodes a samples record (types 2, 7, 8) and hands its samples to the
  // appenders; on the pipeline thread when there is one.
  Status LoadSampleRecord(std::string_view record);
  Status LoadSamples(std::string_view record);
  Status LoadSeries(std::string_view record);
  Status LoadTombstones(std::string_view record);
  Status LoadExemplars(std::string_view record);
  // --- wal_head_loader_histogram.cc ---
  // Records 7 and 8, as LoadSamples.
  Status LoadHistograms(std::string_view record);
  Status LoadFloatHistograms(std::string_view record);
  // The target of a sample at t, or null if skipped (counted as samples
  // are).
  MemSeries* ReplayTarget(uint64_t ref, int64_t t, SeriesId* id);

  Head* const head_;
  const int64_t min_valid_time_;
  const MappedChunkIndex* mapped_ = nullptr;
  // Refs below this are the head's own series ids (UseHeadSeries): a ref
  // no record introduced is looked up there. Series the replay creates get
  // ids at or above it, so a lookup never finds one of them by accident.
  SeriesId head_known_below_ = 0;
  ReplayShards appenders_;
  // Refs are dense (Strata and Prometheus count them up from 1), so a
  // vector indexed by ref holds them; refs far beyond the series seen go
  // to the map.
  std::vector<RefTarget> by_ref_dense_;
  absl::flat_hash_map<uint64_t, RefTarget> by_ref_sparse_;
  // Reused decode buffers.
  std::vector<wal::RefSeries> series_;
  std::vector<wal::Stone> stones_;
  std::vector<wal::RefExemplar> exemplars_;
  // LoadSampleRecord's (the pipeline thread's when there is one).
  std::vector<wal::RefSample> samples_;
  std::vector<wal::RefHistogramSample> histograms_;
  std::vector<wal::RefFloatHistogramSample> float_histograms_;
  // The samples counters are written by LoadSampleRecord (the pipeline
  // thread's until Finish joins it).
  Counts counts_;
  bool finished_ = false;
  Status pipeline_error_;  // Set by Finish.
  // Null without workers: samples records are loaded by OnRecord.
  // Declared last: destroyed (joined) first.
  std::unique_ptr<RecordPipeline> pipeline_;
};

}  // namespace strata

#endif  // STRATA_DB_WAL_HEAD_LOADER_H_
