// SnapshotRetention: removes the admin API's snapshots (directories named
// "<YYYYMMDDTHHMMSSZ>-<16 hex>" under <data>/snapshots, as Prometheus names
// them) once they are older than the retention, judging their age by the
// time in their name. Runs at each new snapshot (RemoveExpired) and on a
// background thread every `check_interval`. Never removes a snapshot
// between BeginWrite and EndWrite, nor a directory whose name is not a
// snapshot's. Each removal is logged.
//
// Thread-safety: safe to call concurrently. The destructor stops the
// thread.
#ifndef STRATA_SERVER_API_SNAPSHOT_RETENTION_H_
#define STRATA_SERVER_API_SNAPSHOT_RETENTION_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "util/mutex.h"

namespace strata::server {

class SnapshotRetention {
 public:
  // `retention` <= 0 disables removal (and the thread).
  SnapshotRetention(std::string snapshots_dir, absl::Duration retention,
                    absl::Duration check_interval);
  ~SnapshotRetention();
  SnapshotRetention(const SnapshotRetention&) = delete;
  SnapshotRetention& operator=(const SnapshotRetention&) = delete;

  // The snapshot `name` is being written: not removed until EndWrite.
  void BeginWrite(const std::string& name);
  void EndWrite(const std::string& name);

  // Removes the snapshots older than the retention at `now`; returns how
  // many. Removal errors are logged and skipped.
  int RemoveExpired(absl::Time now);

  // The time in a snapshot's name; nullopt if `name` is not one.
  static std::optional<absl::Time> SnapshotTime(std::string_view name);

 private:
  void Loop();

  // Constant after construction.
  const std::string dir_;
  const absl::Duration retention_;
  const absl::Duration check_interval_;

  Mutex mu_;
  CondVar stop_cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::set<std::string> writing_ ABSL_GUARDED_BY(mu_);
  // Serializes removal passes (the thread and new snapshots).
  Mutex remove_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  std::thread thread_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_API_SNAPSHOT_RETENTION_H_
