#include "query/chunk_series_iterator.h"

#include "chunk/chunk_decoding.h"
#include "chunk/cut_policy.h"
#include "chunk/encoding.h"
#include "query/series_iterator.h"

namespace strata {

namespace {

template <typename Value>
const Value& ValueOf(const SampleIterator& it, Value* scratch);
template <>
const Histogram& ValueOf(const SampleIterator& it, Histogram*) {
  return it.histogram();
}
template <>
const FloatHistogram& ValueOf(const SampleIterator& it,
                              FloatHistogram* scratch) {
  *scratch = it.float_histogram();
  return *scratch;
}

}  // namespace

SampleChunkEncoder::SampleChunkEncoder(int max_samples)
    : max_samples_(max_samples),
      histograms_(chunk::HistogramSeriesAppender::WithMaxSamples(max_samples)),
      float_histograms_(
          chunk::FloatHistogramSeriesAppender::WithMaxSamples(max_samples)) {}

template <typename Appender, typename Value>
void SampleChunkEncoder::EncodeHistograms(Appender* app, SampleIterator* it,
                                          bool* have_sample,
                                          chunk::Encoding encoding) {
  pending_.clear();
  next_pending_ = 0;
  pending_encoding_ = static_cast<uint8_t>(encoding);
  const SampleValueType type = it->value_type();
  Value scratch;
  while (pending_.empty() && *have_sample && it->value_type() == type) {
    app->Append(it->t(), ValueOf(*it, &scratch));
    *have_sample = it->Next();
    if (!*have_sample || it->value_type() != type) {
      app->TakeAll(&pending_);
    } else {
      app->TakeCompleted(&pending_);
    }
  }
}

bool SampleChunkEncoder::Next(SampleIterator* it, bool* have_sample,
                              RawChunk* raw) {
  if (next_pending_ >= pending_.size() && *have_sample) {
    switch (it->value_type()) {
      case SampleValueType::kHistogram:
        EncodeHistograms<chunk::HistogramSeriesAppender, Histogram>(
            &histograms_, it, have_sample, chunk::Encoding::kHistogram);
        break;
      case SampleValueType::kFloatHistogram:
        EncodeHistograms<chunk::FloatHistogramSeriesAppender, FloatHistogram>(
            &float_histograms_, it, have_sample,
            chunk::Encoding::kFloatHistogram);
        break;
      case SampleValueType::kFloat: {
        xor_ = chunk::XorChunk();
        auto app = xor_.NewAppender();
        int n = 0;
        while (*have_sample && n < max_samples_ &&
               it->value_type() == SampleValueType::kFloat) {
          if (n == 0) raw->mint = it->t();
          raw->maxt = it->t();
          app->Append(it->t(), it->v());
          ++n;
          *have_sample = it->Next();
        }
        raw->encoding = static_cast<uint8_t>(chunk::Encoding::kXor);
        raw->data = xor_.Bytes();
        return n > 0;
      }
    }
  }
  if (next_pending_ >= pending_.size()) return false;
  const chunk::ClosedHistogramChunk& p = pending_[next_pending_++];
  *raw = RawChunk{p.mint, p.maxt, pending_encoding_, p.data};
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
  if (clipped_ != nullptr && NextClipped()) return true;
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
    // Clip or drop deleted samples: re-encode just this chunk (a
    // histogram chunk may give several).
    clipped_ = std::make_unique<ChunkChainIterator>(
        reader_, std::vector<ChunkMeta>{meta}, mint_, maxt_, deleted_, damage_);
    clipped_have_ = clipped_->Next();
    if (NextClipped()) return true;
    if (!status_.ok()) return false;
  }
  return false;
}

bool BlockChunkIterator::NextClipped() {
  const bool any = encoder_.Next(clipped_.get(), &clipped_have_, &current_);
  if (!clipped_->status().ok()) {
    status_ = clipped_->status();
    return false;
  }
  if (!any) clipped_.reset();
  return any;
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
  const bool any = encoder_.Next(samples_.get(), &have_sample_, &current_);
  if (!samples_->status().ok()) {
    status_ = samples_->status();
    return false;
  }
  return any;
}

}  // namespace strata
