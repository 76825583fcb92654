#include "query/series_iterator.h"

#include "absl/strings/str_cat.h"
#include "chunk/encoding.h"

namespace strata {

ChunkChainIterator::ChunkChainIterator(const ChunkReader* reader,
                                       std::vector<ChunkMeta> chunks,
                                       int64_t mint, int64_t maxt,
                                       Intervals deleted, DamageContext damage)
    : reader_(reader),
      chunks_(std::move(chunks)),
      mint_(mint),
      maxt_(maxt),
      deleted_(std::move(deleted)),
      damage_(damage) {}

Status ChunkChainIterator::FetchAll() {
  fetched_ = true;
  // Only chunks that overlap the range; one batched read for all of them
  // (io_uring for on-disk blocks).
  std::erase_if(chunks_,
                [&](const ChunkMeta& m) { return !m.Overlaps(mint_, maxt_); });
  Status st = reader_->ReadBatch(chunks_, &bytes_);
  if (st.ok() || !st.IsCorruption() || damage_.recorder == nullptr) return st;
  return FetchIntact();
}

Status ChunkChainIterator::FetchIntact() {
  std::vector<ChunkMeta> intact;
  bytes_.clear();
  for (const ChunkMeta& m : chunks_) {
    StatusOr<ChunkBytes> c = reader_->Chunk(m);
    if (!c.ok()) {
      if (damage_.Skip(CorruptionKind::kChunk, c.status())) continue;
      return c.status();
    }
    intact.push_back(m);
    bytes_.push_back(std::move(c).value());
  }
  chunks_ = std::move(intact);
  return Status::OK();
}

bool ChunkChainIterator::OpenNextChunk() {
  open_ = false;
  if (!fetched_) {
    status_ = FetchAll();
    if (!status_.ok()) return false;
  }
  while (next_chunk_ < chunks_.size()) {
    ChunkBytes& bytes = bytes_[next_chunk_++];
    if (!chunk::IsReadableEncoding(bytes.encoding)) {
      status_ = Status::NotSupported(
          absl::StrCat("chunk encoding ", bytes.encoding, " not supported"));
      return false;
    }
    current_ = std::move(bytes);
    it_.Reset(current_.encoding, current_.data);
    open_ = true;
    return true;
  }
  return false;
}

bool ChunkChainIterator::IsDeleted(int64_t t) {
  while (deleted_pos_ < deleted_.size() && deleted_[deleted_pos_].maxt < t) {
    ++deleted_pos_;
  }
  return deleted_pos_ < deleted_.size() && deleted_[deleted_pos_].Contains(t);
}

bool ChunkChainIterator::Settle(bool have_sample) {
  while (true) {
    if (!have_sample) {
      if (open_ && it_.error()) {
        Status error = Status::Corruption("decoding chunk: " +
                                          std::string(it_.error_message()));
        if (!damage_.Skip(CorruptionKind::kChunk, error)) {
          status_ = std::move(error);
          done_ = true;
          return false;
        }
      }
      if (!OpenNextChunk()) {
        done_ = true;
        return false;
      }
      have_sample = it_.Seek(mint_);
      continue;
    }
    const int64_t t = it_.t();
    if (t > maxt_) {
      done_ = true;
      return false;
    }
    if (t >= mint_ && (deleted_.empty() || !IsDeleted(t))) return true;
    have_sample = it_.Next();
  }
}

bool ChunkChainIterator::Next() {
  if (done_) return false;
  return Settle(open_ && it_.Next());
}

bool ChunkChainIterator::Seek(int64_t t) {
  if (done_) return false;
  if (open_ && it_.num_read() > 0 && it_.t() >= t) return true;
  // Skip whole chunks that end before t.
  while (true) {
    if (open_) {
      const ChunkMeta& meta = chunks_[next_chunk_ - 1];
      if (meta.maxt >= t) break;
    }
    if (!OpenNextChunk()) {
      done_ = true;
      return false;
    }
  }
  const int64_t target = std::max(t, mint_);
  return Settle(it_.Seek(target));
}

size_t ChunkChainIterator::ReadFloats(int64_t maxt, int64_t* ts, double* vs,
                                      size_t max, bool* more) {
  *more = true;
  size_t n = 0;
  while (n < max && !chunk::IsHistogramEncoding(it_.encoding())) {
    const int64_t t = it_.t();
    if (t > maxt) break;
    ts[n] = t;
    vs[n] = it_.v();
    ++n;
    if (!Next()) {
      *more = false;
      break;
    }
  }
  return n;
}

MergingIterator::MergingIterator(
    std::vector<std::unique_ptr<SampleIterator>> its)
    : its_(std::move(its)), valid_(its_.size(), false) {}

bool MergingIterator::Pick() {
  cur_ = nullptr;
  for (size_t i = 0; i < its_.size(); ++i) {
    if (!valid_[i]) continue;
    if (cur_ == nullptr || its_[i]->t() < cur_->t()) cur_ = its_[i].get();
  }
  return cur_ != nullptr;
}

bool MergingIterator::Next() {
  if (!started_) {
    started_ = true;
    for (size_t i = 0; i < its_.size(); ++i) valid_[i] = its_[i]->Next();
  } else {
    if (cur_ == nullptr) return false;
    const int64_t t = cur_->t();
    // Advance every iterator sitting at the current timestamp: identical
    // samples from overlapping blocks appear once.
    for (size_t i = 0; i < its_.size(); ++i) {
      if (valid_[i] && its_[i]->t() == t) valid_[i] = its_[i]->Next();
    }
  }
  for (const auto& it : its_) {
    if (!it->status().ok()) {
      status_ = it->status();
      cur_ = nullptr;
      return false;
    }
  }
  return Pick();
}

bool MergingIterator::Seek(int64_t t) {
  if (started_ && cur_ != nullptr && cur_->t() >= t) return true;
  started_ = true;
  for (size_t i = 0; i < its_.size(); ++i) {
    if (!valid_[i] || its_[i]->t() < t) valid_[i] = its_[i]->Seek(t);
  }
  for (const auto& it : its_) {
    if (!it->status().ok()) {
      status_ = it->status();
      cur_ = nullptr;
      return false;
    }
  }
  return Pick();
}

size_t MergingIterator::ReadFloats(int64_t maxt, int64_t* ts, double* vs,
                                   size_t max, bool* more) {
  if (its_.size() != 1) {
    return SampleIterator::ReadFloats(maxt, ts, vs, max, more);
  }
  const size_t n = its_[0]->ReadFloats(maxt, ts, vs, max, more);
  valid_[0] = *more;
  if (!*more) {
    status_ = its_[0]->status();
    cur_ = nullptr;
  }
  return n;
}

}  // namespace strata
