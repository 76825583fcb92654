// DataDir: a read-only view of a Strata (or Prometheus) data directory for
// offline inspection (strata-tsdb): every block that opens, the blocks that do
// not (with the reason), and the head rebuilt in memory from the WAL
// (checkpoint and segments) without writing anything, so read-only commands
// also work while a server owns the directory.
//
// A torn or damaged record stops reading the WAL at that point (what came
// before is kept); the problem is reported in wal_error().
//
// Thread-safety: immutable after Open; queriers are per thread.
#ifndef STRATA_INSPECT_DATA_DIR_H_
#define STRATA_INSPECT_DATA_DIR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "block/block.h"
#include "head/head.h"
#include "strata/querier.h"
#include "strata/status.h"
#include "util/data_dir_files.h"
#include "util/file_system.h"
#include "wal/replay.h"

namespace strata::inspect {

inline constexpr int64_t kDefaultBlockRangeMs = 2 * 3600 * 1000;

struct DataDirOptions {
  bool load_head = true;
  int64_t block_range_ms = kDefaultBlockRangeMs;
};

// A block directory and what opening it gave.
struct BlockEntry {
  std::string name;  // The ULID.
  std::string dir;
  std::shared_ptr<const Block> block;  // Null if it did not open.
  Status open_error;
};

struct WalInfo {
  int64_t segments = 0;
  int64_t bytes = 0;  // Segments and the checkpoint.
  int first_segment = -1;
  int last_segment = -1;
  std::string checkpoint;  // Name, "" if none.
  int64_t records = 0;
  int64_t series = 0;
  int64_t samples = 0;
  // Samples older than the newest block's end: already persisted.
  int64_t samples_in_blocks = 0;
};

class DataDir {
 public:
  // NotFound if `dir` does not exist.
  static StatusOr<std::unique_ptr<DataDir>> Open(
      const std::string& dir, const DataDirOptions& options = {});

  const std::string& dir() const { return dir_; }
  const std::vector<BlockEntry>& blocks() const { return blocks_; }
  // Null when the head was not loaded.
  const std::shared_ptr<Head>& head() const { return head_; }
  const WalInfo& wal() const { return wal_; }
  // OK, or why reading the WAL stopped early.
  const Status& wal_error() const { return wal_error_; }

  // The opened blocks, and the head if loaded and not empty.
  std::vector<std::shared_ptr<const BlockReader>> Readers() const;
  std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt) const;
  // End (exclusive) of the newest opened block; kMinTime if none.
  int64_t BlocksMaxTime() const;

 private:
  DataDir(std::string dir, FileSystem* fs) : dir_(std::move(dir)), fs_(fs) {}
  Status LoadBlocks();
  Status LoadWal(const DataDirOptions& options);
  // Reads the checkpoint and the segments after it into `on_record`,
  // filling wal_'s file figures; a damaged log ends reading and is kept
  // in wal_error_.
  Status ReadWal(const std::string& wal_dir,
                 const wal::RecordCallback& on_record);

  const std::string dir_;
  FileSystem* const fs_;
  std::vector<BlockEntry> blocks_;
  std::shared_ptr<Head> head_;
  WalInfo wal_;
  Status wal_error_;
};

// End (exclusive) of the newest block in `dir` by meta.json alone (cheap);
// kMinTime if none.
int64_t NewestBlockEnd(const std::string& dir);

// New blocks ending after `previous_end` move the boundary below which WAL
// replay skips samples as already persisted. Returns the new boundary when
// it moved and the WAL of `dir` holds data (samples in it older than the
// boundary will not come back into the head on the next open); nullopt
// otherwise.
std::optional<int64_t> MovedHeadBoundary(const std::string& dir,
                                         int64_t previous_end);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_DATA_DIR_H_
