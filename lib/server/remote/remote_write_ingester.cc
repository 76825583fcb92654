#include "server/remote/remote_write_ingester.h"

#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "strata/histogram.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// Prometheus's text form of labels as they arrived, for messages about
// label sets that may not be valid Labels.
std::string FormatWireLabels(std::span<const WireLabel> labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out.append(labels[i].name);
    out += '=';
    AppendQuoted(&out, labels[i].value);
  }
  out += '}';
  return out;
}

// Remote write's label rules that Labels::FromPairs does not check itself
// (it sorts and dedups silently): names non-empty, sorted, unique, and a
// metric name present. nullptr if they hold.
const char* CheckLabelOrder(std::span<const WireLabel> labels) {
  if (labels.empty()) return "series has no labels";
  bool has_metric_name = false;
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string_view name = labels[i].name;
    if (name.empty()) return "empty label name";
    if (i > 0) {
      const std::string_view prev = labels[i - 1].name;
      if (prev == name) return "duplicate label name";
      if (prev > name) return "label names not sorted";
    }
    if (name == kMetricNameLabel && !labels[i].value.empty()) {
      has_metric_name = true;
    }
  }
  return has_metric_name ? nullptr : "missing metric name (__name__ label)";
}

// Checks `labels` against `limits`: nullopt if within them, else the
// reason and what exceeds which flag.
std::optional<std::pair<RejectReason, std::string>> CheckLabelLimits(
    std::span<const WireLabel> labels, const LabelLimits& limits) {
  const auto over = [](size_t n, int limit) {
    return limit > 0 && n > static_cast<size_t>(limit);
  };
  if (over(labels.size(), limits.max_label_names_per_series)) {
    return std::pair(RejectReason::kMaxLabelNamesPerSeries,
                     Cat(labels.size(), " labels, more than the limit of ",
                         limits.max_label_names_per_series,
                         " (--remote-write.max-label-names-per-series)"));
  }
  for (const WireLabel& l : labels) {
    if (over(l.name.size(), limits.max_label_name_length)) {
      return std::pair(
          RejectReason::kLabelNameTooLong,
          Cat("label name ", GoQuoted(l.name), " is ", l.name.size(),
              " bytes long, more than the limit of ",
              limits.max_label_name_length,
              " (--remote-write.max-length-label-name)"));
    }
    if (over(l.value.size(), limits.max_label_value_length)) {
      return std::pair(
          RejectReason::kLabelValueTooLong,
          Cat("the value of label ", GoQuoted(l.name), " is ", l.value.size(),
              " bytes long, more than the limit of ",
              limits.max_label_value_length,
              " (--remote-write.max-length-label-value)"));
    }
  }
  return std::nullopt;
}

// The labels to store: all but `drop_label` ("": none).
std::vector<Label> ToLabelVector(std::span<const WireLabel> labels,
                                 std::string_view drop_label) {
  std::vector<Label> out;
  out.reserve(labels.size());
  for (const WireLabel& l : labels) {
    if (!drop_label.empty() && l.name == drop_label) continue;
    out.push_back({std::string(l.name), std::string(l.value)});
  }
  return out;
}

std::string_view MetricNameOf(std::span<const WireLabel> labels) {
  for (const WireLabel& l : labels) {
    if (l.name == kMetricNameLabel) return l.value;
  }
  return {};
}

std::optional<RejectReason> ReasonFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOutOfOrder:
      return RejectReason::kOutOfOrder;
    case StatusCode::kOutOfBounds:
      return RejectReason::kOutOfBounds;
    case StatusCode::kTooOldSample:
      return RejectReason::kTooOldSample;
    case StatusCode::kDuplicateSample:
      return RejectReason::kDuplicate;
    case StatusCode::kInvalidArgument:
      return RejectReason::kInvalidLabels;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotSupported:
      return RejectReason::kOther;
    default:
      // IOError, Unavailable, ResourceExhausted, ...: the DB cannot take
      // samples right now; the sender should retry the batch.
      return std::nullopt;
  }
}

