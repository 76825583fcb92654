// Translates a decoded OTLP metrics request (otlp_decoder.h) into a
// WriteBatch for RemoteWriteIngester, as Prometheus's OTLP receiver
// (storage/remote/otlptranslator/prometheusremotewrite, Prometheus 3.x)
// translates it with its default configuration:
//
// - names: otlp_names.h (suffixes for units, "_total", "_ratio");
// - labels: the data point's attributes under OtlpLabelName (attributes
//   whose names collide are joined with ';', in key order; empty values
//   dropped), then `job` = service.namespace + "/" + service.name (or
//   service.name) and `instance` = service.instance.id from the resource
//   attributes; other resource attributes are not labels (unless listed in
//   promote_resource_attributes) but go to a `target_info` gauge of value
//   1 per resource (with job/instance), written at the earliest and latest
//   timestamp of the resource's points and every lookback-delta/2 between;
//   skipped when the resource has nothing but the identifying attributes.
//   Scope name/version are not labels (Prometheus's promote_scope_metadata
//   is off by default);
// - gauges and non-monotonic cumulative sums: gauges; monotonic cumulative
//   sums: counters ("_total");
// - histograms: classic `_bucket{le}` (cumulative counts, `le="+Inf"` =
//   count), `_sum` (when present) and `_count`; no `_created`;
// - exponential histograms: one native histogram series (see below);
// - summaries: `{quantile}` series, `_sum` and `_count`;
// - a point flagged FLAG_NO_RECORDED_VALUE: every sample a stale marker;
// - timestamps: nanoseconds truncated to milliseconds.
// Metric metadata (type, description as help, unit) goes to batch.metadata.
//
// Rejected (counted by reason, described, the rest of the request still
// stored; Prometheus 3 answers such requests with an error too):
// - sums and histograms whose temporality is not cumulative
//   (reason invalid_temporality; Prometheus's "invalid temporality and type
//   combination for metric": its delta conversion features are not here);
// - exponential histograms while native histograms are off (reason
//   exponential_histogram); when on, each point is one native histogram
//   sample (otlp_exponential.h), or rejected as invalid_metric if its scale
//   is below -4;
// - metrics without data or points, or whose name or attribute names
//   normalize to nothing (reason invalid_metric).
//
// Thread-safety: functions over their arguments.
#ifndef STRATA_SERVER_REMOTE_OTLP_TRANSLATOR_H_
#define STRATA_SERVER_REMOTE_OTLP_TRANSLATOR_H_

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "server/remote/otlp_decoder.h"
#include "server/remote/remote_write_decoder.h"

namespace strata::server {

struct OtlpTranslateOptions {
  // otlp.translation_strategy: UnderscoreEscapingWithSuffixes (true) or
  // UnderscoreEscapingWithoutSuffixes (false).
  bool add_metric_suffixes = true;
  // target_info's sample interval is half of this (the query lookback
  // delta, --query.lookback-delta).
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // --enable-feature=native-histograms: exponential histograms become
  // native histograms; otherwise they are rejected.
  bool native_histograms = false;
};

// Why OTLP data points were not translated. Serialized via
// OtlpRejectReasonName only.
enum class OtlpRejectReason : uint8_t {
  kInvalidTemporality,  // Delta (or unspecified): not cumulative.
  kExponentialHistogram,
  kInvalidMetric,
};
inline constexpr size_t kNumOtlpRejectReasons = 3;
std::string_view OtlpRejectReasonName(OtlpRejectReason reason);

struct OtlpTranslation {
  // The samples to store; its strings are views into `text` and into the
  // request body.
  WriteBatch batch;
  std::deque<std::string> text;
  // Data points not translated, by reason, and the first few described.
  std::array<int64_t, kNumOtlpRejectReasons> rejected{};
  std::vector<std::string> rejections;
  // Attribute names that collided after sanitization (values joined).
  int64_t label_collisions = 0;

  int64_t total_rejected() const;
  // "<n> data points rejected (<reason>: <n>, ...); <descriptions>".
  std::string RejectionSummary() const;
};

// Translates `request` into *out (cleared first). Never fails: what cannot
// be translated is rejected and described in *out. At most
// `max_described` rejections are described.
void TranslateOtlp(const OtlpRequest& request,
                   const OtlpTranslateOptions& options, int max_described,
                   OtlpTranslation* out);

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_OTLP_TRANSLATOR_H_
