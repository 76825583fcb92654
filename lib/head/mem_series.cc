#include "head/mem_series.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <optional>

#include "chunk/chunk_decoding.h"
#include "chunk/xor_iterator.h"
#include "util/coding.h"
#include "util/huge_page_pool.h"

namespace strata {

namespace {

// Never destroyed: series may outlive static destruction order.
HugePagePool& SeriesPool() {
  static auto* pool = new HugePagePool(sizeof(MemSeries));
  return *pool;
}

}  // namespace

void* MemSeries::operator new(size_t size) {
  assert(size == sizeof(MemSeries));
  (void)size;
  return SeriesPool().Allocate();
}
void* MemSeries::operator new(size_t size, std::align_val_t) {
  return operator new(size);
}
void MemSeries::operator delete(void* p) { SeriesPool().Free(p); }
void MemSeries::operator delete(void* p, std::align_val_t) {
  SeriesPool().Free(p);
}

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
  SpinLockHolder lock(&mu_);
  return CheckLocked(t, v);
}

AppendOutcome MemSeries::CheckLocked(int64_t t, double v) const {
  // With an open chunk its newest sample is the series' newest; without
  // one, max_time_ (which only changes under mu_, so it is exact here)
  // survives the chunks being truncated away.
  const bool open = open_.NumSamples() > 0;
  const int64_t last =
      open ? open_.last_t() : max_time_.load(std::memory_order_relaxed);
  if (last == kMinTime || t > last) return AppendOutcome::kAppended;
  if (t < last) return AppendOutcome::kOutOfOrder;
  if (hist_ != nullptr && hist_->last_type != SampleValueType::kFloat) {
    return AppendOutcome::kConflict;  // A histogram at t.
  }
  const uint64_t last_bits = open ? open_.last_v_bits() : last_value_bits_;
  return DoubleBits(v) == last_bits ? AppendOutcome::kDuplicate
                                    : AppendOutcome::kConflict;
}

AppendOutcome MemSeries::Append(int64_t t, double v, int64_t chunk_range,
                                HeadChunkFiles* files, bool* new_chunk) {
  SpinLockHolder lock(&mu_);
  *new_chunk = false;
  // Under mu_, as MarkDeadIfEmpty: a removal and an append never both
  // succeed.
  if (dead()) return AppendOutcome::kRemoved;
  if (AppendOutcome o = CheckLocked(t, v); o != AppendOutcome::kAppended) {
    return o;
  }
  const int n = open_.NumSamples();
  // The cut rule reads the chunk's first timestamp only at one sample
  // count; passing it only then keeps a second cache line off this path.
  if (n == 0 || open_.Full() ||
      chunk::ShouldCut(&cut_, n,
                       n == chunk::kSamplesPerChunk / 4 ? open_mint_ : 0,
                       open_.last_t(), t, chunk_range)) {
    CutChunk(t, chunk_range, files);
    *new_chunk = true;
  }
  open_.Append(t, v);
  max_time_.store(t, std::memory_order_release);
  return AppendOutcome::kAppended;
}

MemSeries::ClosedChunk MemSeries::CloseOpenChunk(HeadChunkFiles* files) {
  const bool xor_open = open_.NumSamples() > 0;
  const std::string_view bytes = xor_open ? open_.Bytes() : hist_->Bytes();
  const chunk::Encoding encoding =
      xor_open ? chunk::Encoding::kXor : hist_->encoding();
  ClosedChunk closed{nullptr,
                     static_cast<uint32_t>(bytes.size()),
                     static_cast<uint16_t>(xor_open ? open_.NumSamples()
                                                    : hist_->NumSamples()),
                     static_cast<uint8_t>(encoding),
                     open_mint_,
                     OpenLastTime()};
  if (files != nullptr) {
    StatusOr<uint64_t> ref =
        files->Write(id_, closed.mint, closed.maxt, closed.encoding, bytes);
    if (ref.ok()) {
      closed.disk_ref = *ref;
      return closed;
    }
  }
  closed.data = std::make_unique<char[]>(bytes.size());
  std::memcpy(closed.data.get(), bytes.data(), bytes.size());
  return closed;
}

void MemSeries::CutChunk(int64_t t, int64_t chunk_range,
                         HeadChunkFiles* files) {
  if (open_.NumSamples() > 0) {
    closed_.push_back(CloseOpenChunk(files));
    open_ = chunk::XorChunk();
  } else if (HistogramChunkOpen()) {
    closed_.push_back(CloseOpenChunk(files));
    hist_->chunk = std::monostate();
  }
  // A float sample follows unless AppendHistogram says otherwise.
  if (hist_ != nullptr) hist_->last_type = SampleValueType::kFloat;
  open_mint_ = t;
  chunk::OnChunkStarted(&cut_, t, chunk_range);
}

