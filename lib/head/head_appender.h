// HeadAppender: the Appender of the public API over the head. Samples are
// checked as they are added (per-sample errors), then Commit writes one
// group of WAL records (series first seen, then samples, then exemplars)
// and only after the log accepted them applies them to the head and its
// exemplar storage. With an out-of-order window, samples older than their
// series' newest one but within the window go to the WBL instead of the
// WAL, and to the head's OooHead (head_appender_ooo.cc). In-order float
// samples hold no pin on their series: if head truncation removes one
// before the commit, the commit gives its samples to the series of the
// same labels, logged anew (CommitToRevivedSeries; head/open_batches.h).
//
// Thread-safety: one thread at a time per appender; any number of
// appenders may run concurrently on one head.
#ifndef STRATA_HEAD_HEAD_APPENDER_H_
#define STRATA_HEAD_HEAD_APPENDER_H_

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "head/head.h"
#include "strata/appender.h"
#include "wal/histogram_record.h"
#include "wal/record.h"

namespace strata {

// Where a committed batch is made durable before it becomes visible.
class CommitLog {
 public:
  virtual ~CommitLog() = default;
  // Returns once the records are durable per the sync policy.
  virtual Status Log(std::span<const std::string> records) = 0;
};

class HeadAppender : public Appender {
 public:
  // `log` may be null (no WAL: tests and benchmarks of the head alone);
  // so may `wbl`, the write-behind log of out-of-order samples.
  HeadAppender(Head* head, CommitLog* log, CommitLog* wbl = nullptr);
  ~HeadAppender() override { Reset(); }

  StatusOr<SeriesRef> Append(const Labels& labels, int64_t t_ms,
                             double value) override;
  StatusOr<SeriesRef> Append(SeriesRef ref, int64_t t_ms,
                             double value) override;
  // Three stages, a few samples apart: prefetch the id slot of a ref,
  // resolve it and prefetch the series' appender line, then check and
  // buffer the sample.
  Status AppendBatch(std::span<const SeriesRef> refs,
                     std::span<const int64_t> t_ms,
                     std::span<const double> values,
                     AppendBatchReport* report) override;
  StatusOr<SeriesRef> AppendExemplar(SeriesRef ref, const Labels& labels,
                                     const Exemplar& exemplar) override;
  // head_appender_histogram.cc: Prometheus 2.42's AppendHistogram.
  StatusOr<SeriesRef> AppendHistogram(const Labels& labels, int64_t t_ms,
                                      const Histogram* h,
                                      const FloatHistogram* fh) override;
  StatusOr<SeriesRef> AppendHistogram(SeriesRef ref, int64_t t_ms,
                                      const Histogram* h,
                                      const FloatHistogram* fh) override;
  Status Commit() override;
  void Rollback() override;
  size_t pending() const override {
    return samples_.size() + ooo_samples_.size() + histograms_.size() +
           float_histograms_.size();
  }

 private:
  // NotFound if `s` was removed by head truncation meanwhile.
  StatusOr<SeriesRef> AppendTo(MemSeries* s, int64_t t, double v);
  // AppendTo without building a Status: kOk or the refusal's code
  // (counted in the head's counters). `id` is s->id(), which the caller
  // knows, so the series' cold line stays untouched.
  StatusCode AppendChecked(MemSeries* s, SeriesId id, int64_t t, double v);
  // --- head_appender_histogram.cc ---
  // InvalidArgument unless exactly one of h, fh is given and valid;
  // NotSupported while the head refuses histograms.
  Status CheckHistogramArgs(const Histogram* h, const FloatHistogram* fh) const;
  // AppendTo for a histogram (arguments checked).
  StatusOr<SeriesRef> AppendHistogramTo(MemSeries* s, int64_t t,
                                        const Histogram* h,
                                        const FloatHistogram* fh);
  // The batch's pending histogram for `s` at its pending time, or false.
  bool PendingHistogramEquals(SeriesId id, const Histogram* h,
                              const FloatHistogram* fh) const;
  // Encodes records 7 and 8 into records_ from index n; returns the new n.
  size_t EncodeHistogramRecords(size_t n);
  // Applies the batch's histograms to the head (after its floats, as
  // Prometheus's Commit does).
  AppendBatchResult ApplyHistograms();

