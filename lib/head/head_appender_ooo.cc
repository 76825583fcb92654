// HeadAppender's out-of-order path (Prometheus 2.42's memSeries.appendable
// with an out-of-order window, and the OOO part of headAppender.Commit).
#include "head/head_appender.h"

namespace strata {
namespace {

// Whether `t` is older than the window allows, measured from the head's
// newest sample `head_max_t` (an empty head has none to measure from).
bool TooOld(int64_t t, int64_t head_max_t, int64_t window) {
  return head_max_t == kMinTime || t < head_max_t - window;
}

// Writes `samples` to the WBL as one samples record (nothing without one).
Status LogToWbl(CommitLog* wbl, std::span<const wal::RefSample> samples) {
  if (wbl == nullptr) return Status::OK();
  std::string record;
  wal::EncodeSamples(samples, &record);
  return wbl->Log(std::span<const std::string>(&record, 1)).WithContext("WBL");
}

}  // namespace

StatusCode HeadAppender::AppendOutOfOrder(MemSeries* s, SeriesId id, int64_t t,
                                          double v) {
  if (TooOld(t, head_max_t_, ooo_window_)) {
    head_->counters().too_old.fetch_add(1, std::memory_order_relaxed);
    return StatusCode::kTooOldSample;
  }
  if (!s->PinForCommit()) return StatusCode::kNotFound;
  pinned_.push_back(s);
  if (!s->wal_logged()) new_series_.push_back(s);
  ooo_samples_.push_back({s, t, v});
  wbl_samples_.push_back({id, t, v});
  return StatusCode::kOk;
}

Status HeadAppender::CommitWithOutOfOrder(const std::function<void()>& apply) {
  ReaderMutexLock lock(&head_->ooo().commit_mutex());
  STRATA_RETURN_IF_ERROR(LogToWbl(wbl_, wbl_samples_));
  apply();
  InsertOutOfOrder(ooo_samples_);
  return Status::OK();
}

void HeadAppender::InsertOutOfOrder(std::span<const HeadSample> samples) {
  OooHead& ooo = head_->ooo();
  const int cap_max = head_->options().out_of_order_cap_max;
  int64_t inserted = 0;
  int64_t cuts = 0;
  for (const HeadSample& smp : samples) {
    bool cut = false;
    // A sample at a timestamp the open chunk holds is dropped silently,
    // as Prometheus does.
    if (ooo.Insert(smp.series->id(), smp.t, smp.v, cap_max, &cut)) ++inserted;
    cuts += cut ? 1 : 0;
  }
  HeadCounters& c = head_->counters();
  // Prometheus counts them in samples appended too.
  c.samples_appended.fetch_add(inserted, std::memory_order_relaxed);
  c.ooo_appended.fetch_add(inserted, std::memory_order_relaxed);
  c.ooo_chunks_created.fetch_add(cuts, std::memory_order_relaxed);
}

Status HeadAppender::CommitRacedOutOfOrder(std::span<const HeadSample> batch,
                                           std::span<const uint32_t> raced,
                                           AppendBatchResult* result) {
  if (raced.empty()) return Status::OK();
  std::vector<HeadSample> within;
  std::vector<wal::RefSample> logged;
  int64_t too_old = 0;
  for (uint32_t i : raced) {
    const HeadSample& smp = batch[i];
    if (TooOld(smp.t, head_max_t_, ooo_window_)) {
      ++too_old;
      continue;
    }
    within.push_back(smp);
    logged.push_back({smp.series->id(), smp.t, smp.v});
  }
  head_->counters().too_old.fetch_add(too_old, std::memory_order_relaxed);
  if (!within.empty()) {
    ReaderMutexLock lock(&head_->ooo().commit_mutex());
    STRATA_RETURN_IF_ERROR(LogToWbl(wbl_, logged));
    InsertOutOfOrder(within);
  }
  result->out_of_order -= static_cast<int64_t>(raced.size());
  return Status::OK();
}

}  // namespace strata
