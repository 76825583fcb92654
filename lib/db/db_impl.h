// DBImpl: the facade behind strata::DB. Owns the head, the WAL and the
// persisted blocks; wires appenders to the WAL and queriers to every
// block.
//
// Thread-safety: all public methods are safe to call concurrently.
#ifndef STRATA_DB_DB_IMPL_H_
#define STRATA_DB_DB_IMPL_H_

#include <array>
#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "block/block.h"
#include "block/block_check.h"
#include "block/block_writer.h"
#include "db/damage_log.h"
#include "db/head_snapshot_writer.h"
#include "db/wal_head_loader.h"
#include "db/write_behind_log.h"
#include "head/head.h"
#include "head/head_appender.h"
#include "head/ooo_compaction_head.h"
#include "strata/db.h"
#include "util/dir_lock.h"
#include "util/file_system.h"
#include "util/mutex.h"
#include "wal/wal.h"

namespace strata {

class DBImpl : public DB {
 public:
  DBImpl(const Options& options, std::string dir);
  ~DBImpl() override;

  // Creates directories, takes the lock, replays the WAL, opens the writer.
  Status Init();

  std::unique_ptr<Appender> NewAppender() override;
  StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t mint,
                                                int64_t maxt) override;
  StatusOr<std::unique_ptr<ExemplarQuerier>> NewExemplarQuerier() override;
  int64_t SetMaxExemplars(int64_t max_exemplars) override;
  Status SetOutOfOrderTimeWindow(int64_t ms) override;
  Status CompactOutOfOrderHead() override;
  Status Snapshot(const std::string& dir, bool with_head) override;
  StatusOr<BackupReport> Backup(const std::string& dir,
                                bool with_head) override;
  Status DeleteSeries(const std::vector<Matcher>& matchers, int64_t mint,
                      int64_t maxt) override;
  Status CleanTombstones() override;
  Status Compact() override;
  StatusOr<ScrubReport> Scrub() override;
  const ReplayReport& replay_report() const override { return report_; }
  DBStats Stats() const override;
  std::vector<BlockInfo> Blocks() const override;
  const std::string& dir() const override { return dir_; }
  Status Close() override;

 private:
  class WalCommitLog;

  // Replays the WAL into the head: from segment `first_segment` when the
  // head came from a snapshot, else (-1) the checkpoint and every segment.
  Status ReplayWal(int first_segment);

  // --- db_head_chunks.cc: Options::head_chunks_on_disk. ---
  // Opens chunks_head/ (repairing damage) and indexes its chunks by
  // series into mapped_chunks_, leaving out those blocks already hold; or,
  // when the option is off, removes chunks_head/.
  Status OpenHeadChunkFiles();
  // OK if series `id`'s chunk `c`, given by reference in a snapshot, is an
  // intact record of that series in chunks_head/ (or one blocks hold,
  // dropped after the load). Reads mapped_chunks_ only.
  Status CheckSnapshotChunkRef(uint64_t id, const SeriesChunkView& c) const;
  // After the WAL replay: finishes the series that got chunks from disk
  // and frees the index.
  void FinishHeadChunkLoad();

  // --- db_head_snapshot.cc: the shutdown snapshot. ---
  // Loads the newest usable head snapshot (or removes snapshots when they
  // are off); returns the first WAL segment left to replay, -1 for all.
  StatusOr<int> LoadHeadSnapshot();
  // After the WAL replay on top of a snapshot: drops the snapshot's chunks
  // that blocks already hold (a crash between persisting a block and
  // checkpointing the WAL), as a full replay skips their samples. Not
  // before the replay: it would drop series the later WAL still appends to.
  void DropChunksBlocksHold();
  // After the WAL is closed: saves the head, chunks in chunks_head/ as
  // `disk_chunks` says. A failure is logged and returned; the WAL still
  // holds everything.
  Status WriteHeadSnapshot(snapshot::DiskChunks disk_chunks);
  // A fresh, empty head bounded by the blocks.
  void ResetHead();