// Scratch space, kept per thread between requests.
struct IngestScratch {
  std::vector<SeriesRefCache::Key> keys;  // By series index.
  std::vector<SeriesRef> cached;          // By series index; 0 if missing.
  // By series index: the ref its samples went to; 0 if none yet.
  std::vector<SeriesRef> resolved;
  std::vector<std::pair<SeriesRefCache::Key, SeriesRef>> puts;
  std::vector<WireLabel> deferred;
  std::string key_bytes;
  // Samples of series with a known ref, for one Appender::AppendBatch;
  // queued_series[k] is the series index of sample k.
  std::vector<SeriesRef> queued_refs;
  std::vector<int64_t> queued_ts;
  std::vector<double> queued_values;
  std::vector<uint32_t> queued_series;
  AppendBatchReport report;
};

IngestScratch& ThreadScratch() {
  thread_local IngestScratch scratch;
  return scratch;
}

// A series' labels, decoded from label_bytes on first use if the decoder
// deferred them. Deferred labels live in `deferred` until the next series'.
class SeriesLabels {
 public:
  SeriesLabels(const WriteBatch& batch, const WireSeries& series,
               std::vector<WireLabel>* deferred)
      : series_(series),
        deferred_(deferred),
        labels_(batch.LabelsOf(series)),
        ready_(!series.labels_deferred) {}

  std::span<const WireLabel> Get() {
    if (!ready_) {
      ready_ = true;
      deferred_->clear();
      status_ = DecodeLabelFields(series_.label_bytes, deferred_);
      labels_ = *deferred_;
    }
    return labels_;
  }
  // Whether decoding failed; valid after Get().
  const Status& status() const { return status_; }

 private:
  const WireSeries& series_;
  std::vector<WireLabel>* const deferred_;
  std::span<const WireLabel> labels_;
  bool ready_;
  Status status_;
};

// Where a series' samples go: its cached ref, or (when 0) its labels.
struct AppendTarget {
  SeriesRef ref = 0;
  std::optional<Labels> labels;
};

// One call of Ingest: the batch, its result, and the steps.
class BatchIngest {
 public:
  BatchIngest(const WriteBatch& batch, SeriesRefCache* cache,
              MetadataStore* metadata, const IngestOptions& options,
              int64_t now_ms, std::string_view drop_label, IngestResult* result)
      : batch_(batch),
        cache_(cache),
        metadata_(metadata),
        options_(options),
        max_t_(options.max_future_ms > 0 ? now_ms + options.max_future_ms
                                         : std::numeric_limits<int64_t>::max()),
        drop_label_(drop_label),
        result_(result),
        scratch_(ThreadScratch()) {}

  // Stores the batch's per-family metadata (remote write 1.0).
  void UpdateFamilyMetadata() {
    if (metadata_ == nullptr) return;
    for (const WireMetadata& m : batch_.metadata) {
      if (m.metric_family_name.empty()) continue;
      result_->metadata_updates += metadata_->Update(
          m.metric_family_name, MetricTypeName(m.type), m.help, m.unit);
    }
  }

  // Finds the cached refs of every series with samples, searching the
  // cache for the whole batch at once.
  void LookUpCachedRefs() {
    const size_t n = batch_.series.size();
    scratch_.keys.resize(n);
    scratch_.cached.resize(n);
    scratch_.resolved.assign(n, 0);
    scratch_.puts.clear();
    for (size_t i = 0; i < n; ++i) {
      const WireSeries& s = batch_.series[i];
      scratch_.keys[i] = {};
      if (s.invalid != nullptr || s.num_samples == 0) continue;
      scratch_.keys[i] = SeriesRefCache::KeyOf(
          SeriesRefCache::KeyBytes(s, batch_.LabelsOf(s), &scratch_.key_bytes),
          drop_label_.empty() ? 0 : SeriesRefCache::kDroppedLabelSeed);
    }
    cache_->GetMany(scratch_.keys, scratch_.cached.data());
  }

