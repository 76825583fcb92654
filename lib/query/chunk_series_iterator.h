// ChunkIterators for the public Series API: stored XOR chunks pass through
// untouched when they lie wholly inside the query range and no deletion
// touches them; a dense chunk (Strata-only) is converted one to one into
// the XOR chunk it came from, so the public API (and remote read's
// STREAMED_XOR_CHUNKS) only ever yields Prometheus's encodings; everything
// else is re-encoded from samples into XOR chunks of at most 120 samples.
//
// Thread-safety: none; one thread per iterator.
#ifndef STRATA_QUERY_CHUNK_SERIES_ITERATOR_H_
#define STRATA_QUERY_CHUNK_SERIES_ITERATOR_H_

#include <memory>
#include <string>
#include <vector>

#include "chunk/xor_chunk.h"
#include "index/reader.h"
#include "query/damage_recorder.h"
#include "strata/querier.h"

namespace strata {

// One block's chunks of one series; damaged chunks are skipped and
// recorded when `damage` has a recorder (see ChunkChainIterator).
class BlockChunkIterator : public ChunkIterator {
 public:
  BlockChunkIterator(const ChunkReader* reader, std::vector<ChunkMeta> chunks,
                     int64_t mint, int64_t maxt, Intervals deleted,
                     DamageContext damage = {});
  bool Next() override;
  const RawChunk& At() const override { return current_; }
  Status status() const override { return status_; }

 private:
  bool Untouched(const ChunkMeta& meta) const;

  const ChunkReader* reader_;
  std::vector<ChunkMeta> chunks_;
  const int64_t mint_;
  const int64_t maxt_;
  Intervals deleted_;
  const DamageContext damage_;
  size_t next_ = 0;
  // Converts a dense bytes_ into XOR in converted_ and points current_
  // at it; Corruption if it does not decode.
  Status ConvertToXor(const ChunkMeta& meta);

  ChunkBytes bytes_;
  chunk::XorChunk encoded_;
  std::string converted_;
  std::vector<int64_t> ts_;  // Scratch for ConvertToXor.
  std::vector<double> vs_;
  RawChunk current_;
  Status status_;
};

// Re-encodes any sample iterator into chunks.
class EncodingChunkIterator : public ChunkIterator {
 public:
  explicit EncodingChunkIterator(std::unique_ptr<SampleIterator> samples);
  bool Next() override;
  const RawChunk& At() const override { return current_; }
  Status status() const override { return status_; }

 private:
  std::unique_ptr<SampleIterator> samples_;
  bool have_sample_ = false;
  bool started_ = false;
  chunk::XorChunk encoded_;
  RawChunk current_;
  Status status_;
};

// Fills `out` with the samples of `it` (up to `limit`), returning whether
// any were written; min/max times are set on `raw`.
bool EncodeSamples(SampleIterator* it, bool* have_sample, int limit,
                   chunk::XorChunk* out, RawChunk* raw);

}  // namespace strata

#endif  // STRATA_QUERY_CHUNK_SERIES_ITERATOR_H_
