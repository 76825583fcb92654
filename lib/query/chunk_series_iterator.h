// ChunkIterators for the public Series API: stored XOR chunks pass through
// untouched when they lie wholly inside the query range and no deletion
// touches them; a dense chunk (Strata-only) is converted one to one into
// the XOR chunk it came from, so the public API (and remote read's
// STREAMED_XOR_CHUNKS) only ever yields Prometheus's encodings; everything
// else is re-encoded from samples (SampleChunkEncoder): floats into XOR
// chunks of at most 120 samples, native histograms into histogram or float
// histogram chunks (encodings 2, 3) cut as the block merger cuts them
// (chunk::HistogramSeriesAppender::WithMaxSamples), never into floats.
//
// Thread-safety: none; one thread per iterator.
#ifndef STRATA_QUERY_CHUNK_SERIES_ITERATOR_H_
#define STRATA_QUERY_CHUNK_SERIES_ITERATOR_H_

#include <memory>
#include <string>
#include <vector>

#include "chunk/cut_policy.h"
#include "chunk/encoding.h"
#include "chunk/histogram_series.h"
#include "chunk/xor_chunk.h"
#include "chunk/xor_format.h"
#include "index/reader.h"
#include "query/damage_recorder.h"
#include "strata/querier.h"

namespace strata {

// Cuts a sample iterator into chunks of the samples' own encodings, at
// most `max_samples` samples each: floats into XOR chunks, runs of
// histograms of one kind into histogram chunks cut as
// chunk::HistogramSeriesAppender::WithMaxSamples does (also where a
// histogram does not fit the open chunk: counter reset, schema or zero
// threshold change).
class SampleChunkEncoder {
 public:
  explicit SampleChunkEncoder(int max_samples);

  // The next chunk from `it`'s samples, starting at its current one while
  // *have_sample (updated). False when there is nothing left. `raw` points
  // into this encoder until the next call.
  bool Next(SampleIterator* it, bool* have_sample, RawChunk* raw);

 private:
  // Appends the run of histograms at `it` to *app until a chunk is
  // complete or the run ends, moving the finished chunks to pending_.
  template <typename Appender, typename Value>
  void EncodeHistograms(Appender* app, SampleIterator* it, bool* have_sample,
                        chunk::Encoding encoding);

  const int max_samples_;
  chunk::XorChunk xor_;
  // Hold a run's open chunk between calls; empty between runs.
  chunk::HistogramSeriesAppender histograms_;
  chunk::FloatHistogramSeriesAppender float_histograms_;
  std::vector<chunk::ClosedHistogramChunk> pending_;
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
  SampleChunkEncoder encoder_{chunk::xor_format::kMaxSamples};
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
  SampleChunkEncoder encoder_{chunk::kSamplesPerChunk};
  RawChunk current_;
  Status status_;
};

}  // namespace strata

#endif  // STRATA_QUERY_CHUNK_SERIES_ITERATOR_H_