  // Appends series number `i`'s samples, rejecting those that cannot be
  // stored. A non-OK status is fatal for the whole batch.
  Status AppendSeries(size_t i, Appender& app) {
    const WireSeries& s = batch_.series[i];
    ++result_->series;
    SeriesLabels labels(batch_, s, &scratch_.deferred);
    if (s.invalid != nullptr) {
      result_->histograms_dropped += s.num_histograms;
      Reject(RejectReason::kInvalidSeries, s.num_samples, [&] {
        return Cat(FormatWireLabels(labels.Get()), ": ", s.invalid);
      });
      return Status::OK();
    }
    UpdateSeriesMetadata(s, labels);
    const std::span<const WireSample> samples = batch_.SamplesOf(s);
    if (samples.empty() && s.num_histograms == 0) return Status::OK();

    AppendTarget target;
    target.ref = scratch_.cached[i];
    if (target.ref == 0) {
      ++result_->series_cache_misses;
      if (!ValidateLabels(s, labels, &target.labels)) {
        result_->histograms_dropped += s.num_histograms;
        return Status::OK();
      }
    }
    for (const WireSample& sample : samples) {
      if (!CheckTimestamp(sample, labels)) continue;
      if (target.ref != 0) {
        Queue(i, target.ref, sample);
        continue;
      }
      STRATA_RETURN_IF_ERROR(
          AppendByLabels(sample, scratch_.keys[i], labels, target, app));
    }
    STRATA_RETURN_IF_ERROR(AppendHistograms(s, labels, target, app));
    scratch_.resolved[i] = target.ref;
    return Status::OK();
  }

  // Appends the series' native histograms (Prometheus 2.42's receiver:
  // after its samples) by target.ref, else by its labels. The appender
  // validates them (InvalidArgument: counted as invalid and described);
  // other refusals per sample are rejections as for floats; NotSupported
  // (native histograms off) is fatal, as Prometheus answers 500.
  Status AppendHistograms(const WireSeries& s, SeriesLabels& labels,
                          AppendTarget& target, Appender& app) {
    for (const WireHistogram& h : batch_.HistogramsOf(s)) {
      const Histogram* integer = h.is_float ? nullptr : &h.integer;
      const FloatHistogram* floating = h.is_float ? &h.floating : nullptr;
      const WireSample at{h.timestamp, 0};
      if (!CheckTimestamp(at, labels)) {
        ++result_->histograms_dropped;
        continue;
      }
      StatusOr<SeriesRef> added = Status::NotFound("");
      if (target.ref != 0) {
        added = app.AppendHistogram(target.ref, h.timestamp, integer, floating);
      }
      if (!added.ok() && added.status().IsNotFound()) {
        if (!target.labels) {
          target.labels =
              Labels::FromUnchecked(ToLabelVector(labels.Get(), drop_label_));
        }
        added =
            app.AppendHistogram(*target.labels, h.timestamp, integer, floating);
      }
      if (added.ok()) {
        target.ref = *added;
        ++result_->histograms_written;
        continue;
      }
      ++result_->histograms_dropped;
      if (added.status().code() == StatusCode::kNotSupported) {
        return added.status();
      }
      if (added.status().code() == StatusCode::kInvalidArgument) {
        CountInvalidHistogram(h, labels, added.status());
        continue;
      }
      STRATA_RETURN_IF_ERROR(RejectRefused(added.status(), at, labels));
    }
    return Status::OK();
  }

  // Appends every valid series' exemplars after its samples, as
  // Prometheus's receiver: to the series its samples went to, else to the
  // stored series with its labels. Refused exemplars (unknown series, out
  // of order, labels too long) are dropped without failing the request.
  void AppendExemplars(Appender& app) {
    for (size_t i = 0; i < batch_.series.size(); ++i) {
      const WireSeries& s = batch_.series[i];
      if (s.num_exemplars == 0 || s.invalid != nullptr) continue;
      SeriesLabels labels(batch_, s, &scratch_.deferred);
      SeriesRef ref = scratch_.resolved[i];
      std::optional<Labels> series_labels;
      for (const WireExemplar& wire : batch_.ExemplarsOf(s)) {
        const Exemplar exemplar = ToExemplar(wire);
        StatusOr<SeriesRef> added =
            app.AppendExemplar(ref, series_labels.value_or(Labels()), exemplar);
        if (!added.ok() && added.status().IsNotFound() && !series_labels) {
          // No ref (or a stale one): retry by the series' labels.
          series_labels =
              Labels::FromUnchecked(ToLabelVector(labels.Get(), drop_label_));
          ref = 0;
          added = app.AppendExemplar(0, *series_labels, exemplar);
        }
        if (!added.ok()) continue;
        ref = *added;
        ++result_->exemplars_accepted;
      }
    }
  }

