#include "inspect/exposition.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "util/go_format.h"
#include "util/strings.h"

namespace strata::inspect {
namespace {

constexpr int64_t kMillisPerSecond = 1000;
// More integer-second digits than this cannot be a millisecond int64.
constexpr size_t kMaxSecondDigits = 15;

bool IsNameStart(char c, bool metric) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (metric && c == ':');
}
bool IsNameChar(char c, bool metric) {
  return IsNameStart(c, metric) || (c >= '0' && c <= '9');
}

}  // namespace

std::string PromtoolLabels(const Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out.append(", ");
    first = false;
    out.append(l.name);
    out.push_back('=');
    AppendGoQuoted(&out, l.value);
  }
  out.push_back('}');
  return out;
}

std::string PromtoolDumpLine(const Labels& labels, int64_t t, double v) {
  std::string out = PromtoolLabels(labels);
  out.push_back(' ');
  AppendGoFloat(&out, v, GoFloatFormat::kShortest);
  out.push_back(' ');
  out.append(std::to_string(t));
  return out;
}

std::string OpenMetricsSeries(const Labels& labels) {
  std::string out(labels.MetricName());
  bool first = true;
  for (const Label& l : labels) {
    if (l.name == kMetricNameLabel) continue;
    out.push_back(first ? '{' : ',');
    first = false;
    out.append(l.name);
    out.push_back('=');
    AppendQuoted(&out, l.value);
  }
  if (!first) {
    out.push_back('}');
  } else if (out.empty()) {
    out = "{}";
  }
  return out;
}

std::string OpenMetricsTimestamp(int64_t t_ms) {
  const bool neg = t_ms < 0;
  const uint64_t a =
      neg ? 0 - static_cast<uint64_t>(t_ms) : static_cast<uint64_t>(t_ms);
  std::string frac = std::to_string(a % kMillisPerSecond);
  frac.insert(0, 3 - frac.size(), '0');
  return (neg ? "-" : "") + std::to_string(a / kMillisPerSecond) + "." + frac;
}

StatusOr<int64_t> ParseOpenMetricsTimestamp(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("bad timestamp \"" + std::string(text) +
                                   "\"");
  };
  size_t i = 0;
  bool neg = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    neg = text[i] == '-';
    ++i;
  }
  const size_t int_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  std::string_view int_part = text.substr(int_start, i - int_start);
  std::string_view frac_part;
  if (i < text.size() && text[i] == '.') {
    const size_t f = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    frac_part = text.substr(f, i - f);
  }
  if (int_part.empty() && frac_part.empty()) return bad();
  if (i == text.size() && frac_part.size() <= 3 &&
      int_part.size() <= kMaxSecondDigits) {
    int64_t secs = 0;
    for (char c : int_part) secs = secs * 10 + (c - '0');
    int64_t ms = 0;
    for (size_t k = 0; k < 3; ++k) {
      ms = ms * 10 + (k < frac_part.size() ? frac_part[k] - '0' : 0);
    }
    const int64_t total = secs * kMillisPerSecond + ms;
    return neg ? -total : total;
  }
  // Exponents or sub-millisecond digits: through a double, rounded.
  const std::string copy(text);
  char* end = nullptr;
  const double secs = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(secs)) return bad();
  const double ms = std::round(secs * kMillisPerSecond);
  if (std::fabs(ms) >= 9.2e18) return bad();
  return static_cast<int64_t>(ms);
}

StatusOr<double> ParseSampleValue(std::string_view text) {
  if (text == "NaN" || text == "nan") return std::nan("");
  if (text == "+Inf" || text == "Inf" || text == "+inf" || text == "inf") {
    return HUGE_VAL;
  }
  if (text == "-Inf" || text == "-inf") return -HUGE_VAL;
  std::string_view t = text;
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  double v = 0;
  auto res = std::from_chars(t.data(), t.data() + t.size(), v);
  if (res.ec != std::errc() || res.ptr != t.data() + t.size() || t.empty()) {
    // from_chars rejects hex floats and "0x"; strtod takes Go's other forms.
    const std::string copy(t);
    char* end = nullptr;
    v = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size()) {
      return Status::InvalidArgument("bad value \"" + std::string(text) + "\"");
    }
  }
  return v;
}

OpenMetricsReader::OpenMetricsReader(std::FILE* in,
                                     OpenMetricsReaderOptions options)
    : in_(in), options_(std::move(options)) {}

OpenMetricsReader::~OpenMetricsReader() { std::free(buf_); }

bool OpenMetricsReader::Fail(std::string_view what) {
  status_ = Status::InvalidArgument("line " + std::to_string(line_no_) + ": " +
                                    std::string(what));
  done_ = true;
  return false;
}

bool OpenMetricsReader::Next(TextSample* out) {
  while (!done_) {
    const ssize_t n = getline(&buf_, &cap_, in_);
    if (n < 0) {
      done_ = true;
      if (std::ferror(in_)) {
        status_ = Status::IOError("reading input failed");
      }
      return false;
    }
    ++line_no_;
    bytes_read_ += n;
    std::string_view line(buf_, static_cast<size_t>(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line == "# EOF") done_ = true;
      continue;
    }
    bool is_sample = false;
    Status st = ParseLine(line, out, &is_sample);
    if (!st.ok()) return Fail(st.message());
    if (is_sample) return true;
  }
  return false;
}

