// BlockMeta: a block's `meta.json`, as Prometheus 2.42's tsdb.BlockMeta
// (tsdb/block.go). Layout and field meanings in FORMAT.md.
//
// Time ranges: meta.json's [minTime, maxTime) is HALF-OPEN: maxTime is one
// past the newest timestamp a block may hold. BlockReader::MaxTime() (and
// ChunkMeta/Interval bounds) are inclusive; Block converts.
//
// Thread-safety: plain values.
#ifndef STRATA_BLOCK_BLOCK_META_H_
#define STRATA_BLOCK_BLOCK_META_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"
#include "util/file_system.h"
#include "util/ulid.h"

namespace strata {

inline constexpr int kBlockMetaVersion1 = 1;
inline constexpr char kMetaFileName[] = "meta.json";
inline constexpr char kIndexFileName[] = "index";
inline constexpr char kChunksDirName[] = "chunks";

struct BlockStats {
  uint64_t num_samples = 0;
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  uint64_t num_tombstones = 0;
  friend bool operator==(const BlockStats&, const BlockStats&) = default;
};

// A parent block, by ULID and time range (half-open, as in meta.json).
struct BlockDesc {
  Ulid ulid;
  int64_t min_time = 0;
  int64_t max_time = 0;
  friend bool operator==(const BlockDesc&, const BlockDesc&) = default;
};

// The hint of a block written from out-of-order samples alone
// (Prometheus's CompactionHintFromOutOfOrder).
inline constexpr char kHintFromOutOfOrder[] = "from-out-of-order";

struct BlockCompaction {
  // 1 for a block cut from the head; max(parents' level) + 1 after a
  // compaction.
  int level = 1;
  // The level-1 blocks whose data this block holds (itself when level 1).
  std::vector<Ulid> sources;
  // Marked for deletion after a compaction that produced no samples.
  bool deletable = false;
  std::vector<BlockDesc> parents;
  bool failed = false;
  // Free-form notes, as Prometheus's (e.g. "from-out-of-order");
  // kHintSalvaged marks a block rebuilt from a damaged one (block_salvage.h).
  std::vector<std::string> hints;
  bool FromOutOfOrder() const {
    for (const std::string& h : hints) {
      if (h == kHintFromOutOfOrder) return true;
    }
    return false;
  }
  friend bool operator==(const BlockCompaction&,
                         const BlockCompaction&) = default;
};

struct BlockMeta {
  Ulid ulid;
  int64_t min_time = 0;  // Inclusive.
  int64_t max_time = 0;  // Exclusive.
  BlockStats stats;
  BlockCompaction compaction;
  int version = kBlockMetaVersion1;

  // Prometheus's layout: tab-indented JSON, zero stats and empty lists
  // omitted (Go's omitempty), keys in Prometheus's order.
  std::string ToJson() const;
  // InvalidArgument for malformed JSON, missing or mistyped fields, or a
  // version other than 1 (the caller adds file context and turns it into
  // Corruption when it read the text from disk).
  static StatusOr<BlockMeta> FromJson(std::string_view json);

  friend bool operator==(const BlockMeta&, const BlockMeta&) = default;
};

// Reads `<dir>/meta.json`. Corruption (naming the file) if it does not
// parse.
StatusOr<BlockMeta> ReadBlockMeta(FileSystem* fs, const std::string& dir);
// Writes `<dir>/meta.json` through `meta.json.tmp`, fdatasynced, renamed
// into place. The directory itself is not synced. Returns the file size.
StatusOr<int64_t> WriteBlockMeta(FileSystem* fs, const std::string& dir,
                                 const BlockMeta& meta);

}  // namespace strata

#endif  // STRATA_BLOCK_BLOCK_META_H_
