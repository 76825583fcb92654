// MetadataStore: metric metadata (TYPE, HELP, UNIT) received by remote
// write, served by /api/v1/metadata and kept in a small file in the data
// directory so it survives restarts (format: proto/FORMAT.md).
//
// Per metric it keeps the distinct metadata seen most recently, newest
// first, at most kMaxEntriesPerMetric of them (targets of one job may
// disagree on HELP while they roll out a new version).
//
// Thread-safety: safe to use concurrently.
#ifndef STRATA_SERVER_REMOTE_METADATA_STORE_H_
#define STRATA_SERVER_REMOTE_METADATA_STORE_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "strata/status.h"
#include "util/data_dir_files.h"
#include "util/mutex.h"

namespace strata {
class FileSystem;
}

namespace strata::server {

struct MetadataEntry {
  std::string type;  // Prometheus's name: "counter", "gauge", ...
  std::string help;
  std::string unit;

  friend bool operator==(const MetadataEntry&, const MetadataEntry&) = default;
};

class MetadataStore {
 public:
  static constexpr size_t kMaxEntriesPerMetric = 4;
  // Beyond this many metric names, new names are ignored (and counted).
  static constexpr size_t kMaxMetrics = 200000;
  // The file's name inside the data directory.
  static constexpr std::string_view kFileName = kRemoteWriteMetadataFileName;

  // `fs` is not owned; nullptr means the POSIX file system. `path` is the
  // file to load and persist; "" keeps everything in memory.
  MetadataStore(FileSystem* fs, std::string path);
  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;

  // Replaces the contents with the file's. A missing file is an empty
  // store; a damaged one is Corruption (the store is then left empty).
  Status Load();

  // Records metadata for `metric`; returns true if that changed the store.
  bool Update(std::string_view metric, std::string_view type,
              std::string_view help, std::string_view unit);

  // Writes the file if anything changed since the last write: a temporary
  // file, fsync, rename, fsync of the directory.
  Status Flush();
  // Flush, but only if the last write is at least `min_interval` ago.
  Status MaybeFlush(std::chrono::steady_clock::duration min_interval);

  // Metrics sorted by name with their entries, newest first, as
  // /api/v1/metadata returns them. `metric` != "" selects one metric;
  // limit < 0 means no limit on metrics, limit_per_metric < 0 none on
  // entries per metric.
  std::vector<std::pair<std::string, std::vector<MetadataEntry>>> List(
      std::string_view metric, int64_t limit, int64_t limit_per_metric) const;

  size_t size() const;
  // Updates ignored because kMaxMetrics was reached.
  int64_t dropped() const;

 private:
  std::string Encode() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  FileSystem* const fs_;
  const std::string path_;

  mutable Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<MetadataEntry>> metrics_
      ABSL_GUARDED_BY(mu_);
  // Bumped by every change; the file holds version written_version_.
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;

  // Serializes writers of the file; taken before mu_.
  Mutex flush_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  uint64_t written_version_ ABSL_GUARDED_BY(flush_mu_) = 0;
  std::chrono::steady_clock::time_point last_flush_ ABSL_GUARDED_BY(flush_mu_);
};

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_METADATA_STORE_H_
