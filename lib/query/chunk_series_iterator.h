// ChunkIterators for the public Series API: stored XOR chunks pass through
// untouched when they lie wholly inside the query range and no deletion
// touches them; a dense chunk (Strata-only) is converted one to one into
// the XOR chunk it came from, so the public API (and remote read's
// STREAMED_XOR_CHUNKS) only ever yields Prometheus's encodings; everything
// else is re-encoded from samples (SampleChunkEncoder): floats into XOR
// chunks of at most 120 samples, native histograms into histogram or float
// histogram chunks (encodings 2, 3) cut by the head's rules, never into
// floats.
//
// Thread-safety: none; one thread per iterator.
#ifndef STRATA_QUERY_CHUNK_SERIES_ITERATOR_H_
#define STRATA_QUERY_CHUNK_SERIES_ITERATOR_H_

#include <memory>
#include <string>
#include <vector>

#include "chunk/encoding.h"
#include "chunk/xor_chunk.h"
#include "index/reader.h"
#include "query/damage_recorder.h"
#include "strata/querier.h"

namespace strata {

// Cuts a sample iterator into chunks of the samples' own encodings.
class SampleChunkEncoder {
 public:
  // The next chunk from `it`'s samples, starting at its current one while
  // *have_sample (updated): up to `limit` floats as one XOR chunk, or a run
  // of up to `limit` histograms of one kind as histogram chunks (handed
  // out one per call). False when there is nothing left. `raw` points into
  // this encoder until the next call.
  bool Next(SampleIterator* it, bool* have_sample, int limit, RawChunk* raw);

 private:
  // Encodes a run of histograms into pending_.
  template <typename Appender, typename Value>
  void EncodeHistogramRun(SampleIterator* it, bool* have_sample, int limit,
                          chunk::Encoding encoding);

  chunk::XorChunk xor_;
  struct Pending {
    int64_t mint;
    int64_t maxt;
    std::string data;
  };
  std::vector<Pending> pending_;
  uint8_t pending_encoding_ = 0;
  size_t next_pending_ = 0;
};

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
  // The next chunk re-encoded from clipped_; resets it when exhausted.
  bool NextClipped();

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
  SampleChunkEncoder encoder_;
  std::unique_ptr<SampleIterator> clipped_;  // The chunk being re-encoded.
  bool clipped_have_ = false;
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
  SampleChunkEncoder encoder_;
  RawChunk current_;
  Status status_;
};

}  // namespace strata

#endif  // STRATA_QUERY_CHUNK_SERIES_ITERATOR_H_
