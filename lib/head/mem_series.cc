#include "head/mem_series.h"

#include <cstring>

#include "util/coding.h"

namespace strata {

MemSeries::MemSeries(SeriesId id, uint64_t hash,
                     std::vector<MemPostings::Pair> labels)
    : id_(id), hash_(hash), labels_(std::move(labels)) {}

Labels MemSeries::labels() const {
  std::vector<Label> out;
  out.reserve(labels_.size());
  for (const auto& p : labels_) out.push_back({*p.name, *p.value});
  return Labels::FromUnchecked(std::move(out));
}

bool MemSeries::LabelsEqual(const Labels& other) const {
  if (other.size() != labels_.size()) return false;
  for (size_t i = 0; i < labels_.size(); ++i) {
    if (*labels_[i].name != other[i].name ||
        *labels_[i].value != other[i].value) {
      return false;
    }
  }
  return true;
}

AppendOutcome MemSeries::Check(int64_t t, double v) const {
  absl::MutexLock lock(&mu_);
  return CheckLocked(t, v);
}

AppendOutcome MemSeries::CheckLocked(int64_t t, double v) const {
  // max_time_ only changes under mu_, so here it is exact; it survives the
  // open chunk being truncated away.
  const int64_t last = max_time_.load(std::memory_order_relaxed);
  if (last == kMinTime || t > last) return AppendOutcome::kAppended;
  if (t < last) return AppendOutcome::kOutOfOrder;
  return DoubleBits(v) == last_value_bits_ ? AppendOutcome::kDuplicate
                                           : AppendOutcome::kConflict;
}

AppendOutcome MemSeries::Append(int64_t t, double v, int64_t chunk_range,
                                bool* new_chunk) {
  absl::MutexLock lock(&mu_);
  *new_chunk = false;
  if (AppendOutcome o = CheckLocked(t, v); o != AppendOutcome::kAppended) {
    return o;
  }
  if (open_) {
    if (open_->Full() ||
        chunk::ShouldCut(&cut_, open_->NumSamples(), open_mint_, open_maxt_, t,
                         chunk_range)) {
      CutChunk(t, chunk_range);
      *new_chunk = true;
    }
  } else {
    CutChunk(t, chunk_range);
    *new_chunk = true;
  }
  appender_->Append(t, v);
  if (open_->NumSamples() == 1) open_mint_ = t;
  open_maxt_ = t;
  last_value_bits_ = DoubleBits(v);
  max_time_.store(t, std::memory_order_release);
  return AppendOutcome::kAppended;
}

void MemSeries::CutChunk(int64_t t, int64_t chunk_range) {
  if (open_ && open_->NumSamples() > 0) {
    std::string_view bytes = open_->Bytes();
    ClosedChunk closed{std::make_unique<char[]>(bytes.size()),
                       static_cast<uint32_t>(bytes.size()), open_mint_,
                       open_maxt_};
    std::memcpy(closed.data.get(), bytes.data(), bytes.size());
    closed_.push_back(std::move(closed));
  }
  open_ = std::make_unique<chunk::XorChunk>();
  appender_ = open_->NewAppender();
  open_mint_ = t;
  open_maxt_ = t;
  chunk::OnChunkStarted(&cut_, t, chunk_range);
}

void MemSeries::ChunkMetas(int64_t mint, int64_t maxt,
                           std::vector<ChunkMeta>* out) const {
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < closed_.size(); ++i) {
    const ClosedChunk& c = closed_[i];
    if (c.mint <= maxt && mint <= c.maxt) {
      out->push_back({ChunkRef(id_, first_seq_ + static_cast<uint32_t>(i)),
                      c.mint, c.maxt});
    }
  }
  if (open_ && open_->NumSamples() > 0 && open_mint_ <= maxt &&
      mint <= open_maxt_) {
    out->push_back(
        {ChunkRef(id_, first_seq_ + static_cast<uint32_t>(closed_.size())),
         open_mint_, open_maxt_});
  }
}

StatusOr<ChunkBytes> MemSeries::ChunkCopy(uint32_t seq) const {
  auto copy = std::make_shared<std::string>();
  {
    absl::MutexLock lock(&mu_);
    if (seq < first_seq_) return Status::NotFound("head chunk truncated");
    const size_t idx = seq - first_seq_;
    if (idx < closed_.size()) {
      copy->assign(closed_[idx].data.get(), closed_[idx].size);
    } else if (idx == closed_.size() && open_) {
      copy->assign(open_->Bytes());
    } else {
      return Status::NotFound("head chunk not found");
    }
  }
  ChunkBytes out;
  out.encoding = static_cast<uint8_t>(chunk::Encoding::kXor);
  out.data = *copy;
  out.keep_alive = std::move(copy);
  return out;
}

size_t MemSeries::TruncateChunksBefore(int64_t mint) {
  absl::MutexLock lock(&mu_);
  size_t drop = 0;
  while (drop < closed_.size() && closed_[drop].maxt < mint) ++drop;
  if (drop > 0) {
    closed_.erase(closed_.begin(),
                  closed_.begin() + static_cast<ptrdiff_t>(drop));
    first_seq_ += static_cast<uint32_t>(drop);
  }
  if (closed_.empty() && open_ && open_maxt_ < mint) {
    // The open chunk is wholly old too: the series has nothing left, but
    // keeps its newest timestamp so order checks still hold.
    open_.reset();
    appender_.reset();
    first_seq_ += 1;
  }
  return closed_.size() + (open_ ? 1 : 0);
}

bool MemSeries::MarkDeadIfEmpty() {
  absl::MutexLock lock(&mu_);
  if (!closed_.empty() || open_) return false;
  return MarkDead();
}

int64_t MemSeries::MinTime() const {
  absl::MutexLock lock(&mu_);
  if (!closed_.empty()) return closed_.front().mint;
  if (open_) return open_mint_;
  return kMaxTime;
}

size_t MemSeries::NumChunks() const {
  absl::MutexLock lock(&mu_);
  return closed_.size() + (open_ ? 1 : 0);
}

size_t MemSeries::MemoryBytes() const {
  absl::MutexLock lock(&mu_);
  size_t bytes = sizeof(*this) + labels_.capacity() * sizeof(labels_[0]) +
                 closed_.capacity() * sizeof(ClosedChunk);
  for (const auto& c : closed_) bytes += c.size;
  if (open_) bytes += sizeof(chunk::XorChunk) + open_->Bytes().size() + 64;
  return bytes;
}

}  // namespace strata
