#include "ruletest/go_text.h"

#include <cstdlib>

#include "util/go_format.h"
#include "util/strings.h"

namespace strata::ruletest {
namespace {

// "<whole>[.<fraction without trailing zeros>]" of `value` / 10^`digits`.
std::string FixedPoint(uint64_t value, int digits) {
  std::string whole = std::to_string(value);
  if (digits == 0) return whole;
  while (static_cast<int>(whole.size()) <= digits) whole.insert(0, "0");
  std::string fraction = whole.substr(whole.size() - digits);
  whole.resize(whole.size() - digits);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? whole : Cat(whole, ".", fraction);
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
  CatTo(&out, FixedPoint(seconds_ms, 3), "s");
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