  // Registers the batch with the head's OpenBatches, if not yet: before
  // the batch looks up any series.
  void BeginBatch();
  // The series of a ref, nullptr if unknown.
  MemSeries* Resolve(SeriesRef ref) const;
  void Reset();
  // --- head_appender_ooo.cc ---
  // A sample that cannot go in order (older than the append bound or than
  // the series' newest sample): buffered for the OooHead if within the
  // out-of-order window of the head's newest sample, else kTooOldSample
  // (counted). Precondition: the window is on.
  StatusCode AppendOutOfOrder(MemSeries* s, SeriesId id, int64_t t, double v);
  // Commit's part for the out-of-order samples, after the WAL write:
  // writes them to the WBL, then applies the in-order batch (`apply`)
  // and inserts them, all under the OooHead's commit mutex. Nothing is
  // applied if the WBL write fails.
  Status CommitWithOutOfOrder(const std::function<void()>& apply);
  // Commit's part for samples that were in order when appended but that
  // another batch overtook before this one applied (`raced`, indices
  // into `batch`: samples_ with raced_, or a revival's samples), as
  // Prometheus's Commit re-checks every sample: those within the window
  // go to the WBL, then to the OooHead; the others are counted too old.
  // None of them stays counted out of order in *result (AppendBatch
  // counted them so). A failed WBL write inserts none of them (the commit
  // then fails; a retry brings them again).
  Status CommitRacedOutOfOrder(std::span<const HeadSample> batch,
                               std::span<const uint32_t> raced,
                               AppendBatchResult* result);
  // Inserts samples into the OooHead and counts them. Precondition: the
  // OooHead's commit mutex is held.
  void InsertOutOfOrder(std::span<const HeadSample> samples);
  // Commit's first step when head truncation removed series since the
  // batch began: samples of series removed by now go to the series of the
  // same labels (found or created) before anything is logged. Otherwise a
  // later sample of the same labels, appended to a series created after
  // the removal, would be applied first and make them out of order there.
  void MoveSamplesOffRemovedSeries();
  // The series of `removed`'s labels now, found or created. Precondition:
  // this batch is open (so `removed` is not freed yet).
  MemSeries* LiveSeriesLike(const MemSeries* removed);
  // Commit's part for the samples whose series head truncation removed
  // between their append and the commit (removed_, indices into
  // samples_): they go to the series of the same labels (found or
  // created), logged to the WAL again under its ref, and count in *result.
  Status CommitToRevivedSeries(AppendBatchResult* result);
  // Encodes a WAL series record of those of `series` (deduplicated in
  // place) not yet logged into *out; false, writing nothing, if none.
  static bool EncodeSeriesRecord(std::vector<MemSeries*>* series,
                                 std::string* out);
  // Encodes the batch's WAL records into records_ (series first seen,
  // samples, exemplars; only the non-empty ones) and returns how many.
  size_t EncodeRecords();
  // Stores the committed exemplars; refusals (out of order against a
  // concurrent batch) are counted by the storage and dropped.
  void StoreExemplars();

  // An exemplar waiting for Commit, with its series' labels.
  struct PendingExemplar {
    SeriesId id;
    Labels series_labels;
    Exemplar exemplar;
  };

  Head* const head_;
  CommitLog* const log_;
  int64_t min_valid_time_;
  std::vector<HeadSample> samples_;
  std::vector<MemSeries*> new_series_;
  // Series pinned against head truncation until Commit/Rollback: those
  // with out-of-order samples, histograms or exemplars in the batch.
  std::vector<MemSeries*> pinned_;
  // Whether the batch is registered with the head's OpenBatches, and the
  // generation it started in.
  bool batch_open_ = false;
  uint64_t batch_started_ = 0;
  // Head::RemovalRounds() when the batch began.
  uint64_t removal_rounds_at_begin_ = 0;
  // Indices into samples_ whose series was removed before the commit.
  std::vector<uint32_t> removed_;
  // Identifies the current batch in MemSeries::SetPending; unique per
  // batch across all appenders.
  uint64_t token_;
  // The WAL's copy of samples_, filled as samples are appended (only with
  // a log), so Commit encodes without touching each series again.
  std::vector<wal::RefSample> wal_samples_;
  std::vector<PendingExemplar> exemplars_;
  CommitLog* const wbl_;
  // The window and the head's newest sample as of this batch's start
  // (Prometheus's oooTimeWindow and headMaxt).
  int64_t ooo_window_;
  int64_t head_max_t_;
  std::vector<HeadSample> ooo_samples_;
  std::vector<wal::RefSample> wbl_samples_;
  // Indices into samples_ that AppendBatch refused as out of order.
  std::vector<uint32_t> raced_;
  std::vector<std::string> records_;  // Reused buffers.
  // Native histogram samples (ref = series id), their series in the same
  // order, and each series' newest one in the batch (index into its list;
  // negative for float histograms: -1 - index).
  std::vector<wal::RefHistogramSample> histograms_;
  std::vector<MemSeries*> histogram_series_;
  std::vector<wal::RefFloatHistogramSample> float_histograms_;
  std::vector<MemSeries*> float_histogram_series_;
  absl::flat_hash_map<SeriesId, int64_t> pending_histogram_;
};

}  // namespace strata

#endif  // STRATA_HEAD_HEAD_APPENDER_H_
