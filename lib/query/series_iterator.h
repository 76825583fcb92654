// Sample iterators over chunks from BlockReaders.
//
// ChunkChainIterator walks one block's chunks of one series (time-ordered,
// non-overlapping), clipped to [mint, maxt] and skipping deleted intervals.
// With a DamageContext it skips damaged chunks (CRC mismatch, or decoding
// fails part-way: the samples after the damage) and records them; without,
// damage ends the iteration with Corruption.
// MergingIterator interleaves several such iterators by timestamp, keeping
// the first of identical timestamps, for a series present in several
// (possibly overlapping) blocks.
//
// Thread-safety: none; one thread per iterator.
#ifndef STRATA_QUERY_SERIES_ITERATOR_H_
#define STRATA_QUERY_SERIES_ITERATOR_H_

#include <memory>
#include <vector>

#include "chunk/chunk_decoding.h"
#include "index/reader.h"
#include "query/damage_recorder.h"
#include "strata/querier.h"

namespace strata {

class ChunkChainIterator final : public SampleIterator {
 public:
  // `chunks` sorted by mint; `reader` outlives the iterator.
  ChunkChainIterator(const ChunkReader* reader, std::vector<ChunkMeta> chunks,
                     int64_t mint, int64_t maxt, Intervals deleted,
                     DamageContext damage = {});

  bool Next() override;
  bool Seek(int64_t t) override;
  int64_t t() const override { return it_.t(); }
  double v() const override { return it_.v(); }
  SampleValueType value_type() const override {
    return chunk::IsHistogramEncoding(it_.encoding())
               ? static_cast<SampleValueType>(it_.encoding())
               : SampleValueType::kFloat;
  }
  const Histogram& histogram() const override { return it_.histogram(); }
  FloatHistogram float_histogram() const override {
    return it_.float_histogram();
  }
  Status status() const override { return status_; }
  // Decodes the run without a virtual call per sample.
  size_t ReadFloats(int64_t maxt, int64_t* ts, double* vs, size_t max,
                    bool* more) override;

 private:
  // Opens chunk `next_chunk_`; false when there are no more or on error.
  bool OpenNextChunk();
  // Reads every chunk in range at once, on first use.
  Status FetchAll();
  // After a batch read failed on damage: reads chunk by chunk, dropping
  // (and recording) the damaged ones.
  Status FetchIntact();
  bool IsDeleted(int64_t t);
  // Advances within chunks until a sample in range and not deleted.
  bool Settle(bool have_sample);

  const ChunkReader* reader_;
  std::vector<ChunkMeta> chunks_;
  const int64_t mint_;
  const int64_t maxt_;
  Intervals deleted_;
  const DamageContext damage_;
  size_t deleted_pos_ = 0;
  size_t next_chunk_ = 0;
  bool fetched_ = false;
  std::vector<ChunkBytes> bytes_;  // bytes_[i] is chunks_[i]'s.
  ChunkBytes current_;
  chunk::ChunkSampleIterator it_;
  bool open_ = false;
  bool done_ = false;
  Status status_;
};

class MergingIterator final : public SampleIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<SampleIterator>> its);

  bool Next() override;
  bool Seek(int64_t t) override;
  int64_t t() const override { return cur_->t(); }
  double v() const override { return cur_->v(); }
  SampleValueType value_type() const override { return cur_->value_type(); }
  const Histogram& histogram() const override { return cur_->histogram(); }
  FloatHistogram float_histogram() const override {
    return cur_->float_histogram();
  }
  Status status() const override { return status_; }
  // The only part's runs when there is one part; else sample by sample.
  size_t ReadFloats(int64_t maxt, int64_t* ts, double* vs, size_t max,
                    bool* more) override;

 private:
  // Picks the iterator with the smallest timestamp among those that have a
  // sample; advances the others past equal timestamps.
  bool Pick();

  std::vector<std::unique_ptr<SampleIterator>> its_;
  std::vector<bool> valid_;
  SampleIterator* cur_ = nullptr;
  bool started_ = false;
  Status status_;
};

}  // namespace strata

#endif  // STRATA_QUERY_SERIES_ITERATOR_H_
