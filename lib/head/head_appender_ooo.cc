// HeadAppender's out-of-order path (Prometheus 2.42's memSeries.appendable
// with an out-of-order window, and the OOO part of headAppender.Commit).
#include "head/head_appender.h"

namespace strata {

StatusCode HeadAppender::AppendOutOfOrder(MemSeries* s, SeriesId id, int64_t t,
                                          double v) {
  // An empty head has no newest sample to measure the window from.
  if (head_max_t_ == kMinTime || t < head_max_t_ - ooo_window_) {
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
  OooHead& ooo = head_->ooo();
  ReaderMutexLock lock(&ooo.commit_mutex());
  if (wbl_ != nullptr) {
    std::string record;
    wal::EncodeSamples(wbl_samples_, &record);
    STRATA_RETURN_IF_ERROR(
        wbl_->Log(std::span<const std::string>(&record, 1)).WithContext("WBL"));
  }
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

StatusOr<int64_t> HeadAppender::CommitRacedOutOfOrder() {
  std::vector<HeadSample> within;
  std::vector<wal::RefSample> logged;
  int64_t too_old = 0;
  for (uint32_t i : raced_) {
    const HeadSample& smp = samples_[i];
    if (head_max_t_ == kMinTime || smp.t < head_max_t_ - ooo_window_) {
      ++too_old;
      continue;
    }
    within.push_back(smp);
    logged.push_back({smp.series->id(), smp.t, smp.v});
  }
  head_->counters().too_old.fetch_add(too_old, std::memory_order_relaxed);
  if (within.empty()) return too_old;
  ReaderMutexLock lock(&head_->ooo().commit_mutex());
  if (wbl_ != nullptr) {
    std::string record;
    wal::EncodeSamples(logged, &record);
    STRATA_RETURN_IF_ERROR(
        wbl_->Log(std::span<const std::string>(&record, 1)).WithContext("WBL"));
  }
  InsertOutOfOrder(within);
  return static_cast<int64_t>(raced_.size());
}

}  // namespace strata
