// BlockWriter: writes a new persisted block from any BlockReaders (the head
// when persisting it, existing blocks when compacting), keeping the samples
// with mint <= t < maxt.
//
// What it does with the sources' series:
//  - series are merged by label set across sources and written in label
//    order; series left without samples are dropped;
//  - samples in the sources' tombstoned intervals are dropped, and of
//    samples with equal timestamps the first source's is kept (as the
//    querier's MergingIterator does);
//  - a chunk that lies wholly inside [mint, maxt), is untouched by
//    tombstones and overlaps no other chunk of its series is copied byte for
//    byte; chunks that need clipping, deletion or merging are decoded and
//    re-encoded, split where Prometheus's head would (chunk/cut_policy.h);
//  - chunks are written in the options' ChunkFormat: kXor (Prometheus's
//    format; dense source chunks are converted back one to one, restoring
//    the XOR bytes) or kDense (cold blocks: each chunk dense where that is
//    smaller, else XOR; meta.json then carries kHintDenseChunks, and the
//    index is written in the compact form, index/compact_index.h).
//
// Crash safety: everything is written into `<parent>/<ULID>.tmp-for-creation`
// (chunks, index, tombstones, meta.json, each fdatasynced, then the
// directories), renamed to `<parent>/<ULID>`, and the parent is synced. A
// crash leaves either no block or a complete one, plus possibly a temporary
// directory that RemoveTmpBlockDirs (block_dir.h) deletes on DB open.
// Writes are sequential only.
//
// Thread-safety: one Write at a time per BlockWriter. Sources may be read
// concurrently by others (the head may keep taking appends; only what its
// chunks held when read is written).
#ifndef STRATA_BLOCK_BLOCK_WRITER_H_
#define STRATA_BLOCK_BLOCK_WRITER_H_

#include <cstdint>
#include <span>
#include <string>

#include "block/block_meta.h"
#include "block/chunk_merger.h"
#include "block/chunk_writer.h"
#include "index/reader.h"
#include "util/file_system.h"

namespace strata {

struct BlockWriterOptions {
  // Chunk range of the cut policy applied to re-encoded chunks; Prometheus
  // uses the block duration.
  int64_t chunk_range_ms = 2 * 3600 * 1000;
  ChunkWriterOptions chunks;
  ChunkFormat chunk_format = ChunkFormat::kXor;
};

// The meta.json compaction hint of a block written with ChunkFormat::kDense
// (Prometheus ignores hints it does not know; Strata's compaction reads it
// to tell dense blocks from XOR ones without reading their chunks).
inline constexpr char kHintDenseChunks[] = "strata-dense-chunks";

// True if `meta` carries kHintDenseChunks.
bool HasDenseChunks(const BlockMeta& meta);

// What the last Write did.
struct BlockWriteStats {
  int64_t series = 0;
  int64_t chunks_copied = 0;     // Byte for byte.
  int64_t chunks_reencoded = 0;  // Chunks written after decoding.
  int64_t chunks_dense = 0;      // Written in the dense encoding.
  int64_t samples = 0;
  int64_t bytes = 0;  // Of the block on disk.
};

class BlockWriter {
 public:
  // `fs` is not owned. Blocks go into `parent_dir` (created if needed).
  BlockWriter(FileSystem* fs, std::string parent_dir,
              const BlockWriterOptions& options = {});

  // Writes a block holding the samples of `sources` with mint <= t < maxt
  // and returns its meta (min_time = mint, max_time = maxt, as Prometheus
  // records the requested range). `compaction` defaults to level 1 with the
  // new block as its only source (a block cut from the head); for a
  // compaction pass CompactionFromParents() (without sources: the new block
  // alone). When no sample is in range
  // nothing is written and the returned meta has stats.num_samples == 0.
  StatusOr<BlockMeta> Write(std::span<const BlockReader* const> sources,
                            int64_t mint, int64_t maxt,
                            const BlockCompaction* compaction = nullptr);

  const BlockWriteStats& last_stats() const { return stats_; }

 private:
  Status WriteInto(const std::string& tmp_dir,
                   std::span<const BlockReader* const> sources, int64_t mint,
                   int64_t maxt, BlockMeta* meta);

  // Constant after construction.
  FileSystem* const fs_;
  const std::string parent_dir_;
  const BlockWriterOptions options_;

  BlockWriteStats stats_;
};

// The compaction section for a block made from `parents`: level one above
// the highest parent's, the union of their sources (sorted), and the
// parents themselves.
BlockCompaction CompactionFromParents(std::span<const BlockMeta> parents);

}  // namespace strata

#endif  // STRATA_BLOCK_BLOCK_WRITER_H_
