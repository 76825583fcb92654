// PromQL's functions, following Prometheus 2.42's promql/functions.go.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <utility>

#include "absl/strings/str_format.h"
#include "promql/evaluator.h"
#include "promql/format.h"
#include "promql/histogram_functions.h"
#include "promql/histogram_math.h"
#include "promql/quantile.h"
#include "util/strings.h"

namespace strata::promql::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Go's math.Max/Min: NaN wins, and +0 > -0.
double GoMax(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

double GoMin(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

// Neumaier's compensated summation step, as Prometheus's kahanSumInc.
void KahanSumInc(double inc, double* sum, double* c) {
  const double t = *sum + inc;
  if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

// Go's time.Duration.Seconds() of a millisecond duration.
double Seconds(int64_t ms) {
  return static_cast<double>(ms / 1000) + static_cast<double>(ms % 1000) / 1e3;
}

// ---- Functions over instant vectors ----

template <double (*F)(double)>
Status Simple(InstantCall& c) {
  for (const StepSample& s : c.args[0]) {
    c.out->push_back({c.state.pool.DropMetricName(s.metric), F(s.v), -1});
  }
  return Status::OK();
}

double Abs(double v) { return std::fabs(v); }
double Ceil(double v) { return std::ceil(v); }
double Floor(double v) { return std::floor(v); }
double Exp(double v) { return std::exp(v); }
double Sqrt(double v) { return std::sqrt(v); }
double Ln(double v) { return std::log(v); }
double Log2(double v) {
  // Go computes exact results for powers of two.
  int exp = 0;
  const double frac = std::frexp(v, &exp);
  if (frac == 0.5) return static_cast<double>(exp - 1);
  return std::log(frac) * std::numbers::log2e + static_cast<double>(exp);
}
// Go multiplies by 1/Ln10 computed exactly at compile time, which is
// log10(e) rounded once.
double Log10(double v) { return std::log(v) * std::numbers::log10e; }
double Sin(double v) { return std::sin(v); }
double Cos(double v) { return std::cos(v); }
double Tan(double v) { return std::tan(v); }
double Asin(double v) { return std::asin(v); }
double Acos(double v) { return std::acos(v); }
double Atan(double v) { return std::atan(v); }
double Sinh(double v) { return std::sinh(v); }
double Cosh(double v) { return std::cosh(v); }
double Tanh(double v) { return std::tanh(v); }
double Asinh(double v) { return std::asinh(v); }
double Acosh(double v) { return std::acosh(v); }
double Atanh(double v) { return std::atanh(v); }
double Rad(double v) { return v * std::numbers::pi / 180; }
double Deg(double v) { return v * 180 / std::numbers::pi; }
double Sgn(double v) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;
}

Status FnTime(InstantCall& c) {
  c.out->push_back({EmptyLabels(), static_cast<double>(c.ts) / 1000, -1});
  return Status::OK();
}

Status FnPi(InstantCall& c) {
  c.out->push_back({EmptyLabels(), std::numbers::pi, -1});
  return Status::OK();
}

Status FnVector(InstantCall& c) {
  c.out->push_back({EmptyLabels(), c.Scalar(0), -1});
  return Status::OK();
}

Status FnScalar(InstantCall& c) {
  const StepVector& v = c.args[0];
  c.out->push_back({EmptyLabels(), v.size() == 1 ? v[0].v : kNaN, -1});
  return Status::OK();
}

// timestamp() of anything but a selector sees the evaluation time.
Status FnTimestamp(InstantCall& c) {
  for (const StepSample& s : c.args[0]) {
    c.out->push_back({c.state.pool.DropMetricName(s.metric),
                      static_cast<double>(c.ts) / 1000, -1});
  }
  return Status::OK();
}

Status FnClamp(InstantCall& c) {
  const double min = c.Scalar(1), max = c.Scalar(2);
  if (max < min) return Status::OK();
  for (const StepSample& s : c.args[0]) {
    c.out->push_back({c.state.pool.DropMetricName(s.metric),
                      GoMax(min, GoMin(max, s.v)), -1});
  }
  return Status::OK();
}

Status FnClampMax(InstantCall& c) {
  const double max = c.Scalar(1);
  for (const StepSample& s : c.args[0]) {
    c.out->push_back(
        {c.state.pool.DropMetricName(s.metric), GoMin(max, s.v), -1});
  }
  return Status::OK();
}

Status FnClampMin(InstantCall& c) {
  const double min = c.Scalar(1);
  for (const StepSample& s : c.args[0]) {
    c.out->push_back(
        {c.state.pool.DropMetricName(s.metric), GoMax(min, s.v), -1});
  }
  return Status::OK();
}

Status FnRound(InstantCall& c) {
  const double to_nearest = c.call.args.size() >= 2 ? c.Scalar(1) : 1;
  // Inverting first causes fewer floating point accuracy issues.
  const double inverse = 1.0 / to_nearest;
  for (const StepSample& s : c.args[0]) {
    c.out->push_back({c.state.pool.DropMetricName(s.metric),
                      std::floor(s.v * inverse + 0.5) / inverse, -1});
  }
  return Status::OK();
}

// Sorts by value, NaN last either way; ties keep their order.
template <bool kDescending>
Status FnSort(InstantCall& c) {
  *c.out = c.args[0];
  std::stable_sort(c.out->begin(), c.out->end(),
                   [](const StepSample& a, const StepSample& b) {
                     if (std::isnan(b.v)) return !std::isnan(a.v);
                     if (std::isnan(a.v)) return false;
                     return kDescending ? a.v > b.v : a.v < b.v;
                   });
  return Status::OK();
}

Status FnAbsent(InstantCall& c) {
  if (!c.args[0].empty()) return Status::OK();
  // Labels from the argument's equality matchers, minus ambiguous ones.
  const Expr& arg = UnwrapParens(*c.call.args[0]);
  std::vector<Label> set;
  std::vector<std::string> drop;
  if (arg.kind() == NodeKind::kVectorSelector) {
    for (const Matcher& m : arg.As<VectorSelector>().matchers) {
      if (m.name() == kMetricNameLabel) continue;
      auto has = std::find_if(set.begin(), set.end(), [&](const Label& l) {
        return l.name == m.name();
      });
      if (m.type() == Matcher::Type::kEqual && has == set.end()) {
        set.push_back({m.name(), m.value()});
      } else {
        drop.push_back(m.name());
      }
    }
  }
  std::erase_if(set, [&](const Label& l) {
    return std::find(drop.begin(), drop.end(), l.name) != drop.end();
  });
  c.out->push_back(
      {c.state.pool.Intern(Labels::FromUnchecked(std::move(set))), 1, -1});
  return Status::OK();
}

// Go's regexp.Expand template syntax: $1, ${1}, $name, ${name}, $$. Calls
// `emit` with each piece of the expansion in order.
template <typename Emit>
void ForEachExpandedPiece(std::string_view tmpl, const RE2& re,
                          const std::vector<re2::StringPiece>& groups,
                          Emit emit) {
  while (!tmpl.empty()) {
    const size_t dollar = tmpl.find('$');
    if (dollar == tmpl.npos) break;
    emit(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      emit("$");
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view str = tmpl;
    const bool brace = !str.empty() && str[0] == '{';
    if (brace) str.remove_prefix(1);
    size_t i = 0;
    while (i < str.size()) {
      const auto ch = static_cast<unsigned char>(str[i]);
      if (!(ch >= 0x80 || ch == '_' || (ch >= '0' && ch <= '9') ||
            (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) {
        break;
      }
      ++i;
    }
    if (i == 0 || (brace && (i >= str.size() || str[i] != '}'))) {
      emit("$");  // Malformed: the $ is literal text.
      continue;
    }
    const std::string_view name = str.substr(0, i);
    tmpl = str.substr(brace ? i + 1 : i);
    int num = 0;
    for (char d : name) {
      if (d < '0' || d > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (d - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;
    if (num < 0) {
      const auto& named = re.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      if (it != named.end()) num = it->second;
    }
    if (num >= 0 && static_cast<size_t>(num) < groups.size() &&
        groups[num].data() != nullptr) {
      emit(std::string_view(groups[num].data(), groups[num].size()));
    }
  }
  emit(tmpl);
}

// The expansion of `tmpl`, or nullopt (having allocated nothing) if it
// would be longer than `max_size` bytes: `$1$1$1...` repeats can inflate a
// label enormously.
std::optional<std::string> ExpandTemplate(
    std::string_view tmpl, const RE2& re,
    const std::vector<re2::StringPiece>& groups, size_t max_size) {
  size_t size = 0;
  ForEachExpandedPiece(tmpl, re, groups, [&size](std::string_view piece) {
    size += piece.size();
  });
  if (size > max_size) return std::nullopt;
  std::string out;
  out.reserve(size);
  ForEachExpandedPiece(tmpl, re, groups,
                       [&out](std::string_view piece) { out.append(piece); });
  return out;
}

Status FnLabelReplace(InstantCall& c) {
  const std::string& dst = c.StringArg(1);
  const std::string& repl = c.StringArg(2);
  const std::string& src = c.StringArg(3);
  const std::string& regex = c.StringArg(4);
  if (c.state.regex == nullptr) {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_unique<RE2>("^(?:" + regex + ")$", opts);
    if (!re->ok()) {
      return ExecError(
          Cat("invalid regular expression in label_replace(): ", regex));
    }
    if (!IsValidLabelName(dst)) {
      return ExecError(
          Cat("invalid destination label name in label_replace(): ", dst));
    }
    c.state.regex = std::move(re);
  }
  const RE2& re = *c.state.regex;
  std::vector<re2::StringPiece> groups(1 + re.NumberOfCapturingGroups());
  for (const StepSample& s : c.args[0]) {
    auto it = c.state.relabel.find(s.metric);
    if (it == c.state.relabel.end()) {
      const Labels* out = s.metric;
      std::string_view src_val = s.metric->Get(src);
      if (re.Match(re2::StringPiece(src_val.data(), src_val.size()), 0,
                   src_val.size(), RE2::UNANCHORED, groups.data(),
                   static_cast<int>(groups.size()))) {
        // The new value must fit in what the query may still hold.
        const auto max_size = static_cast<size_t>(std::min<int64_t>(
            c.state.query->memory->Remaining(), INT64_MAX / 2));
        std::optional<std::string> res =
            ExpandTemplate(repl, re, groups, max_size);
        if (!res.has_value()) {
          c.state.query->Charge(static_cast<int64_t>(max_size) + 1);
          return c.state.query->TooMuchMemory();
        }
        std::vector<Label> b;
        for (const Label& l : *s.metric) {
          if (l.name != dst) b.push_back(l);
        }
        if (!res->empty()) b.push_back({dst, std::move(*res)});
        out = c.state.pool.Intern(Labels::FromUnchecked(std::move(b)));
      }
      it = c.state.relabel.emplace(s.metric, out).first;
    }
    c.out->push_back({it->second, s.v, -1});
  }
  return Status::OK();
}

Status FnLabelJoin(InstantCall& c) {
  const std::string& dst = c.StringArg(1);
  const std::string& sep = c.StringArg(2);
  std::vector<std::string> src_labels;
  for (size_t i = 3; i < c.call.args.size(); ++i) {
    const std::string& src = c.StringArg(i);
    if (!IsValidLabelName(src)) {
      return ExecError(Cat("invalid source label name in label_join(): ", src));
    }
    src_labels.push_back(src);
  }
  if (!IsValidLabelName(dst)) {
    return ExecError(
        Cat("invalid destination label name in label_join(): ", dst));
  }
  for (const StepSample& s : c.args[0]) {
    auto it = c.state.relabel.find(s.metric);
    if (it == c.state.relabel.end()) {
      std::string joined;
      for (size_t i = 0; i < src_labels.size(); ++i) {
        if (i > 0) joined.append(sep);
        joined.append(s.metric->Get(src_labels[i]));
      }
      std::vector<Label> b;
      for (const Label& l : *s.metric) {
        if (l.name != dst) b.push_back(l);
      }
      if (!joined.empty()) b.push_back({dst, std::move(joined)});
      const Labels* out =
          c.state.pool.Intern(Labels::FromUnchecked(std::move(b)));
      it = c.state.relabel.emplace(s.metric, out).first;
    }
    c.out->push_back({it->second, s.v, -1});
  }
  return Status::OK();
}

Status FnHistogramQuantile(InstantCall& c) {
  const double q = c.Scalar(0);
  NodeState& st = c.state;
  for (NodeState::BucketGroup& g : st.bucket_groups) g.buckets.clear();
  std::string key;
  std::vector<const StepSample*> natives;
  for (const StepSample& s : c.args[1]) {
    if (s.h != nullptr) {
      natives.push_back(&s);  // After the classic buckets, as 2.42.
      continue;
    }
    StatusOr<double> upper = ParseFloat(s.metric->Get("le"));
    if (!upper.ok()) continue;  // No or malformed bucket label.
    key.clear();
    // The metric name is part of the grouping, so histograms of different
    // names never merge (they collide in the output instead).
    for (const Label& l : *s.metric) {
      if (l.name == "le") continue;
      key.append(l.name);
      key.push_back('\xff');
      key.append(l.value);
      key.push_back('\xff');
    }
    auto [it, inserted] =
        st.bucket_index.try_emplace(key, st.bucket_groups.size());
    if (inserted) {
      std::vector<Label> b;
      for (const Label& l : *s.metric) {
        if (l.name != "le" && l.name != kMetricNameLabel) b.push_back(l);
      }
      st.bucket_groups.push_back(
          {st.pool.Intern(Labels::FromUnchecked(std::move(b))), {}});
    }
    st.bucket_groups[it->second].buckets.push_back({*upper, s.v});
  }
  // A native histogram with the labels of a classic one's buckets (minus
  // `le`) gives nothing, and drops the classic one at this step.
  for (const StepSample* s : natives) {
    key.clear();
    for (const Label& l : *s->metric) {
      key.append(l.name);
      key.push_back('\xff');
      key.append(l.value);
      key.push_back('\xff');
    }
    auto it = st.bucket_index.find(key);
    if (it != st.bucket_index.end() &&
        !st.bucket_groups[it->second].buckets.empty()) {
      st.bucket_groups[it->second].buckets.clear();
      continue;
    }
    c.out->push_back(
        {st.pool.DropMetricName(s->metric), HistogramQuantile(q, *s->h), -1});
  }
  std::vector<Bucket> buckets;
  for (const NodeState::BucketGroup& g : st.bucket_groups) {
    if (g.buckets.empty()) continue;
    buckets.clear();
    for (const auto& [upper, count] : g.buckets)
      buckets.push_back({upper, count});
    c.out->push_back({g.metric, BucketQuantile(q, buckets), -1});
  }
  return Status::OK();
}

// ---- Date functions ----

struct CivilTime {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
  int hour;
  int minute;
  int weekday;  // 0 = Sunday
  int yday;     // 1-366
};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime FromUnixSeconds(int64_t secs) {
  CivilTime t;
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t rem = secs - days * 86400;
  t.hour = static_cast<int>(rem / 3600);
  t.minute = static_cast<int>(rem % 3600 / 60);
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2);
  t.weekday = static_cast<int>(((days % 7) + 7 + 4) % 7);
  t.yday = static_cast<int>(days - DaysFromCivil(t.year, 1, 1) + 1);
  return t;
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

template <double (*F)(const CivilTime&)>
Status DateFunction(InstantCall& c) {
  if (c.call.args.empty()) {
    c.out->push_back({EmptyLabels(), F(FromUnixSeconds(c.ts / 1000)), -1});
    return Status::OK();
  }
  for (const StepSample& s : c.args[0]) {
    c.out->push_back({c.state.pool.DropMetricName(s.metric),
                      F(FromUnixSeconds(GoInt64(s.v))), -1});
  }
  return Status::OK();
}

double DayOfMonth(const CivilTime& t) { return t.day; }
double DayOfWeek(const CivilTime& t) { return t.weekday; }
double DayOfYear(const CivilTime& t) { return t.yday; }
double DaysInMonthOf(const CivilTime& t) {
  return DaysInMonth(t.year, t.month);
}
double Hour(const CivilTime& t) { return t.hour; }
double Minute(const CivilTime& t) { return t.minute; }
double Month(const CivilTime& t) { return t.month; }
double Year(const CivilTime& t) { return static_cast<double>(t.year); }

// ---- Functions over range vectors ----

using RangeResult = StatusOr<std::optional<double>>;

// The factor by which rate(), increase() and delta() scale the change
// `result` over the window (0 for histograms, as 2.42's resultValue):
// extrapolated towards the window's edges when samples are close enough
// to them, per second for rates.
inline double ExtrapolationFactor(const RangeCall& c, double result,
                                  bool is_counter, bool is_rate) {
  const auto& pts = c.points;
  double duration_to_start =
      static_cast<double>(pts.front().t - c.range_start) / 1000;
  const double duration_to_end =
      static_cast<double>(c.range_end - pts.back().t) / 1000;
  const double sampled_interval =
      static_cast<double>(pts.back().t - pts.front().t) / 1000;
  const double average_between =
      sampled_interval / static_cast<double>(pts.size() - 1);
  if (is_counter && result > 0 && pts.front().v >= 0) {
    // Counters cannot go below zero: do not extrapolate past that point.
    const double duration_to_zero = sampled_interval * (pts.front().v / result);
    if (duration_to_zero < duration_to_start)
      duration_to_start = duration_to_zero;
  }
  const double threshold = average_between * 1.1;
  double extrapolate_to = sampled_interval;
  extrapolate_to +=
      duration_to_start < threshold ? duration_to_start : average_between / 2;
  extrapolate_to +=
      duration_to_end < threshold ? duration_to_end : average_between / 2;
  // Scaled in this order so results match Prometheus to the last bit.
  double factor = extrapolate_to / sampled_interval;
  if (is_rate) factor /= Seconds(c.range_ms);
  return factor;
}

// ExtrapolatedRate of a window starting with a histogram: a histogram
// (nothing if the window mixes in floats). Out of line, so that the float
// path stays small enough to inline.
[[gnu::noinline]] RangeResult HistogramExtrapolatedRate(const RangeCall& c,
                                                        bool is_counter,
                                                        bool is_rate) {
  std::optional<FloatHistogram> histogram =
      HistogramRate(c.histograms, is_counter);
  if (!histogram.has_value()) return std::optional<double>();
  HistogramScale(&*histogram, ExtrapolationFactor(c, 0, is_counter, is_rate));
  c.result_histogram = c.query->KeepHistogram(*std::move(histogram));
  return std::optional<double>(0);
}

// rate(), increase() and delta(): the change over the window, extrapolated
// (ExtrapolationFactor). A window starting with a histogram is a histogram
// rate; one starting with a float gives nothing if it holds a histogram.
RangeResult ExtrapolatedRate(const RangeCall& c, bool is_counter,
                             bool is_rate) {
  const auto& pts = c.points;
  if (pts.size() < 2) return std::optional<double>();
  if (c.H(0) != nullptr)
    return HistogramExtrapolatedRate(c, is_counter, is_rate);
  double result = pts.back().v - pts.front().v;
  for (const FloatHistogram* h : c.histograms) {
    if (h != nullptr) return std::optional<double>();
  }
  if (is_counter) {
    double last = 0;
    for (const Point& p : pts) {
      if (p.v < last) result += last;
      last = p.v;
    }
  }
  return std::optional<double>(
      result * ExtrapolationFactor(c, result, is_counter, is_rate));
}

RangeResult FnRate(const RangeCall& c) {
  return ExtrapolatedRate(c, true, true);
}
RangeResult FnIncrease(const RangeCall& c) {
  return ExtrapolatedRate(c, true, false);
}
RangeResult FnDelta(const RangeCall& c) {
  return ExtrapolatedRate(c, false, false);
}

RangeResult InstantValue(const RangeCall& c, bool is_rate) {
  const auto& pts = c.points;
  if (pts.size() < 2) return std::optional<double>();
  const Point& last = pts[pts.size() - 1];
  const Point& prev = pts[pts.size() - 2];
  double result = is_rate && last.v < prev.v ? last.v : last.v - prev.v;
  const int64_t interval = last.t - prev.t;
  if (interval == 0) return std::optional<double>();
  if (is_rate) result /= static_cast<double>(interval) / 1000;
  return std::optional<double>(result);
}

RangeResult FnIrate(const RangeCall& c) { return InstantValue(c, true); }
RangeResult FnIdelta(const RangeCall& c) { return InstantValue(c, false); }

RangeResult FnHoltWinters(const RangeCall& c) {
  const double sf = c.scalars[1];
  const double tf = c.scalars[2];
  if (sf <= 0 || sf >= 1) {
    return ExecError(absl::StrFormat(
        "invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf));
  }
  if (tf <= 0 || tf >= 1) {
    return ExecError(absl::StrFormat(
        "invalid trend factor. Expected: 0 < tf < 1, got: %f", tf));
  }
  const auto& pts = c.points;
  if (pts.size() < 2) return std::optional<double>();
  double s0 = 0, s1 = pts[0].v, b = pts[1].v - pts[0].v;
  for (size_t i = 1; i < pts.size(); ++i) {
    const double x = sf * pts[i].v;
    // The trend at i-1; the first step keeps the initial trend.
    if (i - 1 != 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return std::optional<double>(s1);
}

RangeResult FnAvgOverTime(const RangeCall& c) {
  double mean = 0, count = 0, comp = 0;
  for (const Point& p : c.points) {
    ++count;
    if (std::isinf(mean)) {
      if (std::isinf(p.v) && (mean > 0) == (p.v > 0)) continue;
      if (!std::isinf(p.v) && !std::isnan(p.v)) continue;
    }
    KahanSumInc(p.v / count - mean / count, &mean, &comp);
  }
  if (std::isinf(mean)) return std::optional<double>(mean);
  return std::optional<double>(mean + comp);
}

RangeResult FnCountOverTime(const RangeCall& c) {
  return std::optional<double>(static_cast<double>(c.points.size()));
}

RangeResult FnLastOverTime(const RangeCall& c) {
  return std::optional<double>(c.points.back().v);
}

RangeResult FnMaxOverTime(const RangeCall& c) {
  double max = c.points[0].v;
  for (const Point& p : c.points) {
    if (p.v > max || std::isnan(max)) max = p.v;
  }
  return std::optional<double>(max);
}

RangeResult FnMinOverTime(const RangeCall& c) {
  double min = c.points[0].v;
  for (const Point& p : c.points) {
    if (p.v < min || std::isnan(min)) min = p.v;
  }
  return std::optional<double>(min);
}

RangeResult FnSumOverTime(const RangeCall& c) {
  double sum = 0, comp = 0;
  for (const Point& p : c.points) KahanSumInc(p.v, &sum, &comp);
  if (std::isinf(sum)) return std::optional<double>(sum);
  return std::optional<double>(sum + comp);
}

RangeResult FnQuantileOverTime(const RangeCall& c) {
  std::vector<double> values;
  values.reserve(c.points.size());
  for (const Point& p : c.points) values.push_back(p.v);
  return std::optional<double>(Quantile(c.scalars[0], values));
}

double Variance(std::span<const Point> pts) {
  double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
  for (const Point& p : pts) {
    ++count;
    const double delta = p.v - (mean + c_mean);
    KahanSumInc(delta / count, &mean, &c_mean);
    KahanSumInc(delta * (p.v - (mean + c_mean)), &aux, &c_aux);
  }
  return (aux + c_aux) / count;
}

RangeResult FnStdvarOverTime(const RangeCall& c) {
  return std::optional<double>(Variance(c.points));
}
RangeResult FnStddevOverTime(const RangeCall& c) {
  return std::optional<double>(std::sqrt(Variance(c.points)));
}

RangeResult FnOne(const RangeCall&) { return std::optional<double>(1); }

RangeResult FnChanges(const RangeCall& c) {
  int changes = 0;
  double prev = c.points[0].v;
  for (size_t i = 1; i < c.points.size(); ++i) {
    const double cur = c.points[i].v;
    if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) ++changes;
    prev = cur;
  }
  return std::optional<double>(changes);
}

RangeResult FnResets(const RangeCall& c) {
  int resets = 0;
  double prev = c.points[0].v;
  for (size_t i = 1; i < c.points.size(); ++i) {
    if (c.points[i].v < prev) ++resets;
    prev = c.points[i].v;
  }
  return std::optional<double>(resets);
}

// Least squares fit; returns the slope and the value at `intercept_time`.
std::pair<double, double> LinearRegression(std::span<const Point> pts,
                                           int64_t intercept_time) {
  double n = 0, sum_x = 0, c_x = 0, sum_y = 0, c_y = 0, sum_xy = 0, c_xy = 0,
         sum_x2 = 0, c_x2 = 0;
  const double init_y = pts[0].v;
  bool const_y = true;
  for (size_t i = 0; i < pts.size(); ++i) {
    if (const_y && i > 0 && pts[i].v != init_y) const_y = false;
    n += 1.0;
    const double x = static_cast<double>(pts[i].t - intercept_time) / 1e3;
    KahanSumInc(x, &sum_x, &c_x);
    KahanSumInc(pts[i].v, &sum_y, &c_y);
    KahanSumInc(x * pts[i].v, &sum_xy, &c_xy);
    KahanSumInc(x * x, &sum_x2, &c_x2);
  }
  if (const_y) {
    if (std::isinf(init_y)) return {kNaN, kNaN};
    return {0, init_y};
  }
  sum_x = sum_x + c_x;
  sum_y = sum_y + c_y;
  sum_xy = sum_xy + c_xy;
  sum_x2 = sum_x2 + c_x2;
  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  const double slope = cov_xy / var_x;
  const double intercept = sum_y / n - slope * sum_x / n;
  return {slope, intercept};
}

RangeResult FnDeriv(const RangeCall& c) {
  if (c.points.size() < 2) return std::optional<double>();
  // Relative to the first sample, to avoid losing precision.
  return std::optional<double>(LinearRegression(c.points, c.points[0].t).first);
}

RangeResult FnPredictLinear(const RangeCall& c) {
  if (c.points.size() < 2) return std::optional<double>();
  auto [slope, intercept] = LinearRegression(c.points, c.ts);
  return std::optional<double>(slope * c.scalars[1] + intercept);
}

}  // namespace

InstantFunction LookupInstantFunction(FuncId id) {
  switch (id) {
    case FuncId::kAbs:
      return Simple<Abs>;
    case FuncId::kAbsent:
      return FnAbsent;
    case FuncId::kAcos:
      return Simple<Acos>;
    case FuncId::kAcosh:
      return Simple<Acosh>;
    case FuncId::kAsin:
      return Simple<Asin>;
    case FuncId::kAsinh:
      return Simple<Asinh>;
    case FuncId::kAtan:
      return Simple<Atan>;
    case FuncId::kAtanh:
      return Simple<Atanh>;
    case FuncId::kCeil:
      return Simple<Ceil>;
    case FuncId::kClamp:
      return FnClamp;
    case FuncId::kClampMax:
      return FnClampMax;
    case FuncId::kClampMin:
      return FnClampMin;
    case FuncId::kCos:
      return Simple<Cos>;
    case FuncId::kCosh:
      return Simple<Cosh>;
    case FuncId::kDaysInMonth:
      return DateFunction<DaysInMonthOf>;
    case FuncId::kDayOfMonth:
      return DateFunction<DayOfMonth>;
    case FuncId::kDayOfWeek:
      return DateFunction<DayOfWeek>;
    case FuncId::kDayOfYear:
      return DateFunction<DayOfYear>;
    case FuncId::kDeg:
      return Simple<Deg>;
    case FuncId::kExp:
      return Simple<Exp>;
    case FuncId::kFloor:
      return Simple<Floor>;
    case FuncId::kHistogramCount:
      return FnHistogramCount;
    case FuncId::kHistogramSum:
      return FnHistogramSum;
    case FuncId::kHistogramFraction:
      return FnHistogramFraction;
    case FuncId::kHistogramQuantile:
      return FnHistogramQuantile;
    case FuncId::kHour:
      return DateFunction<Hour>;
    case FuncId::kLabelReplace:
      return FnLabelReplace;
    case FuncId::kLabelJoin:
      return FnLabelJoin;
    case FuncId::kLn:
      return Simple<Ln>;
    case FuncId::kLog10:
      return Simple<Log10>;
    case FuncId::kLog2:
      return Simple<Log2>;
    case FuncId::kMinute:
      return DateFunction<Minute>;
    case FuncId::kMonth:
      return DateFunction<Month>;
    case FuncId::kPi:
      return FnPi;
    case FuncId::kRad:
      return Simple<Rad>;
    case FuncId::kRound:
      return FnRound;
    case FuncId::kScalar:
      return FnScalar;
    case FuncId::kSgn:
      return Simple<Sgn>;
    case FuncId::kSin:
      return Simple<Sin>;
    case FuncId::kSinh:
      return Simple<Sinh>;
    case FuncId::kSort:
      return FnSort<false>;
    case FuncId::kSortDesc:
      return FnSort<true>;
    case FuncId::kSqrt:
      return Simple<Sqrt>;
    case FuncId::kTan:
      return Simple<Tan>;
    case FuncId::kTanh:
      return Simple<Tanh>;
    case FuncId::kTime:
      return FnTime;
    case FuncId::kTimestamp:
      return FnTimestamp;
    case FuncId::kVector:
      return FnVector;
    case FuncId::kYear:
      return DateFunction<Year>;
    default:
      return nullptr;
  }
}

RangeFunction LookupRangeFunction(FuncId id) {
  switch (id) {
    case FuncId::kAbsentOverTime:
    case FuncId::kPresentOverTime:
      return FnOne;
    case FuncId::kAvgOverTime:
      return FnAvgOverTime;
    case FuncId::kChanges:
      return FnChanges;
    case FuncId::kCountOverTime:
      return FnCountOverTime;
    case FuncId::kDelta:
      return FnDelta;
    case FuncId::kDeriv:
      return FnDeriv;
    case FuncId::kHoltWinters:
      return FnHoltWinters;
    case FuncId::kIdelta:
      return FnIdelta;
    case FuncId::kIncrease:
      return FnIncrease;
    case FuncId::kIrate:
      return FnIrate;
    case FuncId::kLastOverTime:
      return FnLastOverTime;
    case FuncId::kMaxOverTime:
      return FnMaxOverTime;
    case FuncId::kMinOverTime:
      return FnMinOverTime;
    case FuncId::kPredictLinear:
      return FnPredictLinear;
    case FuncId::kQuantileOverTime:
      return FnQuantileOverTime;
    case FuncId::kRate:
      return FnRate;
    case FuncId::kResets:
      return FnResets;
    case FuncId::kStddevOverTime:
      return FnStddevOverTime;
    case FuncId::kStdvarOverTime:
      return FnStdvarOverTime;
    case FuncId::kSumOverTime:
      return FnSumOverTime;
    default:
      return nullptr;
  }
}

}  // namespace strata::promql::internal
