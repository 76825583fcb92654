#include "server/remote/remote_write_ingester.h"

#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

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
  std::vector<std::pair<SeriesRefCache::Key, SeriesRef>> puts;
  std::vector<WireLabel> deferred;
  std::string key_bytes;
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
    result_->histograms_dropped += s.num_histograms;
    SeriesLabels labels(batch_, s, &scratch_.deferred);
    if (s.invalid != nullptr) {
      Reject(RejectReason::kInvalidSeries, s.num_samples, [&] {
        return Cat(FormatWireLabels(labels.Get()), ": ", s.invalid);
      });
      return Status::OK();
    }
    result_->exemplars_accepted += s.num_exemplars;
    UpdateSeriesMetadata(s, labels);
    const std::span<const WireSample> samples = batch_.SamplesOf(s);
    if (samples.empty()) return Status::OK();

    AppendTarget target;
    target.ref = scratch_.cached[i];
    if (target.ref == 0) {
      ++result_->series_cache_misses;
      if (!ValidateLabels(s, labels, &target.labels)) return Status::OK();
    }
    for (const WireSample& sample : samples) {
      STRATA_RETURN_IF_ERROR(
          AppendSample(sample, scratch_.keys[i], labels, target, app));
    }
    return Status::OK();
  }

  // Caches the refs of the series this batch created.
  void CacheNewRefs() { cache_->PutMany(scratch_.puts); }

 private:
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

  // Appends one sample or rejects it. A non-OK status is fatal for the
  // whole batch.
  Status AppendSample(const WireSample& sample, const SeriesRefCache::Key& key,
                      SeriesLabels& labels, AppendTarget& target,
                      Appender& app) {
    const auto describe = [&](std::string_view why) {
      return [&labels, &sample, why] {
        return Cat(FormatWireLabels(labels.Get()), " t=", sample.timestamp,
                   ": ", why);
      };
    };
    if (sample.timestamp < 0) {
      Reject(RejectReason::kOutOfBounds, 1,
             describe("timestamp before the Unix epoch"));
      return Status::OK();
    }
    if (sample.timestamp > max_t_) {
      Reject(RejectReason::kTooFarInFuture, 1,
             describe("timestamp too far in the future"));
      return Status::OK();
    }
    StatusOr<SeriesRef> appended =
        target.ref != 0
            ? app.Append(target.ref, sample.timestamp, sample.value)
            : app.Append(*target.labels, sample.timestamp, sample.value);
    if (!appended.ok() && target.ref != 0 && appended.status().IsNotFound()) {
      // The head garbage collected the series; go by its labels, which
      // were valid when the ref was cached.
      if (!target.labels) {
        target.labels =
            Labels::FromUnchecked(ToLabelVector(labels.Get(), drop_label_));
      }
      target.ref = 0;
      appended = app.Append(*target.labels, sample.timestamp, sample.value);
    }
    if (appended.ok()) {
      ++result_->samples_written;
      if (target.ref == 0) {
        target.ref = *appended;
        scratch_.puts.emplace_back(key, target.ref);
      }
      return Status::OK();
    }
    const std::optional<RejectReason> reason = ReasonFor(appended.status());
    if (!reason) return appended.status();
    Reject(*reason, 1, describe(appended.status().message()));
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
  for (size_t i = 0; i < batch.series.size(); ++i) {
    Status fatal = ingest.AppendSeries(i, *app);
    if (!fatal.ok()) {
      app->Rollback();
      result.samples_written = 0;
      result.exemplars_accepted = 0;
      result.fatal = std::move(fatal);
      return result;
    }
  }
  ingest.CacheNewRefs();
  Status committed = app->Commit();
  if (!committed.ok()) {
    result.samples_written = 0;
    result.exemplars_accepted = 0;
    result.fatal = committed;
  }
  return result;
}

}  // namespace strata::server
