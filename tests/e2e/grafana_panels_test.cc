// The Grafana panel-query emulation, against values worked out from
// Grafana's own code paths (intervalv2, calculatePrometheusInterval,
// interpolateVariables, the Prometheus data source's escaping).
#include "grafana_panels.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::e2e::grafana {
namespace {

using json = nlohmann::json;

constexpr int64_t kHour = 3600 * 1000;

TEST(GrafanaPanelsTest, RoundsIntervalsAsGrafana) {
  EXPECT_EQ(RoundIntervalBackend(10), 1);
  EXPECT_EQ(RoundIntervalBackend(11), 10);
  EXPECT_EQ(RoundIntervalBackend(1500), 1000);
  EXPECT_EQ(RoundIntervalBackend(1501), 2000);
  EXPECT_EQ(RoundIntervalBackend(86400), 60000);
  EXPECT_EQ(RoundIntervalBackend(int64_t{5000} * 1000 * 1000), 31536000000);
  // The frontend compares with <.
  EXPECT_EQ(RoundIntervalFrontend(10), 10);
  EXPECT_EQ(RoundIntervalFrontend(1500), 2000);
  EXPECT_EQ(RoundIntervalFrontend(3400), 2000);
  EXPECT_EQ(RoundIntervalFrontend(7400), 5000);
}

TEST(GrafanaPanelsTest, FormatsIntervals) {
  EXPECT_EQ(FormatInterval(15000), "15s");
  EXPECT_EQ(FormatInterval(60000), "1m");
  EXPECT_EQ(FormatInterval(90000), "1m");
  EXPECT_EQ(FormatInterval(500), "500ms");
  EXPECT_EQ(FormatInterval(2 * kHour), "2h");
  EXPECT_EQ(FormatInterval(0), "1ms");
}

// One hour, 1000 points, 15 s scrape: the scrape interval is the floor,
// $__rate_interval is four scrapes.
TEST(GrafanaPanelsTest, OneHourAtFifteenSecondScrape) {
  const TimeRange range{10 * kHour, 11 * kHour};
  IntervalInputs in;
  in.scrape_interval = "15s";
  in.max_data_points = 1000;
  const StatusOr<Intervals> i = ComputeIntervals(range, in);
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->interval_ms, 15000);
  EXPECT_EQ(i->rate_interval_ms, 60000);
  EXPECT_EQ(
      SubstituteTimeVariables("rate(x[$__rate_interval]) * $__interval_ms / "
                              "$__range_s + max_over_time(y[$__interval]) "
                              "+ z[$__range] + $__range_ms + ${__interval}",
                              range, *i),
      "rate(x[1m0s]) * 15000 / 3600 + max_over_time(y[15s]) + "
      "z[3600s] + 3600000 + 15s");
}

// A day at 1000 points: the range decides (86.4 s rounds to 1m), and
// $__rate_interval is the interval plus one scrape.
TEST(GrafanaPanelsTest, OneDayIsResolutionBound) {
  const TimeRange range{0, 24 * kHour};
  IntervalInputs in;
  in.scrape_interval = "15s";
  in.max_data_points = 1000;
  const StatusOr<Intervals> i = ComputeIntervals(range, in);
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->interval_ms, 60000);
  EXPECT_EQ(i->rate_interval_ms, 75000);
  EXPECT_EQ(SubstituteTimeVariables("$__rate_interval", range, *i), "1m15s");
  // Twice the legacy resolution factor: twice the step.
  in.interval_factor = 2;
  EXPECT_EQ(ComputeIntervals(range, in)->interval_ms, 120000);
}

TEST(GrafanaPanelsTest, ShortRangeAndMinIntervals) {
  const TimeRange range{1000000, 1000000 + 120000};
  IntervalInputs in;
  in.scrape_interval = "2s";
  in.max_data_points = 960;
  StatusOr<Intervals> i = ComputeIntervals(range, in);
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->interval_ms, 2000);
  EXPECT_EQ(i->rate_interval_ms, 8000);
  // The panel's min interval replaces the data source's as the floor.
  in.panel_min_interval = "10s";
  EXPECT_EQ(ComputeIntervals(range, in)->interval_ms, 10000);
  EXPECT_EQ(ComputeIntervals(range, in)->rate_interval_ms, 12000);
  // A target min step of $__rate_interval makes the step the rate interval.
  in.panel_min_interval = "";
  in.target_interval = "$__rate_interval";
  i = ComputeIntervals(range, in);
  EXPECT_EQ(i->interval_ms, 8000);
  EXPECT_EQ(i->rate_interval_ms, 8000);
  // A literal min step wins over the frontend interval.
  in.target_interval = "30s";
  EXPECT_EQ(ComputeIntervals(range, in)->interval_ms, 30000);
  // No scrape interval: Grafana's 15 s default for $__rate_interval.
  in = IntervalInputs{};
  in.max_data_points = 960;
  EXPECT_EQ(ComputeIntervals(range, in)->interval_ms, 100);
  EXPECT_EQ(ComputeIntervals(range, in)->rate_interval_ms, 60000);
  IntervalInputs bogus;
  bogus.scrape_interval = "bogus";
  EXPECT_FALSE(ComputeIntervals(range, bogus).ok());
}

TEST(GrafanaPanelsTest, AlignsToStep) {
  const TimeRange aligned = AlignToStep({1000999, 1120999}, 2000);
  EXPECT_EQ(aligned.from_ms, 1000000);
  EXPECT_EQ(aligned.to_ms, 1120000);
}

Variable Named(const std::string& name) {
  Variable v;
  v.name = name;
  return v;
}

