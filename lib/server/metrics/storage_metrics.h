// Disk usage of the data directory, measured at scrape time:
//   strata_storage_disk_bytes{dir="wal"|"blocks"|"chunks_head"|"other"}
//   strata_blocks_loaded   directories named like a block (a ULID)
//   strata_storage_free_bytes, strata_storage_capacity_bytes
//                          statvfs of the data directory's file system
// The walk costs a few syscalls per file; data directories hold hundreds of
// files, not millions.
//
// Thread-safety: the collector is safe to call concurrently.
#ifndef STRATA_SERVER_METRICS_STORAGE_METRICS_H_
#define STRATA_SERVER_METRICS_STORAGE_METRICS_H_

#include <string>

#include "server/metrics/metrics.h"

namespace strata::server {

void AddStorageCollector(MetricsRegistry* registry, std::string data_dir);

}  // namespace strata::server

#endif  // STRATA_SERVER_METRICS_STORAGE_METRICS_H_
