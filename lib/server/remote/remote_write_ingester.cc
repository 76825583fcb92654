#include "server/remote/remote_write_ingester.h"

#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "server/http/str_join.h"
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

std::vector<Label> ToLabelVector(std::span<const WireLabel> labels) {
  std::vector<Label> out;
  out.reserve(labels.size());
  for (const WireLabel& l : labels) {
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
                                         int64_t now_ms) {
  IngestResult result;
  const int64_t max_t = options_.max_future_ms > 0
                            ? now_ms + options_.max_future_ms
                            : std::numeric_limits<int64_t>::max();
  const auto reject = [&](RejectReason reason, int64_t n, auto describe) {
    result.rejected[static_cast<size_t>(reason)] += n;
    if (static_cast<int>(result.rejections.size()) <
        options_.max_described_rejections) {
      result.rejections.push_back(
          Cat(RejectReasonName(reason), ": ", describe()));
    }
  };

  if (metadata_ != nullptr) {
    for (const WireMetadata& m : batch.metadata) {
      if (m.metric_family_name.empty()) continue;
      result.metadata_updates += metadata_->Update(
          m.metric_family_name, MetricTypeName(m.type), m.help, m.unit);
    }
  }

  // Scratch space, kept per thread between requests.
  thread_local std::vector<SeriesRefCache::Key> keys;
  thread_local std::vector<SeriesRef> cached;
  thread_local std::vector<std::pair<SeriesRefCache::Key, SeriesRef>> puts;
  thread_local std::vector<WireLabel> deferred;
  thread_local std::string key_scratch;
  const size_t n = batch.series.size();
  keys.resize(n);
  cached.resize(n);
  puts.clear();

  // First the cache keys of every series with samples, so that the cache
  // is searched for the whole batch at once.
  for (size_t i = 0; i < n; ++i) {
    const WireSeries& s = batch.series[i];
    keys[i] = {};
    if (s.invalid != nullptr || s.num_samples == 0) continue;
    keys[i] = SeriesRefCache::KeyOf(
        SeriesRefCache::KeyBytes(s, batch.LabelsOf(s), &key_scratch));
  }
  cache_->GetMany(keys, cached.data());

  std::unique_ptr<Appender> app = db_->NewAppender();
  for (size_t i = 0; i < n; ++i) {
    const WireSeries& s = batch.series[i];
    ++result.series;
    result.histograms_dropped += s.num_histograms;
    const std::span<const WireSample> samples = batch.SamplesOf(s);
    // The labels, decoded from label_bytes on first use if deferred.
    std::span<const WireLabel> labels = batch.LabelsOf(s);
    Status labels_status;
    bool labels_ready = !s.labels_deferred;
    const auto get_labels = [&]() -> std::span<const WireLabel> {
      if (!labels_ready) {
        labels_ready = true;
        deferred.clear();
        labels_status = DecodeLabelFields(s.label_bytes, &deferred);
        labels = deferred;
      }
      return labels;
    };
    if (s.invalid != nullptr) {
      reject(RejectReason::kInvalidSeries, s.num_samples, [&] {
        return Cat(FormatWireLabels(get_labels()), ": ", s.invalid);
      });
      continue;
    }
    result.exemplars_accepted += s.num_exemplars;
    if (s.has_metadata && metadata_ != nullptr) {
      const WireMetadata& m = s.metadata;
      const std::string_view name = MetricNameOf(get_labels());
      if (!name.empty() && (m.type != WireMetricType::kUnknown ||
                            !m.help.empty() || !m.unit.empty())) {
        result.metadata_updates +=
            metadata_->Update(name, MetricTypeName(m.type), m.help, m.unit);
      }
    }
    if (samples.empty()) continue;

    SeriesRef ref = cached[i];
    std::optional<Labels> built;
    if (ref == 0) {
      ++result.series_cache_misses;
      get_labels();
      Status invalid = labels_status;
      if (!invalid.ok()) {
        reject(RejectReason::kInvalidSeries, s.num_samples,
               [&] { return std::string(invalid.message()); });
        continue;
      }
      if (const char* problem = CheckLabelOrder(labels)) {
        invalid = Status::InvalidArgument(problem);
      } else {
        StatusOr<Labels> parsed = Labels::FromPairs(ToLabelVector(labels));
        if (parsed.ok()) {
          built = std::move(*parsed);
        } else {
          invalid = parsed.status();
        }
      }
      if (!invalid.ok()) {
        reject(RejectReason::kInvalidLabels, s.num_samples, [&] {
          return Cat(FormatWireLabels(labels), ": ", invalid.message());
        });
        continue;
      }
    }

    for (const WireSample& sample : samples) {
      const auto describe = [&](std::string_view why) {
        return [&get_labels, &sample, why] {
          return Cat(FormatWireLabels(get_labels()), " t=", sample.timestamp,
                     ": ", why);
        };
      };
      if (sample.timestamp < 0) {
        reject(RejectReason::kOutOfBounds, 1,
               describe("timestamp before the Unix epoch"));
        continue;
      }
      if (sample.timestamp > max_t) {
        reject(RejectReason::kTooFarInFuture, 1,
               describe("timestamp too far in the future"));
        continue;
      }
      StatusOr<SeriesRef> appended =
          ref != 0 ? app->Append(ref, sample.timestamp, sample.value)
                   : app->Append(*built, sample.timestamp, sample.value);
      if (!appended.ok() && ref != 0 && appended.status().IsNotFound()) {
        // The head garbage collected the series; go by its labels, which
        // were valid when the ref was cached.
        if (!built) built = Labels::FromUnchecked(ToLabelVector(get_labels()));
        ref = 0;
        appended = app->Append(*built, sample.timestamp, sample.value);
      }
      if (appended.ok()) {
        ++result.samples_written;
        if (ref == 0) {
          ref = *appended;
          puts.emplace_back(keys[i], ref);
        }
        continue;
      }
      const std::optional<RejectReason> reason = ReasonFor(appended.status());
      if (!reason) {
        app->Rollback();
        result.samples_written = 0;
        result.exemplars_accepted = 0;
        result.fatal = appended.status();
        return result;
      }
      reject(*reason, 1, describe(appended.status().message()));
    }
  }
  cache_->PutMany(puts);
  Status committed = app->Commit();
  if (!committed.ok()) {
    result.samples_written = 0;
    result.exemplars_accepted = 0;
    result.fatal = committed;
  }
  return result;
}

}  // namespace strata::server
