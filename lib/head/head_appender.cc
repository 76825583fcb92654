#include "head/head_appender.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "util/coding.h"

namespace strata {

namespace {
std::atomic<uint64_t> g_next_batch_token{1};
}  // namespace

HeadAppender::HeadAppender(Head* head, CommitLog* log, CommitLog* wbl)
    : head_(head),
      log_(log),
      min_valid_time_(head->AppendableMinValidTime()),
      token_(g_next_batch_token.fetch_add(1)),
      wbl_(wbl),
      ooo_window_(head->OutOfOrderTimeWindow()),
      head_max_t_(head->MaxTime()) {}

StatusOr<SeriesRef> HeadAppender::Append(const Labels& labels, int64_t t,
                                         double v) {
  if (labels.empty()) return Status::InvalidArgument("empty label set");
  BeginBatch();
  // A series found just as truncation removes it is retried; the next
  // lookup creates a fresh one.
  for (int attempt = 0;; ++attempt) {
    bool created = false;
    MemSeries* s = head_->GetOrCreate(labels, &created);
    StatusOr<SeriesRef> ref = AppendTo(s, t, v);
    if (ref.ok() || !ref.status().IsNotFound() || attempt >= 100) return ref;
  }
}

StatusOr<SeriesRef> HeadAppender::Append(SeriesRef ref, int64_t t, double v) {
  BeginBatch();
  MemSeries* s = Resolve(ref);
  if (s == nullptr) return Status::NotFound("unknown series ref");
  return AppendTo(s, t, v);
}

void HeadAppender::BeginBatch() {
  if (batch_open_) return;
  batch_started_ = head_->open_batches().Begin();
  removal_rounds_at_begin_ = head_->RemovalRounds();
  batch_open_ = true;
}

MemSeries* HeadAppender::Resolve(SeriesRef ref) const {
  if (ref == 0 || ref > UINT32_MAX) return nullptr;
  return head_->GetById(static_cast<SeriesId>(ref));
}

StatusOr<SeriesRef> HeadAppender::AppendTo(MemSeries* s, int64_t t, double v) {
  const SeriesId id = s->id();
  const StatusCode code = AppendChecked(s, id, t, v);
  if (code == StatusCode::kOk) return SeriesRef{id};
  if (code == StatusCode::kNotFound) {
    return Status::NotFound("series was truncated");
  }
  return SampleError{0, code}.ToStatus();
}

StatusCode HeadAppender::AppendChecked(MemSeries* s, SeriesId id, int64_t t,
                                       double v) {
  if (t < min_valid_time_) {
    if (ooo_window_ > 0) return AppendOutOfOrder(s, id, t, v);
    head_->counters().out_of_bounds.fetch_add(1, std::memory_order_relaxed);
    return StatusCode::kOutOfBounds;
  }
  const uint64_t bits = DoubleBits(v);
  AppendOutcome outcome;
  const bool in_batch = s->HasPending(token_);
  if (in_batch) {
    const int64_t last_t = s->pending_t();
    outcome = t > last_t                  ? AppendOutcome::kAppended
              : t < last_t                ? AppendOutcome::kOutOfOrder
              : bits == s->pending_bits() ? AppendOutcome::kDuplicate
                                          : AppendOutcome::kConflict;
  } else if (t > s->max_time_hint()) {
    outcome = AppendOutcome::kAppended;  // Common case: no lock needed.
  } else {
    outcome = s->Check(t, v);
  }
  switch (outcome) {
    case AppendOutcome::kAppended:
      break;
    case AppendOutcome::kDuplicate:
      return StatusCode::kOk;
    case AppendOutcome::kOutOfOrder:
      if (ooo_window_ > 0) return AppendOutOfOrder(s, id, t, v);
      head_->counters().out_of_order.fetch_add(1, std::memory_order_relaxed);
      return StatusCode::kOutOfOrder;
    case AppendOutcome::kConflict:
      head_->counters().duplicates.fetch_add(1, std::memory_order_relaxed);
      return StatusCode::kDuplicateSample;
    case AppendOutcome::kRemoved:  // Only MemSeries::Append says so.
      return StatusCode::kNotFound;
  }
  if (!in_batch) {
    // No pin (head/open_batches.h): a series removed before this is
    // refused, one removed from here to the commit is revived there.
    if (s->dead()) return StatusCode::kNotFound;
    if (!s->wal_logged()) new_series_.push_back(s);
  }
  s->SetPending(token_, t, bits);
  samples_.push_back({s, t, v});
  if (log_ != nullptr) wal_samples_.push_back({id, t, v});
  return StatusCode::kOk;
}

Status HeadAppender::AppendBatch(std::span<const SeriesRef> refs,
                                 std::span<const int64_t> t_ms,
                                 std::span<const double> values,
                                 AppendBatchReport* report) {
  report->Clear();
  const size_t n = refs.size();
  if (t_ms.size() != n || values.size() != n) {
    return Status::InvalidArgument("append batch: spans differ in length");
  }
  BeginBatch();
  // Prefetch distances in samples: the id slot of sample i + 2 * kAhead,
  // the appender line of the series of sample i + kAhead, resolved into a
  // ring of the series between the two stages.
  constexpr size_t kAhead = 8;
  constexpr size_t kRing = 16;  // A power of two > kAhead.
  static_assert(kRing > kAhead && (kRing & (kRing - 1)) == 0);
  MemSeries* ring[kRing];
  const auto resolve_ahead = [&](size_t j) {
    MemSeries* s = Resolve(refs[j]);
    if (s != nullptr) s->PrefetchAppenderLine();
    ring[j & (kRing - 1)] = s;
  };
  for (size_t j = 0; j < std::min(n, 2 * kAhead); ++j) {
    head_->PrefetchId(static_cast<SeriesId>(refs[j]));
  }
  for (size_t j = 0; j < std::min(n, kAhead); ++j) resolve_ahead(j);
  samples_.reserve(samples_.size() + n);
  if (log_ != nullptr) wal_samples_.reserve(wal_samples_.size() + n);
  for (size_t i = 0; i < n; ++i) {
    if (i + 2 * kAhead < n) {
      head_->PrefetchId(static_cast<SeriesId>(refs[i + 2 * kAhead]));
    }
    if (i + kAhead < n) resolve_ahead(i + kAhead);
    MemSeries* s = ring[i & (kRing - 1)];
    const StatusCode code =
        s == nullptr ? StatusCode::kNotFound
                     : AppendChecked(s, static_cast<SeriesId>(refs[i]), t_ms[i],
                                     values[i]);
    if (code == StatusCode::kOk) {
      ++report->appended;
    } else {
      report->errors.push_back({i, code});
    }
  }
  return Status::OK();
}

StatusOr<SeriesRef> HeadAppender::AppendExemplar(SeriesRef ref,
                                                 const Labels& labels,
                                                 const Exemplar& exemplar) {
  BeginBatch();
  MemSeries* s = Resolve(ref);
  if (s == nullptr && !labels.empty()) s = head_->Get(labels);
  if (s == nullptr) {
    return Status::NotFound("unknown series ref when trying to add exemplar");
  }
  const SeriesId id = s->id();
  Exemplar e = exemplar;
  e.labels = Labels::FromUnchecked(exemplar.labels.pairs());  // No empties.
  Labels series_labels = s->labels();
  Status valid = head_->exemplars().Validate(series_labels, e);
  switch (valid.code()) {
    case StatusCode::kOk:
      break;
    case StatusCode::kDuplicateSample:     // Equal to the newest: a no-op.
    case StatusCode::kFailedPrecondition:  // Storage off: dropped.
      return SeriesRef{id};
    default:
      return valid;
  }
  // Pinned so that the series (and its WAL series record) outlives the
  // commit even without samples in this batch.
  if (!s->PinForCommit()) return Status::NotFound("series was truncated");
  pinned_.push_back(s);
  if (!s->wal_logged()) new_series_.push_back(s);
  exemplars_.push_back({id, std::move(series_labels), std::move(e)});
  return SeriesRef{id};
}

bool HeadAppender::EncodeSeriesRecord(std::vector<MemSeries*>* series,
                                      std::string* out) {
  std::sort(series->begin(), series->end());
  series->erase(std::unique(series->begin(), series->end()), series->end());
  std::vector<wal::RefSeries> unlogged;
  for (MemSeries* s : *series) {
    if (!s->wal_logged()) unlogged.push_back({s->id(), s->labels()});
  }
  if (unlogged.empty()) return false;
  wal::EncodeSeries(unlogged, out);
  return true;
}

size_t HeadAppender::EncodeRecords() {
  // Cleared, not freed, so their buffers serve the next commits.
  records_.resize(std::max<size_t>(records_.size(), 5));
  size_t n = 0;
  records_[n].clear();
  if (EncodeSeriesRecord(&new_series_, &records_[n])) ++n;
  if (!wal_samples_.empty()) {
    records_[n].clear();
    wal::EncodeSamples(wal_samples_, &records_[n++]);
  }
  if (!exemplars_.empty()) {
    std::vector<wal::RefExemplar> exemplars;
    exemplars.reserve(exemplars_.size());
    for (const PendingExemplar& p : exemplars_) {
      exemplars.push_back(
          {p.id, p.exemplar.t_ms, p.exemplar.value, p.exemplar.labels});
    }
    records_[n].clear();
    wal::EncodeExemplars(exemplars, &records_[n++]);
  }
  return EncodeHistogramRecords(n);
}

void HeadAppender::StoreExemplars() {
  for (const PendingExemplar& p : exemplars_) {
    (void)head_->exemplars().Add(p.series_labels, p.exemplar);
  }
}

Status HeadAppender::Commit() {
  if (samples_.empty() && exemplars_.empty() && ooo_samples_.empty() &&
      histograms_.empty() && float_histograms_.empty()) {
    Reset();
    return Status::OK();
  }
  if (head_->RemovalRounds() != removal_rounds_at_begin_) {
    MoveSamplesOffRemovedSeries();
  }
  if (log_ != nullptr) {
    const size_t n = EncodeRecords();
    Status st = log_->Log(std::span<const std::string>(records_).first(n));
    if (!st.ok()) {
      Reset();
      return st.WithContext("commit");
    }
    for (MemSeries* s : new_series_) s->set_wal_logged();
  }
  AppendBatchResult result;
  AppendBatchResult histogram_result;
  const auto apply = [&] {
    result = head_->AppendBatch(samples_, ooo_window_ > 0 ? &raced_ : nullptr,
                                &removed_);
    histogram_result = ApplyHistograms();
  };
  if (ooo_samples_.empty()) {
    apply();
  } else {
    Status st = CommitWithOutOfOrder(apply);
    if (!st.ok()) {
      Reset();
      return st.WithContext("commit");
    }
  }
  if (Status st = CommitRacedOutOfOrder(samples_, raced_, &result); !st.ok()) {
    Reset();
    return st.WithContext("commit");
  }
  if (!removed_.empty()) {
    Status st = CommitToRevivedSeries(&result);
    if (!st.ok()) {
      Reset();
      return st.WithContext("commit");
    }
  }
  StoreExemplars();
  result.out_of_order += histogram_result.out_of_order;
  result.conflicts += histogram_result.conflicts;
  // Another appender may have raced ahead on the same series; Prometheus
  // counts such samples as out of order at commit.
  if (result.out_of_order > 0) {
    head_->counters().out_of_order.fetch_add(result.out_of_order,
                                             std::memory_order_relaxed);
  }
  if (result.conflicts > 0) {
    head_->counters().duplicates.fetch_add(result.conflicts,
                                           std::memory_order_relaxed);
  }
  Reset();
  return Status::OK();
}

MemSeries* HeadAppender::LiveSeriesLike(const MemSeries* removed) {
  bool created = false;
  // The removed series stays readable while this batch is open.
  return head_->GetOrCreate(removed->labels(), &created);
}

void HeadAppender::MoveSamplesOffRemovedSeries() {
  for (size_t i = 0; i < samples_.size(); ++i) {
    if (!samples_[i].series->dead()) continue;
    MemSeries* live = LiveSeriesLike(samples_[i].series);
    samples_[i].series = live;
    if (log_ != nullptr) wal_samples_[i].ref = live->id();
    new_series_.push_back(live);  // Logged with the batch unless it was.
  }
}

Status HeadAppender::CommitToRevivedSeries(AppendBatchResult* result) {
  std::vector<HeadSample> moved;
  moved.reserve(removed_.size());
  for (uint32_t i : removed_) moved.push_back(samples_[i]);
  // An attempt fails only where another truncation removes a series found
  // or created for it before the samples reach it (a series created here
  // holds no chunk until then). With an out-of-order window, samples that
  // another batch overtook on the revived series go to the OooHead, as in
  // Commit.
  constexpr int kMaxAttempts = 4;
  for (int attempt = 0; !moved.empty(); ++attempt) {
    if (attempt == kMaxAttempts) {
      return Status::Unavailable(
          "series removed by head truncation on every attempt to commit");
    }
    std::vector<MemSeries*> series;
    std::vector<wal::RefSample> logged;
    for (HeadSample& m : moved) {
      m.series = LiveSeriesLike(m.series);
      series.push_back(m.series);
      logged.push_back({m.series->id(), m.t, m.v});
    }
    if (log_ != nullptr) {
      std::vector<std::string> records(1);
      if (EncodeSeriesRecord(&series, &records[0])) records.emplace_back();
      wal::EncodeSamples(logged, &records.back());
      STRATA_RETURN_IF_ERROR(log_->Log(records));
      for (MemSeries* s : series) s->set_wal_logged();
    }
    std::vector<uint32_t> raced;
    std::vector<uint32_t> removed_again;
    AppendBatchResult r = head_->AppendBatch(
        moved, ooo_window_ > 0 ? &raced : nullptr, &removed_again);
    STRATA_RETURN_IF_ERROR(CommitRacedOutOfOrder(moved, raced, &r));
    result->appended += r.appended;
    result->duplicates += r.duplicates;
    result->out_of_order += r.out_of_order;
    result->conflicts += r.conflicts;
    std::vector<HeadSample> again;
    for (uint32_t i : removed_again) again.push_back(moved[i]);
    moved = std::move(again);
  }
  return Status::OK();
}

void HeadAppender::Rollback() { Reset(); }

void HeadAppender::Reset() {
  for (MemSeries* s : pinned_) s->UnpinForCommit();
  pinned_.clear();
  if (batch_open_) {
    head_->open_batches().End(batch_started_);
    batch_open_ = false;
  }
  removed_.clear();
  samples_.clear();
  wal_samples_.clear();
  exemplars_.clear();
  new_series_.clear();
  ooo_samples_.clear();
  wbl_samples_.clear();
  raced_.clear();
  histograms_.clear();
  histogram_series_.clear();
  float_histograms_.clear();
  float_histogram_series_.clear();
  pending_histogram_.clear();
  token_ = g_next_batch_token.fetch_add(1);
  min_valid_time_ = head_->AppendableMinValidTime();
  ooo_window_ = head_->OutOfOrderTimeWindow();
  head_max_t_ = head_->MaxTime();
}

}  // namespace strata
