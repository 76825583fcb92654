// MemSeries' native-histogram samples (mem_series.h; the open chunk is
// kept in OpenHistogramChunk).
#include <functional>
#include <type_traits>
#include <utility>

#include "chunk/float_histogram_iterator.h"
#include "chunk/histogram_iterator.h"
#include "chunk/histogram_series.h"
#include "head/mem_series.h"

namespace strata {

namespace {

// Appends `value` to `open` (the series' histogram state) as Prometheus's
// appendHistogram does; `time_cut` and `close_previous` are the series'
// part (the time rule and closing whatever chunk is open).
template <typename Chunk, typename Value>
bool AppendToOpen(OpenHistogramChunk* open, int64_t t, Value value,
                  bool time_cut, const std::function<void()>& start_chunk) {
  Chunk* same_kind = std::get_if<Chunk>(&open->chunk);
  if (same_kind != nullptr && same_kind->NumSamples() == 0) same_kind = nullptr;
  const chunk::HistogramAppendPlan plan =
      chunk::PlanHistogramAppend(same_kind, time_cut, &value);
  if (plan.new_chunk) {
    start_chunk();  // Closes the open chunk, whatever its kind.
    open->chunk.template emplace<Chunk>();
    std::get<Chunk>(open->chunk).SetCounterResetHeader(plan.header);
  }
  std::get<Chunk>(open->chunk).Append(t, value);
  if constexpr (std::is_same_v<Value, Histogram>) {
    open->last_type = SampleValueType::kHistogram;
    open->last_h = std::move(value);
  } else {
    open->last_type = SampleValueType::kFloatHistogram;
    open->last_fh = std::move(value);
  }
  return plan.new_chunk;
}

}  // namespace

AppendOutcome MemSeries::CheckHistogram(int64_t t, const Histogram* h,
                                        const FloatHistogram* fh) const {
  SpinLockHolder lock(&mu_);
  return CheckHistogramLocked(t, h, fh);
}

AppendOutcome MemSeries::CheckHistogramLocked(int64_t t, const Histogram* h,
                                              const FloatHistogram* fh) const {
  const int64_t last = OpenLastTime();
  if (last == kMinTime || t > last) return AppendOutcome::kAppended;
  if (t < last) return AppendOutcome::kOutOfOrder;
  return hist_ != nullptr && hist_->EqualsLast(h, fh)
             ? AppendOutcome::kDuplicate
             : AppendOutcome::kConflict;
}

AppendOutcome MemSeries::AppendHistogram(int64_t t, const Histogram* h,
                                         const FloatHistogram* fh,
                                         int64_t chunk_range,
                                         HeadChunkFiles* files,
                                         bool* new_chunk) {
  SpinLockHolder lock(&mu_);
  *new_chunk = false;
  if (AppendOutcome o = CheckHistogramLocked(t, h, fh);
      o != AppendOutcome::kAppended) {
    return o;
  }
  if (hist_ == nullptr) hist_ = std::make_unique<OpenHistogramChunk>();
  // The time rule applies to an open chunk of the same kind; another kind
  // (or none) always starts a chunk (Prometheus's appendPreprocessor).
  const int n = hist_->NumSamples();
  const bool same_kind =
      n > 0 &&
      (fh != nullptr) ==
          std::holds_alternative<chunk::FloatHistogramChunk>(hist_->chunk);
  bool time_cut = false;
  if (same_kind) {
    time_cut =
        chunk::ShouldCut(&cut_, n, open_mint_, OpenLastTime(), t, chunk_range);
  }
  const auto start_chunk = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    CutChunk(t, chunk_range, files);
  };
  if (!same_kind) {
    // The other kind's chunk must not be asked for appendability.
    if (HistogramChunkOpen() || open_.NumSamples() > 0) start_chunk();
    hist_->chunk = std::monostate();
  }
  if (h != nullptr) {
    *new_chunk = AppendToOpen<chunk::HistogramChunk>(hist_.get(), t, *h,
                                                     time_cut, start_chunk);
  } else {
    *new_chunk = AppendToOpen<chunk::FloatHistogramChunk>(
        hist_.get(), t, *fh, time_cut, start_chunk);
  }
  if (!same_kind) *new_chunk = true;
  max_time_.store(t, std::memory_order_release);
  return AppendOutcome::kAppended;
}

bool OpenHistogramChunk::ResumeChunk(uint8_t encoding, std::string_view bytes,
                                     std::span<const chunk::XorWindow> windows,
                                     int64_t last_t) {
  const auto resume = [&](auto resumed) {
    if (!resumed.has_value() || resumed->last_t() != last_t) return false;
    chunk = std::move(*resumed);
    return true;
  };
  switch (static_cast<chunk::Encoding>(encoding)) {
    case chunk::Encoding::kHistogram:
      return resume(chunk::HistogramChunk::Resume(bytes, windows));
    case chunk::Encoding::kFloatHistogram:
      return resume(chunk::FloatHistogramChunk::Resume(bytes, windows));
    default:
      return false;
  }
}

std::unique_ptr<OpenHistogramChunk> MemSeries::RestoreHistogramState(
    const SeriesStateView& state) {
  auto hist = std::make_unique<OpenHistogramChunk>();
  hist->last_type = state.last_type;
  switch (state.last_type) {
    case SampleValueType::kHistogram:
      hist->last_h = state.last_h;
      break;
    case SampleValueType::kFloatHistogram:
      hist->last_fh = state.last_fh;
      break;
    case SampleValueType::kFloat:
      break;
  }
  if (!state.has_open) return hist;
  // The open chunk holds the newest sample: same kind, same time.
  if (static_cast<uint8_t>(state.last_type) != state.open.encoding ||
      state.open.maxt != state.max_time ||
      !hist->ResumeChunk(state.open.encoding, state.open.bytes,
                         state.open_windows, state.open.maxt)) {
    return nullptr;
  }
  return hist;
}

Status MemSeries::LoadLastHistogram(uint8_t encoding, std::string_view bytes) {
  if (hist_ == nullptr) hist_ = std::make_unique<OpenHistogramChunk>();
  const auto load = [&](auto it, SampleValueType type, auto* last) -> Status {
    bool any = false;
    while (it.Next()) any = true;
    if (it.error()) return Status::Corruption(it.error_message());
    if (any) {
      *last = it.At();
      hist_->last_type = type;
    }
    return Status::OK();
  };
  switch (static_cast<chunk::Encoding>(encoding)) {
    case chunk::Encoding::kHistogram:
      return load(chunk::HistogramIterator(bytes), SampleValueType::kHistogram,
                  &hist_->last_h);
    case chunk::Encoding::kFloatHistogram:
      return load(chunk::FloatHistogramIterator(bytes),
                  SampleValueType::kFloatHistogram, &hist_->last_fh);
    default:
      return Status::Corruption("head chunk: unknown encoding");
  }
}

}  // namespace strata
