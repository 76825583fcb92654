#include "grafana_panels.h"

#include <algorithm>
#include <array>
#include <utility>

#include "e2e_util.h"
#include "util/duration.h"
#include "util/strings.h"

namespace strata::e2e::grafana {
namespace {

using json = nlohmann::json;

constexpr int64_t kSecond = 1000;
// The backend's floor on the interval: range / safeResolution.
constexpr int64_t kSafeResolution = 11000;
constexpr int64_t kDefaultScrapeMs = 15 * kSecond;

// Upper bound of each bucket and the interval it rounds to (ms); past the
// last bound, a year. The same table in Grafana's Go and TypeScript code.
constexpr std::array<std::pair<int64_t, int64_t>, 28> kRounding = {{
    {15, 10},
    {35, 20},
    {75, 50},
    {150, 100},
    {350, 200},
    {750, 500},
    {1500, 1000},
    {3500, 2000},
    {7500, 5000},
    {12500, 10000},
    {17500, 15000},
    {25000, 20000},
    {45000, 30000},
    {90000, 60000},
    {210000, 120000},
    {450000, 300000},
    {750000, 600000},
    {1050000, 900000},
    {1500000, 1200000},
    {2700000, 1800000},
    {5400000, 3600000},
    {9000000, 7200000},
    {16200000, 10800000},
    {32400000, 21600000},
    {86400000, 43200000},
    {604800000, 86400000},
    {1814400000, 604800000},
    {3628800000, 2592000000},
}};
constexpr int64_t kYearMs = 31536000000;

// A Grafana interval string: Prometheus's syntax, with a ">" prefix
// (meaning "at least") tolerated as Grafana does.
StatusOr<int64_t> ParseInterval(std::string text) {
  if (!text.empty() && text[0] == '>') text.erase(0, 1);
  return ParseDuration(text);
}

std::string ReplaceAll(std::string s, const std::string& from,
                       const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos;
       at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// Go's time.Duration.String() of a whole number of milliseconds.
std::string GoDuration(int64_t ms) { return FormatGoDuration(ms * 1000000); }

std::string JsonString(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                               : std::string();
}

// Adds the panels of `panels` (and of collapsed rows inside) to `out`.
void CollectPanels(const json& panels, std::vector<const json*>* out) {
  if (!panels.is_array()) return;
  for (const json& p : panels) {
    out->push_back(&p);
    if (p.contains("panels")) CollectPanels(p["panels"], out);
  }
}

// Grafana's variable sort options 1 and 2 (alphabetical); 0 keeps the
// server's order. Numerical and case-insensitive sorts are not used by
// the stack's dashboards and are treated as alphabetical.
void SortOptions(int sort, std::vector<std::string>* options) {
  if (sort == 0) return;
  std::sort(options->begin(), options->end());
  if (sort % 2 == 0) std::reverse(options->begin(), options->end());
}

}  // namespace

int64_t RoundIntervalBackend(int64_t ms) {
  if (ms <= 10) return 1;
  for (const auto& [bound, rounded] : kRounding) {
    if (ms <= bound) return rounded;
  }
  return kYearMs;
}

int64_t RoundIntervalFrontend(int64_t ms) {
  for (const auto& [bound, rounded] : kRounding) {
    if (ms < bound) return rounded;
  }
  return kYearMs;
}

std::string FormatInterval(int64_t ms) {
  constexpr int64_t kMinute = 60 * kSecond, kHour = 60 * kMinute,
                    kDay = 24 * kHour, kYear = 365 * kDay;
  if (ms >= kYear) return Cat(ms / kYear, "y");
  if (ms >= kDay) return Cat(ms / kDay, "d");
  if (ms >= kHour) return Cat(ms / kHour, "h");
  if (ms >= kMinute) return Cat(ms / kMinute, "m");
  if (ms >= kSecond) return Cat(ms / kSecond, "s");
  if (ms >= 1) return Cat(ms, "ms");
  return "1ms";
}

StatusOr<Intervals> ComputeIntervals(const TimeRange& range,
                                     const IntervalInputs& in) {
  const int64_t span = range.to_ms - range.from_ms;
  if (span <= 0 || in.max_data_points <= 0) {
    return Status::InvalidArgument("empty time range or no data points");
  }
  int64_t scrape_ms = kDefaultScrapeMs;
  if (!in.scrape_interval.empty()) {
    StatusOr<int64_t> parsed = ParseInterval(in.scrape_interval);
    if (!parsed.ok()) return parsed.status();
    scrape_ms = *parsed;
  }
  // Frontend (PanelQueryRunner + rangeutil.calculateInterval): the lower
  // limit is the panel's min interval, else the data source's.
  int64_t low_limit_ms = 1;
  const std::string& low_limit = !in.panel_min_interval.empty()
                                     ? in.panel_min_interval
                                     : in.scrape_interval;
  if (!low_limit.empty()) {
    StatusOr<int64_t> parsed = ParseInterval(low_limit);
    if (!parsed.ok()) return parsed.status();
    low_limit_ms = *parsed;
  }
  const int64_t frontend_ms =
      std::max(RoundIntervalFrontend(span / in.max_data_points), low_limit_ms);

  // Backend (calculatePrometheusInterval): the query's min step if set,
  // else the frontend's interval, is the minimum; a variable min step
  // ($__interval, $__rate_interval) counts as unset.
  int64_t min_ms = frontend_ms;
  const bool rate_step = in.target_interval == "$__rate_interval" ||
                         in.target_interval == "${__rate_interval}";
  if (!in.target_interval.empty() && in.target_interval[0] != '$') {
    StatusOr<int64_t> parsed = ParseInterval(in.target_interval);
    if (!parsed.ok()) return parsed.status();
    min_ms = *parsed;
  }
  const int64_t calculated_raw = span / in.max_data_points;
  const int64_t calculated =
      calculated_raw < min_ms ? min_ms : RoundIntervalBackend(calculated_raw);
  const int64_t safe = RoundIntervalBackend(span / kSafeResolution);
  const int64_t adjusted = std::max(calculated, safe);
  auto rate_of = [scrape_ms](int64_t interval_ms) {
    return std::max(interval_ms + scrape_ms, 4 * scrape_ms);
  };
  Intervals out;
  if (rate_step) {
    // "Rate interval is final and is not affected by resolution."
    out.interval_ms = rate_of(adjusted);
    out.rate_interval_ms = out.interval_ms;
  } else {
    out.interval_ms = adjusted * std::max<int64_t>(in.interval_factor, 1);
    out.rate_interval_ms = rate_of(out.interval_ms);
  }
  return out;
}

std::string SubstituteTimeVariables(std::string expr, const TimeRange& range,
                                    const Intervals& intervals) {
  const int64_t range_ms = range.to_ms - range.from_ms;
  // math.Round: half away from zero.
  const int64_t range_s = (range_ms + 500) / 1000;
  const std::string interval_ms = std::to_string(intervals.interval_ms);
  const std::string interval = FormatInterval(intervals.interval_ms);
  const std::string rate_ms = std::to_string(intervals.rate_interval_ms);
  const std::string rate = GoDuration(intervals.rate_interval_ms);
  // The order of interpolateVariables: prefixes after the longer names.
  const std::pair<const char*, std::string> kReplacements[] = {
      {"$__interval_ms", interval_ms},
      {"$__interval", interval},
      {"$__range_ms", std::to_string(range_ms)},
      {"$__range_s", std::to_string(range_s)},
      {"$__range", std::to_string(range_s) + "s"},
      {"$__rate_interval_ms", rate_ms},
      {"$__rate_interval", rate},
      {"${__interval_ms}", interval_ms},
      {"${__interval}", interval},
      {"${__range_ms}", std::to_string(range_ms)},
      {"${__range_s}", std::to_string(range_s)},
      {"${__range}", std::to_string(range_s) + "s"},
      {"${__rate_interval_ms}", rate_ms},
      {"${__rate_interval}", rate},
  };
  for (const auto& [from, to] : kReplacements) {
    expr = ReplaceAll(std::move(expr), from, to);
  }
  return expr;
}

TimeRange AlignToStep(const TimeRange& range, int64_t step_ms) {
  auto floor_to = [step_ms](int64_t t) {
    int64_t q = t / step_ms;
    if (t % step_ms != 0 && t < 0) --q;
    return q * step_ms;
  };
  return {floor_to(range.from_ms), floor_to(range.to_ms)};
}

std::string PrometheusRegularEscape(const std::string& value) {
  // value.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'")
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\'') {
      out += "\\\\'";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusSpecialRegexEscape(const std::string& value) {
  // value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}\[\]\'+?.()|]/g,
  // '\\\\$&'): a backslash becomes four, a regex metacharacter gets two
  // (one for the PromQL string, one for the regex).
  std::string out;
  static constexpr std::string_view kSpecial = "$^*{}[]'+?.()|";
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\\\\\";
    } else if (kSpecial.find(c) != std::string_view::npos) {
      out += "\\\\";
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatVariable(const Variable& v) {
  if (v.all_selected && v.all_value.has_value()) return *v.all_value;
  const std::vector<std::string>& values =
      v.all_selected ? v.options : v.selected;
  if (!v.multi && !v.include_all) {
    return values.empty() ? std::string() : PrometheusRegularEscape(values[0]);
  }
  if (values.size() == 1) return PrometheusSpecialRegexEscape(values[0]);
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += '|';
    out += PrometheusSpecialRegexEscape(values[i]);
  }
  return out + ")";
}

StatusOr<std::string> SubstituteVariables(std::string text,
                                          const std::vector<Variable>& vars) {
  std::vector<const Variable*> by_length;
  for (const Variable& v : vars) by_length.push_back(&v);
  std::sort(by_length.begin(), by_length.end(),
            [](const Variable* a, const Variable* b) {
              return a->name.size() > b->name.size();
            });
  for (const Variable* v : by_length) {
    if (text.find("${" + v->name + ":") != std::string::npos) {
      return Status::InvalidArgument(
          Cat("${", v->name, ":format} is not emulated"));
    }
    const std::string value = FormatVariable(*v);
    text = ReplaceAll(std::move(text), "${" + v->name + "}", value);
    text = ReplaceAll(std::move(text), "[[" + v->name + "]]", value);
    // $name, not followed by a character that would extend the name.
    const std::string plain = "$" + v->name;
    for (size_t at = text.find(plain); at != std::string::npos;
         at = text.find(plain, at)) {
      const size_t end = at + plain.size();
      const bool extends =
          end < text.size() &&
          (std::isalnum(static_cast<unsigned char>(text[end])) != 0 ||
           text[end] == '_');
      if (extends) {
        at = end;
        continue;
      }
      text.replace(at, plain.size(), value);
      at += value.size();
    }
  }
  return text;
}

std::optional<LabelValuesQuery> ParseLabelValuesQuery(const std::string& q) {
  const std::string_view trimmed = TrimSpace(q);
  constexpr std::string_view kPrefix = "label_values(";
  if (trimmed.substr(0, kPrefix.size()) != kPrefix || trimmed.back() != ')') {
    return std::nullopt;
  }
  const std::string_view args =
      trimmed.substr(kPrefix.size(), trimmed.size() - kPrefix.size() - 1);
  // The label is after the last comma outside braces and quotes.
  int depth = 0;
  bool quoted = false;
  size_t split = std::string_view::npos;
  for (size_t i = 0; i < args.size(); ++i) {
    const char c = args[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '{' || c == '(') {
      ++depth;
    } else if (c == '}' || c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      split = i;
    }
  }
  LabelValuesQuery out;
  if (split == std::string_view::npos) {
    out.label = std::string(TrimSpace(args));
  } else {
    out.selector = std::string(TrimSpace(args.substr(0, split)));
    out.label = std::string(TrimSpace(args.substr(split + 1)));
  }
  if (!IsValidLabelName(out.label)) return std::nullopt;
  return out;
}

StatusOr<std::vector<std::string>> LabelValuesFromServer(
    int port, const LabelValuesQuery& q, const TimeRange& range) {
  std::string target =
      Cat("/api/v1/label/", q.label, "/values?start=", range.from_ms / 1000,
          "&end=", range.to_ms / 1000);
  if (!q.selector.empty()) {
    target += Cat("&match%5B%5D=", GoQueryEscape(q.selector));
  }
  const http_client::Response response = Http(port, "GET", target);
  if (response.status != 200) {
    return Status::Unavailable(
        Cat(target, ": HTTP ", response.status, ": ", response.body));
  }
  const json body = json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("data") || !body["data"].is_array()) {
    return Status::Corruption(Cat(target, ": ", response.body));
  }
  std::vector<std::string> values;
  for (const json& v : body["data"]) {
    if (v.is_string()) values.push_back(v.get<std::string>());
  }
  return values;
}

StatusOr<std::vector<PanelQuery>> DashboardQueries(
    const json& dashboard, const DashboardOptions& options,
    const LabelValuesFetcher& fetch) {
  std::vector<Variable> vars;
  if (dashboard.contains("templating") &&
      dashboard["templating"].contains("list")) {
    for (const json& t : dashboard["templating"]["list"]) {
      if (JsonString(t, "type") != "query") continue;
      std::string query;
      if (t.contains("query") && t["query"].is_object()) {
        query = JsonString(t["query"], "query");
      } else {
        query = JsonString(t, "query");
      }
      StatusOr<std::string> resolved = SubstituteVariables(query, vars);
      if (!resolved.ok()) return resolved.status();
      const std::optional<LabelValuesQuery> q =
          ParseLabelValuesQuery(*resolved);
      if (!q.has_value()) {
        return Status::InvalidArgument(
            Cat("variable ", JsonString(t, "name"),
                ": only label_values() queries are emulated: ", query));
      }
      StatusOr<std::vector<std::string>> values = fetch(*q, options.range);
      if (!values.ok()) return values.status();
      Variable v;
      v.name = JsonString(t, "name");
      v.multi = t.value("multi", false);
      v.include_all = t.value("includeAll", false);
      if (t.contains("allValue") && t["allValue"].is_string() &&
          !t["allValue"].get<std::string>().empty()) {
        v.all_value = t["allValue"].get<std::string>();
      }
      v.options = std::move(*values);
      SortOptions(t.value("sort", 0), &v.options);
      if (v.include_all) {
        v.all_selected = true;
      } else if (!v.options.empty()) {
        v.selected = {v.options[0]};
      }
      vars.push_back(std::move(v));
    }
  }

  std::vector<const json*> panels;
  if (dashboard.contains("panels")) CollectPanels(dashboard["panels"], &panels);
  std::vector<PanelQuery> out;
  for (const json* panel : panels) {
    if (!panel->contains("targets")) continue;
    int64_t max_data_points = panel->value("maxDataPoints", int64_t{0});
    if (max_data_points <= 0) {
      const int64_t w = panel->contains("gridPos")
                            ? (*panel)["gridPos"].value("w", int64_t{24})
                            : 24;
      max_data_points =
          std::max<int64_t>(1, w * options.dashboard_width_px / 24);
    }
    for (const json& target : (*panel)["targets"]) {
      if (target.value("hide", false)) continue;
      const std::string raw = JsonString(target, "expr");
      if (raw.empty()) continue;
      IntervalInputs in;
      in.scrape_interval = options.scrape_interval;
      in.panel_min_interval = JsonString(*panel, "interval");
      in.target_interval = JsonString(target, "interval");
      in.max_data_points = max_data_points;
      in.interval_factor = target.value("intervalFactor", int64_t{1});
      StatusOr<Intervals> intervals = ComputeIntervals(options.range, in);
      if (!intervals.ok()) return intervals.status();
      StatusOr<std::string> expr = SubstituteVariables(raw, vars);
      if (!expr.ok()) return expr.status();
      PanelQuery q;
      q.panel_title = JsonString(*panel, "title");
      q.ref_id = JsonString(target, "refId");
      q.raw_expr = raw;
      q.expr =
          SubstituteTimeVariables(std::move(*expr), options.range, *intervals);
      const TimeRange aligned =
          AlignToStep(options.range, intervals->interval_ms);
      q.start_ms = aligned.from_ms;
      q.end_ms = aligned.to_ms;
      q.step_ms = intervals->interval_ms;
      out.push_back(std::move(q));
    }
  }
  return out;
}

}  // namespace strata::e2e::grafana
