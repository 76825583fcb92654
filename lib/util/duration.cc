#include "util/duration.h"

#include <array>
#include <limits>
#include <string>

#include "util/strings.h"

namespace strata {
namespace {

struct DurationUnit {
  std::string_view suffix;
  int64_t ms;
};

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;

// In the only order the syntax allows.
constexpr std::array<DurationUnit, 7> kUnits = {{
    {"y", 365 * kMsPerDay},
    {"w", 7 * kMsPerDay},
    {"d", kMsPerDay},
    {"h", kMsPerHour},
    {"m", kMsPerMinute},
    {"s", kMsPerSecond},
    {"ms", 1},
}};

// Go's time.Duration counts nanoseconds in an int64.
constexpr int64_t kMaxMs = std::numeric_limits<int64_t>::max() / 1000000;

Status Invalid(std::string_view text) {
  return Status::InvalidArgument("not a valid duration string: \"" +
                                 std::string(text) + "\"");
}

}  // namespace

StatusOr<int64_t> ParseDuration(std::string_view text) {
  if (text == "0") return int64_t{0};
  if (text.empty()) return Status::InvalidArgument("empty duration string");
  std::string_view rest = text;
  size_t next_unit = 0;  // Units before this index are used up.
  int64_t total = 0;
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
      ++digits;
    }
    if (digits == 0) return Invalid(text);
    // Saturate instead of overflowing; anything this large is out of range.
    int64_t n = 0;
    for (size_t i = 0; i < digits; ++i) {
      if (n > kMaxMs) break;
      n = n * 10 + (rest[i] - '0');
    }
    rest.remove_prefix(digits);
    // "ms" must win over "m" when both could match.
    size_t unit = next_unit;
    for (; unit < kUnits.size(); ++unit) {
      std::string_view suffix = kUnits[unit].suffix;
      if (rest.substr(0, suffix.size()) != suffix) continue;
      if (suffix == "m" && rest.substr(0, 2) == "ms") continue;
      break;
    }
    if (unit == kUnits.size()) return Invalid(text);
    rest.remove_prefix(kUnits[unit].suffix.size());
    next_unit = unit + 1;
    if (n > kMaxMs / kUnits[unit].ms || total > kMaxMs - n * kUnits[unit].ms) {
      return Status::InvalidArgument("duration out of range: \"" +
                                     std::string(text) + "\"");
    }
    total += n * kUnits[unit].ms;
  }
  return total;
}

std::string FormatDuration(int64_t ms) {
  if (ms <= 0) return "0s";
  std::string out;
  for (const DurationUnit& unit : kUnits) {
    // Years and weeks only when they divide the rest exactly: "90d" reads
    // better than "12w6d".
    const bool exact_only = unit.suffix == "y" || unit.suffix == "w";
    if (exact_only && ms % unit.ms != 0) continue;
    const int64_t n = ms / unit.ms;
    if (n == 0) continue;
    out += std::to_string(n);
    out += unit.suffix;
    ms -= n * unit.ms;
  }
  return out;
}

namespace {

// Go's fmtFrac: v / 10^prec, and its fraction as ".ddd" without trailing
// zeros ("" when it is zero) in *fraction.
uint64_t SplitGoFraction(uint64_t v, int prec, std::string* fraction) {
  bool significant = false;
  for (int i = 0; i < prec; ++i) {
    const char digit = static_cast<char>('0' + v % 10);
    significant = significant || digit != '0';
    if (significant) fraction->insert(fraction->begin(), digit);
    v /= 10;
  }
  if (significant) fraction->insert(fraction->begin(), '.');
  return v;
}

}  // namespace

std::string FormatGoDuration(int64_t ns) {
  if (ns == 0) return "0s";
  const bool negative = ns < 0;
  const uint64_t u =
      negative ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  std::string fraction;
  std::string out;
  if (u < 1000000000) {
    // Below a second Go switches to the largest unit that fits.
    const int prec = u < 1000 ? 0 : u < 1000000 ? 3 : 6;
    const char* unit = u < 1000 ? "ns" : u < 1000000 ? "\u00b5s" : "ms";
    const uint64_t whole = SplitGoFraction(u, prec, &fraction);
    out = Cat(whole, fraction, unit);
  } else {
    const uint64_t seconds = SplitGoFraction(u, 9, &fraction);
    out = Cat(seconds % 60, fraction, "s");
    const uint64_t minutes = seconds / 60;
    if (minutes > 0) {
      out = Cat(minutes % 60, "m", out);
      if (minutes / 60 > 0) out = Cat(minutes / 60, "h", out);
    }
  }
  return negative ? Cat("-", out) : out;
}

}  // namespace strata