  // --- db_ooo.cc: the out-of-order head and its WBL. ---
  // After the WAL replay: replays wbl/ into the out-of-order head.
  Status ReplayWbl();
  // Writes the out-of-order head into blocks marked from-out-of-order, one
  // per block range it spans, then deletes the WBL segments they hold.
  Status CompactOooHead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  // The out-of-order readers for a querier: the out-of-order head, and
  // what a running out-of-order compaction took from it.
  void AppendOooReaders(std::vector<std::shared_ptr<const BlockReader>>* out)
      ABSL_LOCKS_EXCLUDED(blocks_mu_);

  // --- db_backup.cc. ---
  // Copies the blocks `dir` lacks (and changed tombstones of those it has).
  Status BackupBlocks(const std::string& dir, BackupReport* report)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);

  // --- db_blocks.cc: persisted blocks, compaction, retention. ---
  // Opens every complete block; a block that fails to open is reported by
  // name and left on disk untouched, the others serve.
  Status LoadBlocks();
  // The blocks for a querier over [mint, maxt] (plus the head).
  std::vector<std::shared_ptr<const BlockReader>> ReadersFor(int64_t mint,
                                                             int64_t maxt);
  // Writes the head's oldest block-range to a block and truncates the head
  // past it; returns its maxt, or kMinTime when the head is not yet long
  // enough to persist.
  StatusOr<int64_t> PersistOldestHeadBlock(BlockWriter& writer)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  // Writes head ranges that are complete into blocks, then truncates the
  // head and checkpoints the WAL once.
  Status PersistHead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  // Runs the leveled planner until nothing is due.
  Status CompactBlocks() ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  Status ApplyRetention() ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  // Swaps `removed` blocks for `added` and schedules their directories
  // for deletion once no querier holds them.
  void ReplaceBlocks(const std::vector<std::shared_ptr<const Block>>& removed,
                     std::vector<std::shared_ptr<const Block>> added);
  // Deletes the directories of removed blocks nobody reads any more.
  void DeleteUnreferencedBlocks() ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  void BackgroundLoop();
  int64_t BlocksMaxTime();
  // A salvaged block next to the damaged block it was rebuilt from (a
  // crash before the move to quarantine): moves the damaged one there.
  void QuarantineSalvagedParent(const Block& parent);

  // --- db_cold_blocks.cc: the dense cold tier. ---
  // The chunk format for a block ending at `block_max_time` (exclusive).
  ChunkFormat ChunkFormatFor(int64_t block_max_time);
  // Rewrites every block whose chunk format differs from ChunkFormatFor's
  // (XOR blocks grown old, or dense ones when dense_chunks is off).
  Status RewriteColdBlocks() ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  // Replaces `b` by a block of the same range, level and sources, without
  // its tombstoned data, in `format`; logs `what` on success.
  Status RewriteBlock(const std::shared_ptr<const Block>& b, ChunkFormat format,
                      const char* what)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);

  // --- db_scrub.cc: scrub and quarantine. ---
  // Logs and counts what a scrub found in `block`, adding it to `report`.
  void NoteScrubProblems(const Block& block,
                         const std::vector<Problem>& problems,
                         ScrubReport* report);
  // Rebuilds `damaged` without its damaged data, serves the result instead
  // and moves `damaged` to quarantine/.
  Status QuarantineDamaged(const std::shared_ptr<const Block>& damaged,
                           ScrubReport* report)
      ABSL_LOCKS_EXCLUDED(compact_mu_);
  // Runs Scrub every scrub_interval_ms at low priority until Close.
  void ScrubLoop();
  // Writes a block from `sources` as a compaction (head persistence or
  // leveled), counting it and its duration in the stats.
  StatusOr<BlockMeta> WriteCompactedBlock(
      BlockWriter& writer, std::span<const BlockReader* const> sources,
      int64_t mint, int64_t maxt, const BlockCompaction* compaction)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  // Checkpoints the WAL up to the segment before the active one, dropping
  // what the head no longer holds before `mint`; counts the outcome.
  void CheckpointWal(int64_t mint) ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);

  // Upper bounds of the compaction duration histogram, in seconds:
  // Prometheus's prometheus_tsdb_compaction_duration_seconds buckets
  // (ExponentialBuckets(1, 2, 14)).
  static constexpr std::array<double, 14> kCompactionBuckets = {
      1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};

  // Constant after Init.
  const Options options_;
  const std::string dir_;
  FileSystem* const fs_;
  std::unique_ptr<DirLock> lock_;
  std::shared_ptr<Head> head_;
  // Options::head_chunks_on_disk; shared with every head (readers may
  // outlive the DB).
  std::shared_ptr<HeadChunkFiles> chunk_files_;
  // Until the WAL replay has attached them.
  MappedChunkIndex mapped_chunks_;
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<WalCommitLog> commit_log_;
  std::unique_ptr<WriteBehindLog> wbl_;
  ReplayReport report_;
  // Hears of damage from queriers (which may outlive the DB) and scrubs.
  const std::shared_ptr<DamageLog> damage_log_ = std::make_shared<DamageLog>();

  // One scrub at a time; a scrub takes compact_mu_ to quarantine.
  Mutex scrub_mu_ ABSL_ACQUIRED_BEFORE(compact_mu_);

  // Serializes structural changes: persistence, compaction, retention,
  // deletion, snapshots.
  Mutex compact_mu_ ABSL_ACQUIRED_BEFORE(blocks_mu_);
  mutable Mutex blocks_mu_;
  // Sorted by min time.
  std::vector<std::shared_ptr<const Block>> blocks_ ABSL_GUARDED_BY(blocks_mu_);
  // The samples a running out-of-order compaction took from the
  // out-of-order head, served until its blocks are; null otherwise.
  std::shared_ptr<const OooCompactionHead> ooo_compacting_
      ABSL_GUARDED_BY(blocks_mu_);
  // Removed from blocks_; their dirs go once the last reader lets go.
  std::vector<std::shared_ptr<const Block>> doomed_
      ABSL_GUARDED_BY(compact_mu_);
  std::atomic<int64_t> corrupt_blocks_{0};

  // Monitoring counters for DBStats; written under compact_mu_, read by
  // Stats() under stats_mu_.
  mutable Mutex stats_mu_ ABSL_ACQUIRED_AFTER(compact_mu_);
  struct Counters {
    int64_t compactions = 0;
    int64_t compaction_failures = 0;
    // Per bucket of kCompactionBuckets, +Inf last; not cumulative.
    std::vector<uint64_t> compaction_buckets;
    double compaction_seconds = 0;
    int64_t retention_time_blocks = 0;
    int64_t retention_time_bytes = 0;
    int64_t retention_size_blocks = 0;
    int64_t retention_size_bytes = 0;
    int64_t wal_checkpoints = 0;
    int64_t wal_checkpoint_failures = 0;
    int64_t wal_truncations = 0;
    int64_t wal_truncation_failures = 0;
    int64_t scrubs = 0;
    int64_t scrub_bytes = 0;
    int64_t blocks_quarantined = 0;
    int64_t ooo_compactions = 0;
    int64_t ooo_compaction_failures = 0;
  };
  Counters counters_ ABSL_GUARDED_BY(stats_mu_);

  std::thread background_;
  std::thread scrubber_;  // Waits on bg_cv_ too.
  Mutex bg_mu_;
  CondVar bg_cv_;
  bool bg_stop_ ABSL_GUARDED_BY(bg_mu_) = false;

  std::atomic<bool> closed_{false};
  Mutex close_mu_;
};

}  // namespace strata

#endif  // STRATA_DB_DB_IMPL_H_
