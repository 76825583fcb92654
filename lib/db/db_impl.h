// DBImpl: the facade behind strata::DB. Owns the head, the WAL and (later)
// the persisted blocks; wires appenders to the WAL and queriers to every
// block.
//
// Thread-safety: all public methods are safe to call concurrently.
#ifndef STRATA_DB_DB_IMPL_H_
#define STRATA_DB_DB_IMPL_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "head/head.h"
#include "head/head_appender.h"
#include "strata/db.h"
#include "util/dir_lock.h"
#include "util/file_system.h"
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

  // Constant after Init.
  const Options options_;
  const std::string dir_;
  FileSystem* const fs_;
  std::unique_ptr<DirLock> lock_;
  std::shared_ptr<Head> head_;
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<WalCommitLog> commit_log_;
  ReplayReport report_;

  std::atomic<bool> closed_{false};
  absl::Mutex close_mu_;
};

}  // namespace strata

#endif  // STRATA_DB_DB_IMPL_H_