void MemSeries::ChunkMetas(int64_t mint, int64_t maxt,
                           std::vector<ChunkMeta>* out) const {
  SpinLockHolder lock(&mu_);
  for (size_t i = 0; i < closed_.size(); ++i) {
    const ClosedChunk& c = closed_[i];
    if (c.mint <= maxt && mint <= c.maxt) {
      out->push_back({ChunkRef(id_, first_seq_ + static_cast<uint32_t>(i)),
                      c.mint, c.maxt});
    }
  }
  if (HasOpenChunk() && open_mint_ <= maxt && mint <= OpenLastTime()) {
    out->push_back(
        {ChunkRef(id_, first_seq_ + static_cast<uint32_t>(closed_.size())),
         open_mint_, OpenLastTime()});
  }
}

StatusOr<ChunkBytes> MemSeries::ChunkCopy(uint32_t seq,
                                          const HeadChunkFiles* files) const {
  auto copy = std::make_shared<std::string>();
  uint64_t disk_ref = 0;
  uint8_t encoding = static_cast<uint8_t>(chunk::Encoding::kXor);
  {
    SpinLockHolder lock(&mu_);
    if (seq < first_seq_) return Status::NotFound("head chunk truncated");
    const size_t idx = seq - first_seq_;
    if (idx < closed_.size()) {
      disk_ref = closed_[idx].disk_ref;
      encoding = closed_[idx].encoding;
      if (disk_ref == 0) {
        copy->assign(closed_[idx].data.get(), closed_[idx].size);
      }
    } else if (idx == closed_.size() && open_.NumSamples() > 0) {
      copy->assign(open_.Bytes());
    } else if (idx == closed_.size() && HistogramChunkOpen()) {
      copy->assign(hist_->Bytes());
      encoding = static_cast<uint8_t>(hist_->encoding());
    } else {
      return Status::NotFound("head chunk not found");
    }
  }
  if (disk_ref != 0) {
    // The bytes of a chunk on disk never change; a truncation racing this
    // read makes it NotFound, as for a chunk in memory.
    if (files == nullptr) return Status::Internal("head chunk files closed");
    STRATA_ASSIGN_OR_RETURN(*copy, files->Read(disk_ref));
  }
  ChunkBytes out;
  out.encoding = encoding;
  out.data = *copy;
  out.keep_alive = std::move(copy);
  return out;
}

size_t MemSeries::TruncateChunksBefore(int64_t mint) {
  SpinLockHolder lock(&mu_);
  size_t drop = 0;
  while (drop < closed_.size() && closed_[drop].maxt < mint) ++drop;
  if (drop > 0) {
    closed_.erase(closed_.begin(),
                  closed_.begin() + static_cast<ptrdiff_t>(drop));
    first_seq_ += static_cast<uint32_t>(drop);
  }
  if (closed_.empty() && open_.NumSamples() > 0 && open_.last_t() < mint) {
    // The open chunk is wholly old too: the series has nothing left, but
    // keeps its newest sample so order and duplicate checks still hold.
    last_value_bits_ = open_.last_v_bits();
    open_ = chunk::XorChunk();
    first_seq_ += 1;
  } else if (closed_.empty() && HistogramChunkOpen() && OpenLastTime() < mint) {
    hist_->chunk = std::monostate();  // hist_ keeps the newest value.
    first_seq_ += 1;
  }
  return closed_.size() + (HasOpenChunk() ? 1 : 0);
}

