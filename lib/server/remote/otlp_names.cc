#include "server/remote/otlp_names.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "util/strings.h"

namespace strata::server {
namespace {

// OTLP (UCSUM) units and their Prometheus names.
constexpr std::pair<std::string_view, std::string_view> kUnits[] = {
    {"d", "days"},
    {"h", "hours"},
    {"min", "minutes"},
    {"s", "seconds"},
    {"ms", "milliseconds"},
    {"us", "microseconds"},
    {"ns", "nanoseconds"},
    {"By", "bytes"},
    {"KiBy", "kibibytes"},
    {"MiBy", "mebibytes"},
    {"GiBy", "gibibytes"},
    {"TiBy", "tibibytes"},
    {"KBy", "kilobytes"},
    {"MBy", "megabytes"},
    {"GBy", "gigabytes"},
    {"TBy", "terabytes"},
    {"m", "meters"},
    {"V", "volts"},
    {"A", "amperes"},
    {"J", "joules"},
    {"W", "watts"},
    {"g", "grams"},
    {"Cel", "celsius"},
    {"Hz", "hertz"},
    {"1", ""},
    {"%", "percent"},
};

// The denominators of "x/y" units, in the singular.
constexpr std::pair<std::string_view, std::string_view> kPerUnits[] = {
    {"s", "second"}, {"m", "minute"}, {"h", "hour"}, {"d", "day"},
    {"w", "week"},   {"mo", "month"}, {"y", "year"},
};

template <size_t N>
std::string_view Lookup(
    const std::pair<std::string_view, std::string_view> (&table)[N],
    std::string_view key) {
  for (const auto& [from, to] : table) {
    if (from == key) return to;
  }
  return key;
}

bool IsMetricNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == ':';
}

bool IsLabelNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool OnlyUnderscores(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '_'; });
}

// Go's strings.FieldsFunc: the non-empty runs of `s` between characters
// for which is_separator holds. Non-ASCII bytes are separators for both
// callers, so bytes stand in for runes.
template <typename IsSeparator>
std::vector<std::string> Fields(std::string_view s, IsSeparator is_separator) {
  std::vector<std::string> out;
  size_t begin = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || is_separator(s[i])) {
      if (i > begin) out.emplace_back(s.substr(begin, i - begin));
      begin = i + 1;
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& tokens) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += '_';
    out += tokens[i];
  }
  return out;
}

// The unit's main and "per_" suffixes (otlptranslator's
// buildUnitSuffixes): units in braces ("{request}") have none.
std::pair<std::string, std::string> UnitSuffixes(std::string_view unit) {
  std::pair<std::string, std::string> out;
  const size_t slash = unit.find('/');
  const std::string_view main = TrimSpace(unit.substr(0, slash));
  const auto usable = [](std::string_view u) {
    return !u.empty() && u.find_first_of("{}") == std::string_view::npos;
  };
  if (usable(main)) out.first = std::string(Lookup(kUnits, main));
  if (slash != std::string_view::npos && slash + 1 < unit.size()) {
    const std::string_view per = TrimSpace(unit.substr(slash + 1));
    if (usable(per)) out.second = std::string(Lookup(kPerUnits, per));
    if (!out.second.empty()) out.second = Cat("per_", out.second);
  }
  return out;
}

// otlptranslator's cleanUpUnit: invalid metric-name characters replaced
// by '_', runs of '_' collapsed, a leading '_' removed.
std::string CleanUpUnit(std::string_view unit) {
  std::string out;
  for (char c : unit) {
    const char mapped = IsMetricNameChar(c) ? c : '_';
    if (mapped == '_' && !out.empty() && out.back() == '_') continue;
    out += mapped;
  }
  if (!out.empty() && out.front() == '_') out.erase(0, 1);
  return out;
}

bool Contains(const std::vector<std::string>& tokens, std::string_view s) {
  return std::find(tokens.begin(), tokens.end(), s) != tokens.end();
}

void RemoveAll(std::vector<std::string>* tokens, std::string_view s) {
  tokens->erase(std::remove(tokens->begin(), tokens->end(), s), tokens->end());
}

