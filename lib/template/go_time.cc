#include "template/go_time.h"

#include <algorithm>
#include <cstdint>

namespace strata::tmpl {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;
constexpr int64_t kSecondsPerDay = 86400;

// The proleptic Gregorian date of a day count since 1970-01-01.
void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

struct Civil {
  int64_t year;
  int month, day, hour, minute, second, weekday;
  int64_t nanos;
};

Civil ToCivil(Time t) {
  int64_t secs = t.unix_nanos / kNanosPerSecond;
  int64_t nanos = t.unix_nanos % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --secs;
  }
  int64_t days = secs / kSecondsPerDay;
  int64_t rem = secs % kSecondsPerDay;
  if (rem < 0) {
    rem += kSecondsPerDay;
    --days;
  }
  Civil c{};
  CivilFromDays(days, &c.year, &c.month, &c.day);
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem / 60 % 60);
  c.second = static_cast<int>(rem % 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01: Thu.
  c.nanos = nanos;
  return c;
}

std::string Pad(int64_t v, int width, char fill = '0') {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, width - s.size(), fill);
  return s;
}

}  // namespace

std::string GoTimeString(Time t) {
  return GoTimeFormat(t, "2006-01-02 15:04:05.999999999 -0700 MST");
}

std::string GoTimeFormat(Time t, std::string_view layout) {
  static constexpr const char* kMonths[] = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  static constexpr const char* kDays[] = {"Sunday",    "Monday",   "Tuesday",
                                          "Wednesday", "Thursday", "Friday",
                                          "Saturday"};
  const Civil c = ToCivil(t);
  std::string out;
  size_t i = 0;
  auto take = [&](std::string_view token) {
    if (layout.substr(i, token.size()) != token) return false;
    i += token.size();
    return true;
  };
  while (i < layout.size()) {
    if (take("January"))
      out += kMonths[c.month - 1];
    else if (take("Jan"))
      out += std::string(kMonths[c.month - 1], 3);
    else if (take("Monday"))
      out += kDays[c.weekday];
    else if (take("Mon"))
      out += std::string(kDays[c.weekday], 3);
    else if (take("MST"))
      out += "UTC";
    else if (take("2006"))
      out += Pad(c.year, 4);
    else if (take("-07:00") || take("Z07:00"))
      out += layout[i - 6] == 'Z' ? "Z" : "+00:00";
    else if (take("-0700"))
      out += "+0000";
    else if (take("Z0700"))
      out += "Z";
    else if (take("01"))
      out += Pad(c.month, 2);
    else if (take("02"))
      out += Pad(c.day, 2);
    else if (take("_2"))
      out += Pad(c.day, 2, ' ');
    else if (take("06"))
      out += Pad(c.year % 100, 2);
    else if (take("15"))
      out += Pad(c.hour, 2);
    else if (take("03"))
      out += Pad(c.hour % 12 == 0 ? 12 : c.hour % 12, 2);
    else if (take("04"))
      out += Pad(c.minute, 2);
    else if (take("05"))
      out += Pad(c.second, 2);
    else if (take("PM"))
      out += c.hour >= 12 ? "PM" : "AM";
    else if (take("pm"))
      out += c.hour >= 12 ? "pm" : "am";
    else if ((layout.substr(i, 2) == ".0" || layout.substr(i, 2) == ".9" ||
              layout.substr(i, 2) == ",0" || layout.substr(i, 2) == ",9")) {
      char digit = layout[i + 1];
      size_t n = 1;
      while (i + 1 + n < layout.size() && layout[i + 1 + n] == digit) ++n;
      bool followed_by_digit = i + 1 + n < layout.size() &&
                               layout[i + 1 + n] >= '0' &&
                               layout[i + 1 + n] <= '9';
      if (followed_by_digit) {
        out.push_back(layout[i++]);
        continue;
      }
      i += 1 + n;
      std::string frac = Pad(c.nanos, 9).substr(0, std::min<size_t>(n, 9));
      if (digit == '9') {
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        if (!frac.empty()) out += layout[i - 1 - n] + frac;
      } else {
        out += layout[i - 1 - n] + frac;
      }
    } else if (take("1"))
      out += std::to_string(c.month);
    else if (take("2"))
      out += std::to_string(c.day);
    else if (take("3"))
      out += std::to_string(c.hour % 12 == 0 ? 12 : c.hour % 12);
    else if (take("4"))
      out += std::to_string(c.minute);
    else if (take("5"))
      out += std::to_string(c.second);
    else
      out.push_back(layout[i++]);
  }
  return out;
}

}  // namespace strata::tmpl
