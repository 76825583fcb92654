// The OpenTelemetry-to-Prometheus names, as Prometheus's OTLP receiver
// builds them (github.com/prometheus/otlptranslator's MetricNamer,
// UnitNamer and LabelNamer) with its default otlp configuration:
// translation_strategy UnderscoreEscapingWithSuffixes (or
// UnderscoreEscapingWithoutSuffixes), label_name_underscore_sanitization
// and label_name_preserve_multiple_underscores on. Names that are not
// Prometheus 2.x names are escaped (Strata has no UTF-8 names), so the
// NoUTF8EscapingWithSuffixes and NoTranslation strategies are not offered.
//
//   http.server.duration, unit "s", histogram  -> http_server_duration_seconds
//   requests, unit "{request}", monotonic sum  -> requests_total
//   memory.usage, unit "By", gauge             -> memory_usage_bytes
//   cpu.utilization, unit "1", gauge           -> cpu_utilization_ratio
//   throughput, unit "By/s", gauge             -> throughput_bytes_per_second
//   label "http.method" -> http_method, "2xx" -> key_2xx, "_x" -> key_x
//
// Thread-safety: pure functions.
#ifndef STRATA_SERVER_REMOTE_OTLP_NAMES_H_
#define STRATA_SERVER_REMOTE_OTLP_NAMES_H_

#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::server {

// The kinds of metric the names depend on (otlptranslator.MetricType).
enum class OtlpNameKind : uint8_t {
  kGauge,
  kMonotonicCounter,     // A monotonic sum: "_total".
  kNonMonotonicCounter,  // A non-monotonic sum: a gauge, no "_total".
  kHistogram,
  kExponentialHistogram,
  kSummary,
  kUnknown,
};

// The Prometheus metric name of an OTLP metric: characters other than
// [a-zA-Z0-9:] replaced, and with `add_suffixes` the unit's suffixes
// ("_seconds", "_bytes_per_second"), "_total" for monotonic counters and
// "_ratio" for gauges of unit "1". InvalidArgument (Prometheus's message)
// if nothing usable is left of the name.
StatusOr<std::string> OtlpMetricName(std::string_view name,
                                     std::string_view unit, OtlpNameKind kind,
                                     bool add_suffixes);

// The unit as Prometheus stores it in the metric's metadata ("s" ->
// "seconds", "By/s" -> "bytes_per_second", "{request}" -> "").
std::string OtlpUnitName(std::string_view unit);

// The label name of an attribute key: characters other than [a-zA-Z0-9_]
// replaced by '_' (one per character), "key_" before a leading digit and
// "key" before a single leading '_'. InvalidArgument (Prometheus's
// message) for an empty key or one that leaves only underscores.
StatusOr<std::string> OtlpLabelName(std::string_view key);

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_OTLP_NAMES_H_