  // Forgets the samples queued by an earlier request on this thread.
  void ClearQueue() {
    scratch_.queued_refs.clear();
    scratch_.queued_ts.clear();
    scratch_.queued_values.clear();
    scratch_.queued_series.clear();
  }

  // Appends the samples AppendSeries queued (those of series with a known
  // ref) in one AppendBatch, then rejects or retries the refused ones. A
  // non-OK status is fatal for the whole batch.
  Status AppendQueued(Appender& app) {
    if (scratch_.queued_refs.empty()) return Status::OK();
    AppendBatchReport& report = scratch_.report;
    STRATA_RETURN_IF_ERROR(app.AppendBatch(scratch_.queued_refs,
                                           scratch_.queued_ts,
                                           scratch_.queued_values, &report));
    result_->samples_written += static_cast<int64_t>(report.appended);
    // A series garbage collected since its ref was cached: its samples are
    // retried by labels, once resolved per series (errors come in index
    // order, and a series' samples are consecutive).
    size_t retried_series = SIZE_MAX;
    AppendTarget retry;
    for (const SampleError& e : report.errors) {
      const size_t i = scratch_.queued_series[e.index];
      const WireSeries& s = batch_.series[i];
      SeriesLabels labels(batch_, s, &scratch_.deferred);
      const WireSample sample{scratch_.queued_ts[e.index],
                              scratch_.queued_values[e.index]};
      if (e.code == StatusCode::kNotFound) {
        if (retried_series != i) {
          retried_series = i;
          retry = AppendTarget{};
        }
        STRATA_RETURN_IF_ERROR(
            AppendByLabels(sample, scratch_.keys[i], labels, retry, app));
        continue;
      }
      STRATA_RETURN_IF_ERROR(RejectRefused(e.ToStatus(), sample, labels));
    }
    return Status::OK();
  }

  // Caches the refs of the series this batch created.
  void CacheNewRefs() { cache_->PutMany(scratch_.puts); }

 private:
  Exemplar ToExemplar(const WireExemplar& wire) const {
    std::vector<Label> pairs;
    for (const WireLabel& l : batch_.LabelsOf(wire)) {
      pairs.push_back({std::string(l.name), std::string(l.value)});
    }
    return Exemplar{Labels::FromUnchecked(std::move(pairs)), wire.value,
                    wire.timestamp, wire.timestamp != 0};
  }

  // Counts a histogram the appender refused as invalid and describes the
  // first few.
  void CountInvalidHistogram(const WireHistogram& h, SeriesLabels& labels,
                             const Status& invalid) {
    ++result_->histograms_invalid;
    if (static_cast<int>(result_->histogram_errors.size()) <
        options_.max_described_rejections) {
      result_->histogram_errors.push_back(Cat(FormatWireLabels(labels.Get()),
                                              " t=", h.timestamp, ": ",
                                              invalid.message()));
    }
  }

  // Counts `n` rejected samples and describes the first few.
  template <typename Describe>
  void Reject(RejectReason reason, int64_t n, Describe describe) {
    result_->rejected[static_cast<size_t>(reason)] += n;
    if (static_cast<int>(result_->rejections.size()) <
        options_.max_described_rejections) {
      result_->rejections.push_back(
          Cat(RejectReasonName(reason), ": ", describe()));
    }
  }

