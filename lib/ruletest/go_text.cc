#include "ruletest/go_text.h"

#include <cstdio>

#include "util/go_format.h"
#include "util/strings.h"

namespace strata::ruletest {
namespace {

// "<s>[.<fraction without trailing zeros>]s" of `ms` milliseconds.
std::string Seconds(uint64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%llu.%03llu",
                static_cast<unsigned long long>(ms / 1000),
                static_cast<unsigned long long>(ms % 1000));
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s + "s";
}

}  // namespace

std::string GoDurationString(int64_t ms) {
  if (ms == 0) return "0s";
  const bool negative = ms < 0;
  const uint64_t u =
      negative ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  std::string out = negative ? "-" : "";
  if (u < 1000) return Cat(out, u, "ms");
  const uint64_t seconds_ms = u % 60000;
  const uint64_t minutes = u / 60000 % 60;
  const uint64_t hours = u / 3600000;
  if (hours > 0) CatTo(&out, hours, "h");
  if (hours > 0 || minutes > 0) CatTo(&out, minutes, "m");
  out += Seconds(seconds_ms);
  return out;
}

std::string IndentLines(std::string_view lines, std::string_view indent) {
  std::string out;
  size_t start = 0;
  bool first = true;
  while (true) {
    const size_t nl = lines.find('\n', start);
    if (!first) out.append(indent);
    first = false;
    if (nl == std::string_view::npos) {
      out.append(lines.substr(start));
      return out;
    }
    out.append(lines.substr(start, nl - start + 1));
    start = nl + 1;
  }
}

std::string FormatFloatUpperE(double v) {
  std::string s = FormatGoFloat(v, GoFloatFormat::kExponent);
  for (char& c : s) {
    if (c == 'e') c = 'E';
  }
  return s;
}

}  // namespace strata::ruletest