// otlptranslator's addUnitTokens: the unit suffixes not already among
// the name's tokens.
void AddUnitTokens(std::vector<std::string>* tokens, std::string main,
                   std::string per) {
  if (Contains(*tokens, main)) main.clear();
  if (per == "per_") {
    per.clear();
  } else {
    if (!per.empty() && per.back() == '_') per.pop_back();
    if (Contains(*tokens, per)) per.clear();
  }
  if (!per.empty() && !main.empty() && main.back() == '_') main.pop_back();
  if (!main.empty()) tokens->push_back(std::move(main));
  if (!per.empty()) tokens->push_back(std::move(per));
}

// otlptranslator's normalizeName (the name with suffixes).
std::string NameWithSuffixes(std::string_view name, std::string_view unit,
                             OtlpNameKind kind) {
  std::vector<std::string> tokens =
      Fields(name, [](char c) { return !IsMetricNameChar(c); });
  auto [main, per] = UnitSuffixes(unit);
  AddUnitTokens(&tokens, CleanUpUnit(main), CleanUpUnit(per));
  if (kind == OtlpNameKind::kMonotonicCounter) {
    RemoveAll(&tokens, "total");
    tokens.emplace_back("total");
  }
  if (unit == "1" && kind == OtlpNameKind::kGauge) {
    RemoveAll(&tokens, "ratio");
    tokens.emplace_back("ratio");
  }
  std::string out = Join(tokens);
  if (!out.empty() && IsDigit(out[0])) out.insert(0, "_");
  return out;
}

// The name without suffixes: runs of invalid characters become one '_'.
std::string NameWithoutSuffixes(std::string_view name) {
  std::string out = Join(
      Fields(name, [](char c) { return !IsMetricNameChar(c) && c != '_'; }));
  if (!out.empty() && IsDigit(out[0])) out.insert(0, "_");
  return out;
}

}  // namespace

StatusOr<std::string> OtlpMetricName(std::string_view name,
                                     std::string_view unit, OtlpNameKind kind,
                                     bool add_suffixes) {
  std::string out = add_suffixes ? NameWithSuffixes(name, unit, kind)
                                 : NameWithoutSuffixes(name);
  if (out.empty()) {
    return Status::InvalidArgument(Cat("normalization for metric ",
                                       GoQuoted(name),
                                       " resulted in empty name"));
  }
  if (out != name && OnlyUnderscores(out)) {
    return Status::InvalidArgument(
        Cat("normalization for metric ", GoQuoted(name),
            " resulted in invalid name ", GoQuoted(out)));
  }
  return out;
}

std::string OtlpUnitName(std::string_view unit) {
  const auto [main_raw, per_raw] = UnitSuffixes(unit);
  const std::string main = CleanUpUnit(main_raw);
  const std::string per = CleanUpUnit(per_raw);
  std::string out = !main.empty() && !per.empty() ? Cat(main, "_", per)
                    : !main.empty()               ? main
                                                  : per;
  if (!out.empty() && out.front() == '_') out.erase(0, 1);
  if (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

StatusOr<std::string> OtlpLabelName(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("label name is empty");
  std::string out;
  out.reserve(key.size());
  // Rune by rune: a multi-byte character becomes one '_' (Go's range
  // over a string; each invalid byte is a rune of its own).
  for (size_t i = 0; i < key.size();) {
    int width = 1;
    if (static_cast<unsigned char>(key[i]) >= 0x80) {
      DecodeRune(key.substr(i), &width);
    }
    out += IsLabelNameChar(key[i]) ? key[i] : '_';
    i += static_cast<size_t>(width);
  }
  if (IsDigit(out[0])) {
    out.insert(0, "key_");
  } else if (out[0] == '_' && (out.size() < 2 || out[1] != '_')) {
    out.insert(0, "key");
  }
  if (OnlyUnderscores(out)) {
    return Status::InvalidArgument(
        Cat("normalization for label name ", GoQuoted(key),
            " resulted in invalid name ", GoQuoted(out)));
  }
  return out;
}

}  // namespace strata::server