  // Stores a series' own metadata (remote write 2.0).
  void UpdateSeriesMetadata(const WireSeries& s, SeriesLabels& labels) {
    if (!s.has_metadata || metadata_ == nullptr) return;
    const WireMetadata& m = s.metadata;
    const std::string_view name = MetricNameOf(labels.Get());
    if (!name.empty() && (m.type != WireMetricType::kUnknown ||
                          !m.help.empty() || !m.unit.empty())) {
      result_->metadata_updates +=
          metadata_->Update(name, MetricTypeName(m.type), m.help, m.unit);
    }
  }

  // For a series not in the cache: checks its labels and builds them into
  // *built, or rejects all its samples and returns false.
  bool ValidateLabels(const WireSeries& s, SeriesLabels& labels,
                      std::optional<Labels>* built) {
    const std::span<const WireLabel> wire = labels.Get();
    if (!labels.status().ok()) {
      Reject(RejectReason::kInvalidSeries, s.num_samples,
             [&] { return std::string(labels.status().message()); });
      return false;
    }
    if (auto broken = CheckLabelLimits(wire, options_.label_limits)) {
      Reject(broken->first, s.num_samples,
             [&] { return Cat(FormatWireLabels(wire), ": ", broken->second); });
      return false;
    }
    Status invalid;
    if (const char* problem = CheckLabelOrder(wire)) {
      invalid = Status::InvalidArgument(problem);
    } else {
      StatusOr<Labels> parsed =
          Labels::FromPairs(ToLabelVector(wire, drop_label_));
      if (parsed.ok()) {
        *built = std::move(*parsed);
      } else {
        invalid = parsed.status();
      }
    }
    if (!invalid.ok()) {
      Reject(RejectReason::kInvalidLabels, s.num_samples, [&] {
        return Cat(FormatWireLabels(wire), ": ", invalid.message());
      });
      return false;
    }
    return true;
  }

  // A description of `sample` of the series with `labels` for a
  // rejection message.
  static auto Describe(SeriesLabels& labels, const WireSample& sample,
                       std::string_view why) {
    return [&labels, &sample, why] {
      return Cat(FormatWireLabels(labels.Get()), " t=", sample.timestamp, ": ",
                 why);
    };
  }

  // Whether `sample`'s timestamp may be stored; rejects it if not.
  bool CheckTimestamp(const WireSample& sample, SeriesLabels& labels) {
    if (sample.timestamp < 0) {
      Reject(RejectReason::kOutOfBounds, 1,
             Describe(labels, sample, "timestamp before the Unix epoch"));
      return false;
    }
    if (sample.timestamp > max_t_) {
      Reject(RejectReason::kTooFarInFuture, 1,
             Describe(labels, sample, "timestamp too far in the future"));
      return false;
    }
    return true;
  }

  // Queues a sample of series `i`, whose ref is known, for AppendQueued.
  void Queue(size_t i, SeriesRef ref, const WireSample& sample) {
    scratch_.queued_refs.push_back(ref);
    scratch_.queued_ts.push_back(sample.timestamp);
    scratch_.queued_values.push_back(sample.value);
    scratch_.queued_series.push_back(static_cast<uint32_t>(i));
  }

  // Appends one sample by its series' labels (target.labels, built from
  // `labels` if unset) or by target.ref once a first sample resolved it,
  // or rejects it. A non-OK status is fatal for the whole batch.
  Status AppendByLabels(const WireSample& sample,
                        const SeriesRefCache::Key& key, SeriesLabels& labels,
                        AppendTarget& target, Appender& app) {
    if (target.ref != 0) {
      StatusOr<SeriesRef> by_ref =
          app.Append(target.ref, sample.timestamp, sample.value);
      if (by_ref.ok()) {
        ++result_->samples_written;
        return Status::OK();
      }
      if (!by_ref.status().IsNotFound()) {
        return RejectRefused(by_ref.status(), sample, labels);
      }
      target.ref = 0;  // Garbage collected by the head since it was cached.
    }
    if (!target.labels) {
      // Valid: checked before the series was cached or just now.
      target.labels =
          Labels::FromUnchecked(ToLabelVector(labels.Get(), drop_label_));
    }
    StatusOr<SeriesRef> appended =
        app.Append(*target.labels, sample.timestamp, sample.value);
    if (appended.ok()) {
      ++result_->samples_written;
      target.ref = *appended;
      scratch_.puts.emplace_back(key, target.ref);
      return Status::OK();
    }
    return RejectRefused(appended.status(), sample, labels);
  }

