// ListDataDir: what a data directory holds, as plain values: every block
// (or why it does not open) and the head rebuilt from the WAL.
//
// Thread-safety: reads the directory read-only; one call per thread.
#ifndef STRATA_INSPECT_LIST_H_
#define STRATA_INSPECT_LIST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "inspect/data_dir.h"
#include "strata/status.h"

namespace strata::inspect {

struct BlockListing {
  std::string ulid;
  Status open_error;  // The fields below are set only when OK.
  int64_t min_time = 0;
  int64_t max_time = 0;  // Exclusive.
  uint64_t num_samples = 0;
  uint64_t num_chunks = 0;
  uint64_t num_series = 0;
  uint64_t num_tombstones = 0;
  int64_t size_bytes = 0;
  int level = 0;  // Compaction level.
};

struct HeadListing {
  WalInfo wal;
  Status wal_error;  // Why reading the WAL stopped early.
  int64_t num_series = 0;
  // The head holds samples: min_time..max_time (inclusive) are set.
  bool has_data = false;
  int64_t min_time = 0;
  int64_t max_time = 0;
};

struct DataDirListing {
  std::vector<BlockListing> blocks;  // In directory name (ULID) order.
  HeadListing head;
};

StatusOr<DataDirListing> ListDataDir(const std::string& data_dir);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_LIST_H_
