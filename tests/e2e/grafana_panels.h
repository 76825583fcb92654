// What Grafana (9.x/10.x, Prometheus data source) sends to the Prometheus
// HTTP API for each panel of a dashboard JSON: template variables
// resolved and formatted as the Prometheus data source formats them, the
// built-in $__interval, $__interval_ms, $__rate_interval(_ms), $__range,
// $__range_s, $__range_ms substituted, and the step and aligned time
// range of query_range computed as Grafana's backend computes them
// (pkg/tsdb/prometheus: calculatePrometheusInterval, interpolateVariables,
// AlignTimeRange; pkg/tsdb/intervalv2; the frontend's calculateInterval).
// The stack test runs every panel of examples/stack/grafana/dashboards
// through this against Strata.
//
// Thread-safety: pure functions, except LabelValuesFromServer (one HTTP
// request per call; safe to call from several threads).
#ifndef STRATA_TESTS_E2E_GRAFANA_PANELS_H_
#define STRATA_TESTS_E2E_GRAFANA_PANELS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "strata/status.h"

namespace strata::e2e::grafana {

// Grafana's table of "nice" intervals: `ms` rounded to 10ms, 20ms, 50ms,
// ..., 1s, 2s, 5s, 10s, 15s, 20s, 30s, 1m, 2m, 5m, ... 1y. The backend
// (Go, intervalv2.roundInterval) compares with <= and maps <= 10ms to
// 1ms; the frontend (rangeutil.roundInterval) compares with <.
int64_t RoundIntervalBackend(int64_t ms);
int64_t RoundIntervalFrontend(int64_t ms);

// intervalv2.FormatDuration: the largest whole unit, "15s", "1m", "2h",
// "500ms", "1d", "1y" (what $__interval becomes).
std::string FormatInterval(int64_t ms);

// The time range of a dashboard (Unix milliseconds).
struct TimeRange {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// The inputs of Grafana's interval computation for one panel target.
struct IntervalInputs {
  // The data source's "Scrape interval" (jsonData.timeInterval), e.g.
  // "15s"; "" means Grafana's default of 15s for $__rate_interval.
  std::string scrape_interval;
  // The panel's "Min interval" (panel.interval), "" if unset.
  std::string panel_min_interval;
  // The target's "Min step" (target.interval), "" if unset.
  std::string target_interval;
  // panel.maxDataPoints, or the panel's width in pixels.
  int64_t max_data_points = 1000;
  // target.intervalFactor (legacy "Resolution"), 1 if unset.
  int64_t interval_factor = 1;
};

struct Intervals {
  int64_t interval_ms = 0;       // $__interval, also the query_range step
  int64_t rate_interval_ms = 0;  // $__rate_interval
};

// The frontend's calculateInterval: round(range / max_data_points),
// raised to the lower limit (panel min interval, else the data source's
// scrape interval). Then the backend's calculatePrometheusInterval: at
// least that, at least range/11000 rounded, times the interval factor;
// $__rate_interval = max($__interval + scrape, 4 * scrape).
StatusOr<Intervals> ComputeIntervals(const TimeRange& range,
                                     const IntervalInputs& in);

// Replaces Grafana's built-in time variables in `expr` as the backend
// does ($__interval_ms before $__interval, $__range_ms and $__range_s
// before $__range; $__rate_interval as Go prints a duration, e.g. "1m0s").
std::string SubstituteTimeVariables(std::string expr, const TimeRange& range,
                                    const Intervals& intervals);

// The start and end Grafana sends: aligned down to multiples of the step
// (AlignTimeRange with a UTC offset of 0).
TimeRange AlignToStep(const TimeRange& range, int64_t step_ms);

// A template variable with its current selection.
struct Variable {
  std::string name;
  bool multi = false;
  bool include_all = false;
  // "All" selected: the value is `all_value` if set, else every option.
  bool all_selected = false;
  std::optional<std::string> all_value;
  std::vector<std::string> options;   // every value the query returned
  std::vector<std::string> selected;  // when not all_selected
};

// The Prometheus data source's escaping (prometheusRegularEscape,
// prometheusSpecialRegexEscape) and interpolateQueryExpr: a variable
// that is neither multi nor include-all is escaped for a string literal;
// otherwise each value is regex-escaped and several join as (a|b|c).
std::string PrometheusRegularEscape(const std::string& value);
std::string PrometheusSpecialRegexEscape(const std::string& value);
std::string FormatVariable(const Variable& v);

// Replaces $name, ${name} and [[name]] of every variable in `text` (longer
// names first so that $instance_type is not $instance + "_type").
// InvalidArgument for ${name:format}, which this emulation does not do.
StatusOr<std::string> SubstituteVariables(std::string text,
                                          const std::vector<Variable>& vars);

// A "label_values(label)" or "label_values(selector, label)" variable
// query; nullopt for any other form.
struct LabelValuesQuery {
  std::string selector;  // "" for the one-argument form
  std::string label;
};
std::optional<LabelValuesQuery> ParseLabelValuesQuery(const std::string& q);

// How the caller answers a variable query: the label's values over the
// range, as /api/v1/label/<label>/values?match[]=<selector>&start&end.
using LabelValuesFetcher = std::function<StatusOr<std::vector<std::string>>(
    const LabelValuesQuery&, const TimeRange&)>;

// That request against a Prometheus-compatible server on 127.0.0.1.
StatusOr<std::vector<std::string>> LabelValuesFromServer(
    int port, const LabelValuesQuery& q, const TimeRange& range);

// One query_range request Grafana makes for a panel target.
struct PanelQuery {
  std::string panel_title;
  std::string ref_id;
  std::string raw_expr;  // as in the dashboard
  std::string expr;      // as sent
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t step_ms = 0;
};

// Options of a dashboard run.
struct DashboardOptions {
  TimeRange range;
  std::string scrape_interval;  // the data source's timeInterval
  // Pixels of the dashboard's full width (24 grid columns); a panel's
  // max data points default to its width in pixels.
  int64_t dashboard_width_px = 1920;
};

// Resolves the dashboard's query variables in order (each variable's
// query sees the earlier ones; multi/include-all variables select All,
// the others their first option after Grafana's sort), then lists every
// target of every panel (rows' nested panels included) as sent.
// Hidden targets (hide: true) are skipped as Grafana skips them.
StatusOr<std::vector<PanelQuery>> DashboardQueries(
    const nlohmann::json& dashboard, const DashboardOptions& options,
    const LabelValuesFetcher& fetch);

}  // namespace strata::e2e::grafana

#endif  // STRATA_TESTS_E2E_GRAFANA_PANELS_H_