TEST(GrafanaPanelsTest, FormatsVariablesAsThePrometheusDataSource) {
  EXPECT_EQ(PrometheusRegularEscape("it's a\\b"), "it\\\\'s a\\\\b");
  EXPECT_EQ(PrometheusSpecialRegexEscape("a.b|c\\d"), "a\\\\.b\\\\|c\\\\\\\\d");
  Variable single = Named("instance");
  single.options = {"127.0.0.1:9100"};
  single.selected = {"127.0.0.1:9100"};
  EXPECT_EQ(FormatVariable(single), "127.0.0.1:9100");
  Variable multi = Named("route");
  multi.multi = true;
  multi.include_all = true;
  multi.all_selected = true;
  multi.options = {"/api/consents", "/api/catalog/search"};
  EXPECT_EQ(FormatVariable(multi), "(/api/consents|/api/catalog/search)");
  multi.options = {"a.b"};
  EXPECT_EQ(FormatVariable(multi), "a\\\\.b");
  multi.all_value = ".+";
  EXPECT_EQ(FormatVariable(multi), ".+");
  multi.all_selected = false;
  multi.selected = {"x", "y(z)"};
  EXPECT_EQ(FormatVariable(multi), "(x|y\\\\(z\\\\))");
}

TEST(GrafanaPanelsTest, SubstitutesVariables) {
  Variable inst = Named("instance");
  inst.options = inst.selected = {"h:1"};
  Variable inst_type = Named("instance_type");
  inst_type.options = inst_type.selected = {"big"};
  const StatusOr<std::string> out = SubstituteVariables(
      "up{instance=\"$instance\", a=\"${instance}\", b=\"[[instance]]\", "
      "t=\"$instance_type\", u=\"$instancex\"}",
      {inst, inst_type});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            "up{instance=\"h:1\", a=\"h:1\", b=\"h:1\", t=\"big\", "
            "u=\"$instancex\"}");
  EXPECT_FALSE(SubstituteVariables("${instance:csv}", {inst}).ok());
}

TEST(GrafanaPanelsTest, ParsesLabelValuesQueries) {
  std::optional<LabelValuesQuery> q =
      ParseLabelValuesQuery("label_values(up{job=\"a,b\"}, instance)");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->selector, "up{job=\"a,b\"}");
  EXPECT_EQ(q->label, "instance");
  q = ParseLabelValuesQuery(" label_values(job) ");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->selector, "");
  EXPECT_EQ(q->label, "job");
  EXPECT_FALSE(ParseLabelValuesQuery("query_result(up)").has_value());
  EXPECT_FALSE(ParseLabelValuesQuery("label_values(up, 1x)").has_value());
}

// A dashboard: a chained variable, a collapsed row with a nested panel, a
// hidden target; the fetcher sees the earlier variable's value.
TEST(GrafanaPanelsTest, ListsEveryPanelQueryOfADashboard) {
  // clang-format off
  const json dashboard = json::parse(R"json({
    "templating": {"list": [
      {"type": "datasource", "name": "datasource", "query": "prometheus"},
      {"type": "query", "name": "instance", "multi": false, "includeAll": false,
       "sort": 1, "query": {"query": "label_values(up{job=\"app\"}, instance)"}},
      {"type": "query", "name": "route", "multi": true, "includeAll": true,
       "query": "label_values(http_requests_total{instance=\"$instance\"}, route)"}
    ]},
    "panels": [
      {"type": "timeseries", "title": "Rate", "gridPos": {"w": 12},
       "targets": [
         {"refId": "A", "expr": "sum(rate(http_requests_total{instance=\"$instance\", route=~\"$route\"}[$__rate_interval]))"},
         {"refId": "B", "expr": "up", "hide": true}]},
      {"type": "row", "title": "More", "collapsed": true, "panels": [
        {"type": "stat", "title": "Total", "maxDataPoints": 100, "interval": "10s",
         "targets": [{"refId": "A", "expr": "sum(increase(http_requests_total[$__range]))"}]}]}
    ]})json");
  // clang-format on
  std::vector<std::string> asked;
  const LabelValuesFetcher fetch =
      [&](const LabelValuesQuery& q,
          const TimeRange&) -> StatusOr<std::vector<std::string>> {
    asked.push_back(q.selector + " " + q.label);
    if (q.label == "instance") {
      return std::vector<std::string>{"h:2", "h:1"};
    }
    return std::vector<std::string>{"/a", "/b"};
  };
  DashboardOptions options;
  options.range = {1000999, 1000999 + 120000};
  options.scrape_interval = "2s";
  const StatusOr<std::vector<PanelQuery>> queries =
      DashboardQueries(dashboard, options, fetch);
  ASSERT_TRUE(queries.ok()) << queries.status().ToString();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0], "up{job=\"app\"} instance");
  // Sorted, the first instance is selected.
  EXPECT_EQ(asked[1], "http_requests_total{instance=\"h:1\"} route");
  ASSERT_EQ(queries->size(), 2u);
  const PanelQuery& rate = (*queries)[0];
  EXPECT_EQ(rate.panel_title, "Rate");
  EXPECT_EQ(rate.expr,
            "sum(rate(http_requests_total{instance=\"h:1\", "
            "route=~\"(/a|/b)\"}[8s]))");
  EXPECT_EQ(rate.step_ms, 2000);
  EXPECT_EQ(rate.start_ms, 1000000);
  EXPECT_EQ(rate.end_ms, 1120000);
  const PanelQuery& total = (*queries)[1];
  EXPECT_EQ(total.panel_title, "Total");
  EXPECT_EQ(total.expr, "sum(increase(http_requests_total[120s]))");
  // 120 s / 100 points = 1.2 s -> 1 s, below the panel's 10 s floor.
  EXPECT_EQ(total.step_ms, 10000);
  EXPECT_EQ(total.start_ms, 1000000);
}

}  // namespace
}  // namespace strata::e2e::grafana
