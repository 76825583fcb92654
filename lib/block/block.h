// Block: a persisted, immutable block directory in Prometheus 2.42's TSDB
// format, read through the BlockReader interface that the head implements
// too:
//
//   <dir>/meta.json    BlockMeta (block_meta.h)
//   <dir>/index        the index (index/index_file_reader.h)
//   <dir>/chunks/NNNNNN  chunk segments (chunk_file_reader.h)
//   <dir>/tombstones   deleted intervals (tombstones.h); optional
//
// Blocks are shared as std::shared_ptr<const Block>: queriers and the
// compactor hold a reference for as long as they read, so a block that is
// dropped from the DB (retention, compaction) stays mapped until its last
// reader is done.
//
// Time range: meta.json's maxTime is exclusive; MaxTime() here is the
// inclusive bound every BlockReader reports (meta().max_time - 1).
//
// Thread-safety: immutable after Open; safe for concurrent readers.
#ifndef STRATA_BLOCK_BLOCK_H_
#define STRATA_BLOCK_BLOCK_H_

#include <cstdint>
#include <memory>
#include <string>

#include "block/block_meta.h"
#include "block/chunk_file_reader.h"
#include "block/tombstones.h"
#include "index/index_file_reader.h"
#include "index/reader.h"
#include "util/file_system.h"

namespace strata {

struct BlockOptions {
  ChunkReaderOptions chunks;
};

class Block final : public BlockReader {
 public:
  // Opens and validates meta.json (parse, version), the index (header and
  // table of contents), every chunk segment header and the tombstones
  // (checksum). Errors say "block <ULID>: <file>: ..."; damaged files are
  // Corruption. `fs` must outlive the block.
  static StatusOr<std::shared_ptr<const Block>> Open(
      FileSystem* fs, const std::string& dir, const BlockOptions& options = {});
  ~Block() override;

  // BlockReader.
  int64_t MinTime() const override { return meta_.min_time; }
  // Inclusive: meta.json's exclusive maxTime minus one.
  int64_t MaxTime() const override { return meta_.max_time - 1; }
  const IndexReader& Index() const override;
  const ChunkReader& Chunks() const override;
  const TombstoneReader& Tombstones() const override;
  std::string Name() const override { return meta_.ulid.ToString(); }

  const BlockMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  const ChunkFileReader& chunk_files() const { return *chunks_; }
  const IndexFileReader& index_file() const { return *index_; }
  // Bytes on disk: chunks, index, tombstones and meta.json.
  int64_t Size() const { return size_; }

  // Full check for offline tools (slow: reads everything): the index's own
  // Verify, every chunk's CRC (also chunks no series references), every
  // referenced chunk decodes with exactly its index time range, series in
  // label order with chunks in time order and inside [minTime, maxTime),
  // and meta.json's stats equal to what the files hold.
  Status Verify() const;

  // The block's deletions, for DB::DeleteSeries: add intervals here, then
  // persist them with WriteTombstonesFile(dir()). MemTombstones is
  // internally locked, so this is safe while the block is read.
  MemTombstones* mutable_tombstones() const { return tombstones_.get(); }

 private:
  Block(std::string dir, BlockMeta meta, std::unique_ptr<IndexFileReader> index,
        std::unique_ptr<ChunkFileReader> chunks,
        std::unique_ptr<MemTombstones> tombstones, int64_t size);

  // "block <ULID>: <message>", keeping the code.
  Status Context(const Status& s) const;

  // Constant after construction.
  const std::string dir_;
  const BlockMeta meta_;
  const std::unique_ptr<IndexFileReader> index_;
  const std::unique_ptr<ChunkFileReader> chunks_;
  const std::unique_ptr<MemTombstones> tombstones_;
  const int64_t size_;
};

}  // namespace strata

#endif  // STRATA_BLOCK_BLOCK_H_