Status OpenMetricsReader::ParseLine(std::string_view line, TextSample* out,
                                    bool* is_sample) {
  size_t i = 0;
  // The series text runs to the first space outside quotes.
  bool in_braces = false, in_quotes = false;
  size_t series_end = std::string_view::npos;
  for (size_t k = 0; k < line.size(); ++k) {
    const char c = line[k];
    if (in_quotes) {
      if (c == '\\') {
        ++k;
      } else if (c == '"') {
        in_quotes = false;
      }
      continue;
    }
    if (c == '"' && in_braces) {
      in_quotes = true;
    } else if (c == '{') {
      in_braces = true;
    } else if (c == '}') {
      in_braces = false;
    } else if (c == ' ' && !in_braces) {
      series_end = k;
      break;
    }
  }
  if (series_end == std::string_view::npos) {
    return Status::InvalidArgument("expected a value after the series");
  }
  const std::string_view series = line.substr(0, series_end);
  // Checked before the comparison: the text before the first series is
  // empty too, and an empty series must not inherit the previous labels.
  if (series.empty()) {
    return Status::InvalidArgument("expected a metric name or labels");
  }
  same_series_ = series == last_series_text_;
  if (!same_series_) {
    std::vector<Label> pairs;
    size_t name_end = 0;
    while (name_end < series.size() &&
           IsNameChar(series[name_end], /*metric=*/true)) {
      ++name_end;
    }
    if (name_end > 0) {
      if (!IsNameStart(series[0], true)) {
        return Status::InvalidArgument("invalid metric name");
      }
      pairs.push_back({std::string(kMetricNameLabel),
                       std::string(series.substr(0, name_end))});
    }
    i = name_end;
    if (i < series.size()) {
      if (series[i] != '{' || series.back() != '}') {
        return Status::InvalidArgument("invalid series \"" +
                                       std::string(series) + "\"");
      }
      ++i;
      while (true) {
        while (i < series.size() && (series[i] == ' ' || series[i] == ',')) ++i;
        if (i >= series.size() - 1) break;  // At the closing brace.
        const size_t ns = i;
        while (i < series.size() && IsNameChar(series[i], false)) ++i;
        if (i == ns || !IsNameStart(series[ns], false)) {
          return Status::InvalidArgument("invalid label name in \"" +
                                         std::string(series) + "\"");
        }
        std::string name(series.substr(ns, i - ns));
        while (i < series.size() && series[i] == ' ') ++i;
        if (i >= series.size() || series[i] != '=') {
          return Status::InvalidArgument("expected '=' after label " + name);
        }
        ++i;
        while (i < series.size() && series[i] == ' ') ++i;
        if (i >= series.size() || series[i] != '"') {
          return Status::InvalidArgument("expected '\"' for label " + name);
        }
        ++i;
        std::string value;
        while (i < series.size() && series[i] != '"') {
          char c = series[i];
          if (c == '\\' && i + 1 < series.size()) {
            ++i;
            c = series[i] == 'n' ? '\n' : series[i];
          }
          value.push_back(c);
          ++i;
        }
        if (i >= series.size()) {
          return Status::InvalidArgument("unterminated value of label " + name);
        }
        ++i;  // Closing quote.
        pairs.push_back({std::move(name), std::move(value)});
      }
    }
    for (const Label& extra : options_.extra_labels) {
      bool replaced = false;
      for (Label& l : pairs) {
        if (l.name == extra.name) {
          l.value = extra.value;
          replaced = true;
        }
      }
      if (!replaced) pairs.push_back(extra);
    }
    StatusOr<Labels> labels = Labels::FromPairs(std::move(pairs));
    if (!labels.ok()) return labels.status();
    if (labels->empty())
      return Status::InvalidArgument("series without labels");
    out->labels = std::move(labels).value();
    last_series_text_.assign(series);
  }
  // Value, then an optional timestamp, then an optional exemplar.
  std::string_view rest = line.substr(series_end + 1);
  size_t sp = rest.find(' ');
  std::string_view value_text = rest.substr(0, sp);
  STRATA_ASSIGN_OR_RETURN(out->v, ParseSampleValue(value_text));
  if (sp == std::string_view::npos) {
    return Status::InvalidArgument("sample without a timestamp");
  }
  rest = rest.substr(sp + 1);
  sp = rest.find(' ');
  std::string_view ts_text = rest.substr(0, sp);
  if (ts_text.empty() || ts_text == "#") {
    return Status::InvalidArgument("sample without a timestamp");
  }
  STRATA_ASSIGN_OR_RETURN(out->t, ParseOpenMetricsTimestamp(ts_text));
  if (sp != std::string_view::npos) {
    std::string_view tail = rest.substr(sp + 1);
    if (!tail.starts_with("#")) {
      return Status::InvalidArgument("unexpected text after the timestamp");
    }
  }
  *is_sample = true;
  return Status::OK();
}

}  // namespace strata::inspect
