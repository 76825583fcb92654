// DBImpl: the facade behind strata::DB. Owns the head, the WAL and the
// persisted blocks; wires appenders to the WAL and queriers to every
// block.
//
// Thread-safety: all public methods are safe to call concurrently.
#ifndef STRATA_DB_DB_IMPL_H_
#define STRATA_DB_DB_IMPL_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "block/block.h"
#include "head/head.h"
#include "head/head_appender.h"
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
  Status Snapshot(const std::string& dir, bool with_head) override;
  StatusOr<BackupReport> Backup(const std::string& dir,
                                bool with_head) override;
  Status DeleteSeries(const std::vector<Matcher>& matchers, int64_t mint,
                      int64_t maxt) override;
  Status CleanTombstones() override;
  Status Compact() override;
  const ReplayReport& replay_report() const override { return report_; }
  DBStats Stats() const override;
  const std::string& dir() const override { return dir_; }
  Status Close() override;

 private:
  class WalCommitLog;

  Status ReplayWal();

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
  // Writes head ranges that are complete into blocks, then truncates the
  // head and checkpoints the WAL.
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

  // Constant after Init.
  const Options options_;
  const std::string dir_;
  FileSystem* const fs_;
  std::unique_ptr<DirLock> lock_;
  std::shared_ptr<Head> head_;
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<WalCommitLog> commit_log_;
  ReplayReport report_;

  // Serializes structural changes: persistence, compaction, retention,
  // deletion, snapshots.
  Mutex compact_mu_ ABSL_ACQUIRED_BEFORE(blocks_mu_);
  mutable Mutex blocks_mu_;
  // Sorted by min time.
  std::vector<std::shared_ptr<const Block>> blocks_ ABSL_GUARDED_BY(blocks_mu_);
  // Removed from blocks_; their dirs go once the last reader lets go.
  std::vector<std::shared_ptr<const Block>> doomed_
      ABSL_GUARDED_BY(compact_mu_);
  std::atomic<int64_t> compactions_{0};
  std::atomic<int64_t> compaction_failures_{0};
  std::atomic<int64_t> corrupt_blocks_{0};

  std::thread background_;
  Mutex bg_mu_;
  CondVar bg_cv_;
  bool bg_stop_ ABSL_GUARDED_BY(bg_mu_) = false;

  std::atomic<bool> closed_{false};
  Mutex close_mu_;
};

}  // namespace strata

#endif  // STRATA_DB_DB_IMPL_H_