  // Rejects a sample the appender refused with `refusal`; a refusal that
  // is not per sample is returned, fatal for the whole batch.
  Status RejectRefused(const Status& refusal, const WireSample& sample,
                       SeriesLabels& labels) {
    const std::optional<RejectReason> reason = ReasonFor(refusal);
    if (!reason) return refusal;
    Reject(*reason, 1, Describe(labels, sample, refusal.message()));
    return Status::OK();
  }

  const WriteBatch& batch_;
  SeriesRefCache* const cache_;
  MetadataStore* const metadata_;
  const IngestOptions& options_;
  const int64_t max_t_;                // Newest timestamp accepted.
  const std::string_view drop_label_;  // Not stored; "" if none.
  IngestResult* const result_;
  IngestScratch& scratch_;
};

}  // namespace

std::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kInvalidLabels:
      return "invalid_labels";
    case RejectReason::kInvalidSeries:
      return "invalid_series";
    case RejectReason::kOutOfOrder:
      return "out_of_order";
    case RejectReason::kOutOfBounds:
      return "out_of_bounds";
    case RejectReason::kDuplicate:
      return "duplicate_sample";
    case RejectReason::kTooFarInFuture:
      return "too_far_in_future";
    case RejectReason::kMaxLabelNamesPerSeries:
      return "max_label_names_per_series";
    case RejectReason::kLabelNameTooLong:
      return "label_name_too_long";
    case RejectReason::kTooOldSample:
      return "too_old_sample";
    case RejectReason::kLabelValueTooLong:
      return "label_value_too_long";
    case RejectReason::kOther:
      break;
  }
  return "other";
}

int64_t IngestResult::total_rejected() const {
  int64_t total = 0;
  for (int64_t n : rejected) total += n;
  return total;
}

std::string IngestResult::RejectionSummary() const {
  std::string out = Cat(total_rejected(), " samples rejected (");
  bool first = true;
  for (size_t i = 0; i < kNumRejectReasons; ++i) {
    if (rejected[i] == 0) continue;
    CatTo(&out, first ? "" : ", ",
          RejectReasonName(static_cast<RejectReason>(i)), ": ", rejected[i]);
    first = false;
  }
  out += ")";
  for (size_t i = 0; i < rejections.size(); ++i) {
    CatTo(&out, i == 0 ? "; " : "; ", rejections[i]);
  }
  return out;
}

RemoteWriteIngester::RemoteWriteIngester(DB* db, SeriesRefCache* cache,
                                         MetadataStore* metadata,
                                         IngestOptions options)
    : db_(db), cache_(cache), metadata_(metadata), options_(options) {}

IngestResult RemoteWriteIngester::Ingest(const WriteBatch& batch,
                                         int64_t now_ms,
                                         std::string_view drop_label) {
  IngestResult result;
  BatchIngest ingest(batch, cache_, metadata_, options_, now_ms, drop_label,
                     &result);
  ingest.UpdateFamilyMetadata();
  ingest.LookUpCachedRefs();
  std::unique_ptr<Appender> app = db_->NewAppender();
  ingest.ClearQueue();
  for (size_t i = 0; i <= batch.series.size(); ++i) {
    // Series by series, then the samples queued by ref in one batch.
    Status fatal = i < batch.series.size() ? ingest.AppendSeries(i, *app)
                                           : ingest.AppendQueued(*app);
    if (!fatal.ok()) {
      app->Rollback();
      result.samples_written = 0;
      result.histograms_written = 0;
      result.exemplars_accepted = 0;
      result.fatal = std::move(fatal);
      return result;
    }
  }
  ingest.AppendExemplars(*app);
  ingest.CacheNewRefs();
  Status committed = app->Commit();
  if (!committed.ok()) {
    result.samples_written = 0;
    result.histograms_written = 0;
    result.exemplars_accepted = 0;
    result.fatal = committed;
  }
  return result;
}

}  // namespace strata::server
