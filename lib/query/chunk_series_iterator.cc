#include "query/chunk_series_iterator.h"

#include "chunk/chunk_decoding.h"
#include "chunk/cut_policy.h"
#include "chunk/encoding.h"
#include "query/series_iterator.h"

namespace strata {

bool EncodeSamples(SampleIterator* it, bool* have_sample, int limit,
                   chunk::XorChunk* out, RawChunk* raw) {
  *out = chunk::XorChunk();
  auto app = out->NewAppender();
  int n = 0;
  while (*have_sample && n < limit) {
    if (n == 0) raw->mint = it->t();
    raw->maxt = it->t();
    app->Append(it->t(), it->v());
    ++n;
    *have_sample = it->Next();
  }
  if (n == 0) return false;
  raw->encoding = static_cast<uint8_t>(chunk::Encoding::kXor);
  raw->data = out->Bytes();
  return true;
}

BlockChunkIterator::BlockChunkIterator(const ChunkReader* reader,
                                       std::vector<ChunkMeta> chunks,
                                       int64_t mint, int64_t maxt,
                                       Intervals deleted, DamageContext damage)
    : reader_(reader),
      chunks_(std::move(chunks)),
      mint_(mint),
      maxt_(maxt),
      deleted_(std::move(deleted)),
      damage_(damage) {}

bool BlockChunkIterator::Untouched(const ChunkMeta& meta) const {
  if (meta.mint < mint_ || meta.maxt > maxt_) return false;
  for (const Interval& d : deleted_) {
    if (d.mint <= meta.maxt && meta.mint <= d.maxt) return false;
  }
  return true;
}

bool BlockChunkIterator::Next() {
  while (status_.ok() && next_ < chunks_.size()) {
    const ChunkMeta& meta = chunks_[next_++];
    if (!meta.Overlaps(mint_, maxt_)) continue;
    if (Untouched(meta)) {
      StatusOr<ChunkBytes> bytes = reader_->Chunk(meta);
      if (!bytes.ok()) {
        if (damage_.Skip(CorruptionKind::kChunk, bytes.status())) continue;
        status_ = bytes.status();
        return false;
      }
      bytes_ = std::move(bytes).value();
      current_ = RawChunk{meta.mint, meta.maxt, bytes_.encoding, bytes_.data};
      if (bytes_.encoding != static_cast<uint8_t>(chunk::Encoding::kDense)) {
        return true;
      }
      Status st = ConvertToXor(meta);
      if (st.ok()) return true;
      if (damage_.Skip(CorruptionKind::kChunk, st)) continue;
      status_ = std::move(st);
      return false;
    }
    // Clip or drop deleted samples: re-encode just this chunk.
    ChunkChainIterator samples(reader_, {meta}, mint_, maxt_, deleted_,
                               damage_);
    bool have = samples.Next();
    const bool any = EncodeSamples(
        &samples, &have, chunk::xor_format::kMaxSamples, &encoded_, &current_);
    if (!samples.status().ok()) {
      status_ = samples.status();
      return false;
    }
    if (any) return true;
  }
  return false;
}

Status BlockChunkIterator::ConvertToXor(const ChunkMeta& meta) {
  ts_.clear();
  vs_.clear();
  if (const char* err =
          chunk::DecodeChunk(bytes_.encoding, bytes_.data, &ts_, &vs_)) {
    return Status::Corruption("decoding chunk " + std::to_string(meta.ref) +
                              ": " + err);
  }
  converted_ = chunk::EncodeXorChunk(ts_, vs_);
  current_.encoding = static_cast<uint8_t>(chunk::Encoding::kXor);
  current_.data = converted_;
  return Status::OK();
}

EncodingChunkIterator::EncodingChunkIterator(
    std::unique_ptr<SampleIterator> samples)
    : samples_(std::move(samples)) {}

bool EncodingChunkIterator::Next() {
  if (!started_) {
    started_ = true;
    have_sample_ = samples_->Next();
  }
  const bool any = EncodeSamples(samples_.get(), &have_sample_,
                                 chunk::kSamplesPerChunk, &encoded_, &current_);
  if (!samples_->status().ok()) {
    status_ = samples_->status();
    return false;
  }
  return any;
}

}  // namespace strata