Status MemSeries::ViewState(
    SeriesStateView* scratch, const HeadChunkFiles* files,
    const std::function<void(const SeriesStateView&)>& fn) const {
  SpinLockHolder lock(&mu_);
  SeriesStateView& v = *scratch;
  v.closed.clear();
  // Chunks read from disk, alive while fn runs.
  std::vector<std::string> from_disk;
  if (files != nullptr) from_disk.reserve(closed_.size());
  for (const ClosedChunk& c : closed_) {
    if (c.disk_ref == 0) {
      v.closed.push_back({c.mint, c.maxt,
                          std::string_view(c.data.get(), c.size), 0, c.samples,
                          c.encoding});
      continue;
    }
    if (files == nullptr) {
      v.closed.push_back(
          {c.mint, c.maxt, {}, c.disk_ref, c.samples, c.encoding});
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(from_disk.emplace_back(), files->Read(c.disk_ref));
    v.closed.push_back(
        {c.mint, c.maxt, from_disk.back(), 0, c.samples, c.encoding});
  }
  v.has_open = HasOpenChunk();
  v.open_windows.clear();
  if (open_.NumSamples() > 0) {
    v.open = {open_mint_, open_.last_t(), open_.Bytes()};
    v.open_state = open_.State();
  } else if (v.has_open) {
    v.open = {open_mint_,
              OpenLastTime(),
              hist_->Bytes(),
              0,
              0,
              static_cast<uint8_t>(hist_->encoding())};
    v.open_windows = hist_->XorWindows();
  }
  v.next_at = cut_.next_at;
  v.max_time = max_time_.load(std::memory_order_relaxed);
  v.last_value_bits =
      open_.NumSamples() > 0 ? open_.last_v_bits() : last_value_bits_;
  v.last_type = hist_ != nullptr ? hist_->last_type : SampleValueType::kFloat;
  if (v.last_type == SampleValueType::kHistogram) v.last_h = hist_->last_h;
  if (v.last_type == SampleValueType::kFloatHistogram) {
    v.last_fh = hist_->last_fh;
  }
  fn(v);
  return Status::OK();
}

bool MemSeries::AttachMappedChunks(std::span<const MappedChunk> chunks) {
  SpinLockHolder lock(&mu_);
  if (chunks.empty() || !closed_.empty() || HasOpenChunk()) {
    return false;
  }
  closed_.reserve(chunks.size());
  for (const MappedChunk& c : chunks) {
    closed_.push_back(
        {nullptr, 0, c.samples, c.encoding, c.mint, c.maxt, c.ref});
  }
  max_time_.store(chunks.back().maxt, std::memory_order_release);
  return true;
}

Status MemSeries::FinishMappedLoad(const HeadChunkFiles& files) {
  SpinLockHolder lock(&mu_);
  if (HasOpenChunk() || closed_.empty() || closed_.back().disk_ref == 0) {
    return Status::OK();
  }
  STRATA_ASSIGN_OR_RETURN(const std::string bytes,
                          files.Read(closed_.back().disk_ref));
  if (closed_.back().encoding != static_cast<uint8_t>(chunk::Encoding::kXor)) {
    return LoadLastHistogram(closed_.back().encoding, bytes);
  }
  chunk::XorIterator it(bytes);
  while (it.Next()) {
    last_value_bits_ = it.v_bits();
  }
  if (it.error()) return Status::Corruption(std::string(it.error_message()));
  return Status::OK();
}

bool MemSeries::RestoreState(const SeriesStateView& state) {
  const bool xor_open =
      state.has_open &&
      state.open.encoding == static_cast<uint8_t>(chunk::Encoding::kXor);
  std::optional<chunk::XorChunk> open;
  if (xor_open) {
    open = chunk::XorChunk::Resume(state.open.bytes, state.open_state);
    if (!open.has_value() || open->last_t() != state.open.maxt) return false;
    if (state.last_type != SampleValueType::kFloat) return false;
  }
  std::unique_ptr<OpenHistogramChunk> hist;
  if ((state.has_open && !xor_open) ||
      state.last_type != SampleValueType::kFloat) {
    hist = RestoreHistogramState(state);
    if (hist == nullptr) return false;
  }
  SpinLockHolder lock(&mu_);
  closed_.clear();
  closed_.reserve(state.closed.size());
  for (const SeriesChunkView& c : state.closed) {
    if (c.disk_ref != 0) {
      closed_.push_back(
          {nullptr, 0, c.samples, c.encoding, c.mint, c.maxt, c.disk_ref});
      continue;
    }
    ClosedChunk closed{std::make_unique<char[]>(c.bytes.size()),
                       static_cast<uint32_t>(c.bytes.size()),
                       static_cast<uint16_t>(std::max(
                           0, chunk::ChunkNumSamples(c.encoding, c.bytes))),
                       c.encoding,
                       c.mint,
                       c.maxt};
    std::memcpy(closed.data.get(), c.bytes.data(), c.bytes.size());
    closed_.push_back(std::move(closed));
  }
  first_seq_ = 0;
  open_ = open.has_value() ? std::move(*open) : chunk::XorChunk();
  hist_ = std::move(hist);
  open_mint_ = state.has_open ? state.open.mint : 0;
  cut_.next_at = state.next_at;
  last_value_bits_ = state.last_value_bits;
  max_time_.store(state.max_time, std::memory_order_release);
  return true;
}

bool MemSeries::MarkDeadIfEmpty() {
  SpinLockHolder lock(&mu_);
  if (!closed_.empty() || HasOpenChunk()) return false;
  return MarkDead();
}

int64_t MemSeries::MinTime() const {
  SpinLockHolder lock(&mu_);
  if (!closed_.empty()) return closed_.front().mint;
  if (HasOpenChunk()) return open_mint_;
  return kMaxTime;
}

size_t MemSeries::NumChunks() const {
  SpinLockHolder lock(&mu_);
  return closed_.size() + (HasOpenChunk() ? 1 : 0);
}

}  // namespace strata
