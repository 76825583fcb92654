#include "template/go_fmt.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/go_format.h"
#include "util/strings.h"

namespace strata::tmpl {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;
constexpr int64_t kSecondsPerDay = 86400;

// One parsed %-directive.
struct Spec {
  bool plus = false, minus = false, sharp = false, zero = false, space = false;
  int width = -1;
  int precision = -1;
  char verb = 0;
};

void AppendBadVerb(std::string* out, char verb, const Value& v) {
  out->append("%!");
  out->push_back(verb);
  out->push_back('(');
  if (v.is_nil()) {
    out->append("<nil>");
  } else {
    out->append(v.TypeName());
    out->push_back('=');
    AppendGoValue(out, v);
  }
  out->push_back(')');
}

// How the '0' flag pads: numbers put the zeros after their sign, text
// before everything, and Inf/NaN never take zeros.
enum class ZeroPad { kNever, kText, kNumber };

// Pads `body` to the width: spaces, or zeros with the '0' flag.
void AppendPadded(std::string* out, const Spec& s, std::string body,
                  ZeroPad zero = ZeroPad::kText) {
  int pad = s.width - static_cast<int>(body.size());
  if (pad <= 0) {
    out->append(body);
  } else if (s.minus) {
    out->append(body);
    out->append(pad, ' ');
  } else if (s.zero && zero != ZeroPad::kNever) {
    size_t sign = zero == ZeroPad::kNumber && !body.empty() &&
                          (body[0] == '-' || body[0] == '+' || body[0] == ' ')
                      ? 1
                      : 0;
    out->append(body.substr(0, sign));
    out->append(pad, '0');
    out->append(body.substr(sign));
  } else {
    out->append(pad, ' ');
    out->append(body);
  }
}

std::string IntDigits(uint64_t mag, int base, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[mag % base]);
    mag /= base;
  } while (mag > 0);
  return s;
}

void AppendInt(std::string* out, const Spec& s, int64_t v) {
  int base = 10;
  switch (s.verb) {
    case 'b':
      base = 2;
      break;
    case 'o':
      base = 8;
      break;
    case 'x':
    case 'X':
      base = 16;
      break;
    default:
      break;
  }
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : v;
  std::string digits = IntDigits(mag, base, s.verb == 'X');
  if (s.precision >= 0 && static_cast<int>(digits.size()) < s.precision) {
    digits.insert(0, s.precision - digits.size(), '0');
  }
  if (s.precision == 0 && v == 0) digits.clear();
  if (s.sharp) {
    if (base == 16) digits.insert(0, s.verb == 'X' ? "0X" : "0x");
    if (base == 8 && digits[0] != '0') digits.insert(0, "0");
    if (base == 2) digits.insert(0, "0b");
  }
  std::string sign = v < 0 ? "-" : s.plus ? "+" : s.space ? " " : "";
  AppendPadded(out, s, sign + digits,
               s.precision < 0 ? ZeroPad::kNumber : ZeroPad::kNever);
}

// Go's %x of a float ("0x1.cp+01"): C's %a with at least two exponent
// digits.
std::string HexFloat(double v, bool upper, int precision) {
  char buf[64];
  if (precision < 0) {
    std::snprintf(buf, sizeof buf, upper ? "%A" : "%a", v);
  } else {
    std::snprintf(buf, sizeof buf, upper ? "%.*A" : "%.*a", precision, v);
  }
  std::string body = buf;
  size_t p = body.find_first_of("pP");
  if (p != std::string::npos && body.size() - p == 3) body.insert(p + 2, "0");
  return body;
}

void AppendFloat(std::string* out, const Spec& s, double v) {
  if (std::isnan(v) || std::isinf(v)) {
    std::string body = std::isnan(v) ? (s.plus    ? "+NaN"
                                        : s.space ? " NaN"
                                                  : "NaN")
                       : v > 0       ? (s.space && !s.plus ? " Inf" : "+Inf")
                                     : "-Inf";
    AppendPadded(out, s, body, ZeroPad::kNever);
    return;
  }
  char verb = s.verb == 'v' ? 'g' : s.verb;
  std::string body;
  if (verb == 'x' || verb == 'X') {
    body = HexFloat(v, verb == 'X', s.precision);
  } else if (s.precision < 0 && (verb == 'g' || verb == 'G')) {
    body = FormatGoFloat(v, GoFloatFormat::kShortest);
    if (verb == 'G') {
      for (char& c : body) c = c == 'e' ? 'E' : c;
    }
  } else {
    char fmt[16];
    std::snprintf(fmt, sizeof fmt, "%%%s.*%c", s.sharp ? "#" : "",
                  verb == 'F' ? 'f' : verb);
    const int precision = s.precision < 0 ? 6 : s.precision;
    int n = std::snprintf(nullptr, 0, fmt, precision, v);
    body.resize(n + 1);
    std::snprintf(body.data(), body.size(), fmt, precision, v);
    body.resize(n);
  }
  if (body[0] != '-') body.insert(0, s.plus ? "+" : s.space ? " " : "");
  AppendPadded(out, s, body, ZeroPad::kNumber);
}

void AppendString(std::string* out, const Spec& s, const std::string& v) {
  std::string body = v;
  switch (s.verb) {
    case 'q':
      body = GoQuoted(v);
      break;
    case 'x':
    case 'X': {
      body.clear();
      for (unsigned char c : v) {
        if (s.space && !body.empty()) body.push_back(' ');
        body += IntDigits(c, 16, s.verb == 'X').insert(0, c < 16 ? "0" : "");
      }
      break;
    }
    default:
      if (s.precision >= 0 && static_cast<int>(body.size()) > s.precision) {
        body.resize(s.precision);
      }
  }
  AppendPadded(out, s, body);
}

void AppendDirective(std::string* out, const Spec& s, const Value& v);

void AppendList(std::string* out, const Spec& s, const ValueList& items) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(' ');
    AppendDirective(out, s, items[i]);
  }
  out->push_back(']');
}

void AppendDirective(std::string* out, const Spec& s, const Value& v) {
  using Kind = Value::Kind;
  if (s.verb == 'T') {
    AppendPadded(out, s, v.is_nil() ? "<nil>" : v.TypeName());
    return;
  }
  switch (v.kind()) {
    case Kind::kNil:
      if (s.verb == 'v') return AppendPadded(out, s, "<nil>");
      break;
    case Kind::kBool:
      if (s.verb == 'v' || s.verb == 't') {
        return AppendPadded(out, s, v.AsBool() ? "true" : "false");
      }
      break;
    case Kind::kInt:
      switch (s.verb) {
        case 'v':
        case 'd':
        case 'b':
        case 'o':
        case 'x':
        case 'X': {
          Spec d = s;
          if (d.verb == 'v') d.verb = 'd';
          return AppendInt(out, d, v.AsInt());
        }
        case 'c': {
          std::string r;
          AppendUtf8(&r, static_cast<int>(v.AsInt()));
          return AppendPadded(out, s, r);
        }
        case 'q':
          return AppendPadded(out, s,
                              GoQuotedRune(static_cast<int>(v.AsInt())));
        case 'U': {
          char buf[32];
          std::snprintf(buf, sizeof buf, "U+%04llX",
                        static_cast<unsigned long long>(v.AsInt()));
          return AppendPadded(out, s, buf);
        }
        default:
          break;
      }
      break;
    case Kind::kFloat:
      switch (s.verb) {
        case 'v':
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'x':
        case 'X':
          return AppendFloat(out, s, v.AsFloat());
        default:
          break;
      }
      break;
    case Kind::kString:
      switch (s.verb) {
        case 'v':
        case 's':
        case 'q':
        case 'x':
        case 'X':
          return AppendString(out, s, v.AsString());
        default:
          break;
      }
      break;
    case Kind::kList:
      return AppendList(out, s, v.AsList());
    case Kind::kTime:
      if (s.verb == 'v' || s.verb == 's') {
        return AppendString(out, s, GoTimeString(v.AsTime()));
      }
      break;
    case Kind::kMap: {
      // Go formats each key and element with the verb: %s of a map works.
      out->append("map[");
      bool first = true;
      for (const auto& [key, elem] : v.AsMap()) {
        if (!first) out->push_back(' ');
        first = false;
        AppendDirective(out, s, Value::String(key));
        out->push_back(':');
        AppendDirective(out, s, elem);
      }
      out->push_back(']');
      return;
    }
    case Kind::kStruct: {
      out->push_back('{');
      bool first = true;
      for (const auto& [name, field] : v.AsStructFields()) {
        if (!first) out->push_back(' ');
        first = false;
        AppendDirective(out, s, field);
      }
      out->push_back('}');
      return;
    }
    case Kind::kSample:
      if (s.verb == 'v') {
        std::string body;
        AppendGoValue(&body, v);
        return AppendPadded(out, s, body);
      }
      break;
  }
  AppendBadVerb(out, s.verb, v);
}

// Reads a width or precision number, or '*' from the arguments.
int ReadCount(std::string_view f, size_t* i, std::span<const Value> args,
              size_t* arg, bool* ok) {
  *ok = true;
  if (*i < f.size() && f[*i] == '*') {
    ++*i;
    if (*arg < args.size() && args[*arg].kind() == Value::Kind::kInt) {
      return static_cast<int>(args[(*arg)++].AsInt());
    }
    *ok = false;
    if (*arg < args.size()) ++*arg;
    return -1;
  }
  int n = -1;
  while (*i < f.size() && f[*i] >= '0' && f[*i] <= '9') {
    n = (n < 0 ? 0 : n * 10) + (f[(*i)++] - '0');
  }
  return n;
}

// Go's two-digit-per-field civil date from days since the epoch.
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

void AppendGoValue(std::string* out, const Value& v) {
  using Kind = Value::Kind;
  switch (v.kind()) {
    case Kind::kNil:
      out->append("<nil>");
      return;
    case Kind::kBool:
      out->append(v.AsBool() ? "true" : "false");
      return;
    case Kind::kInt:
      out->append(std::to_string(v.AsInt()));
      return;
    case Kind::kFloat:
      AppendGoFloat(out, v.AsFloat(), GoFloatFormat::kShortest);
      return;
    case Kind::kString:
      out->append(v.AsString());
      return;
    case Kind::kList: {
      Spec s;
      s.verb = 'v';
      AppendList(out, s, v.AsList());
      return;
    }
    case Kind::kMap: {
      out->append("map[");
      bool first = true;
      for (const auto& [k, e] : v.AsMap()) {
        if (!first) out->push_back(' ');
        first = false;
        out->append(k);
        out->push_back(':');
        AppendGoValue(out, e);
      }
      out->push_back(']');
      return;
    }
    case Kind::kSample: {
      out->append("&{");
      AppendGoValue(out, Value::StringMap(v.AsSample().labels));
      out->push_back(' ');
      AppendGoFloat(out, v.AsSample().value, GoFloatFormat::kShortest);
      out->push_back('}');
      return;
    }
    case Kind::kTime:
      out->append(GoTimeString(v.AsTime()));
      return;
    case Kind::kStruct: {
      out->push_back('{');
      bool first = true;
      for (const auto& [name, field] : v.AsStructFields()) {
        if (!first) out->push_back(' ');
        first = false;
        AppendGoValue(out, field);
      }
      out->push_back('}');
      return;
    }
  }
}

std::string GoValueString(const Value& v) {
  std::string out;
  AppendGoValue(&out, v);
  return out;
}

std::string GoSprint(std::span<const Value> args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i].kind() == Value::Kind::kString;
    if (i > 0 && !is_string && args[i - 1].kind() != Value::Kind::kString) {
      out.push_back(' ');
    }
    AppendGoValue(&out, args[i]);
  }
  return out;
}

std::string GoSprintln(std::span<const Value> args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out.push_back(' ');
    AppendGoValue(&out, args[i]);
  }
  out.push_back('\n');
  return out;
}

std::string GoSprintf(std::string_view f, std::span<const Value> args) {
  std::string out;
  size_t arg = 0;
  size_t i = 0;
  while (i < f.size()) {
    if (f[i] != '%') {
      out.push_back(f[i++]);
      continue;
    }
    ++i;
    Spec s;
    for (; i < f.size(); ++i) {
      char c = f[i];
      if (c == '+')
        s.plus = true;
      else if (c == '-')
        s.minus = true;
      else if (c == '#')
        s.sharp = true;
      else if (c == '0')
        s.zero = true;
      else if (c == ' ')
        s.space = true;
      else
        break;
    }
    bool ok = true;
    s.width = ReadCount(f, &i, args, &arg, &ok);
    if (!ok) out.append("%!(BADWIDTH)");
    if (s.width < -1) {
      s.minus = true;
      s.width = -s.width;
    }
    if (i < f.size() && f[i] == '.') {
      ++i;
      s.precision = ReadCount(f, &i, args, &arg, &ok);
      if (!ok) out.append("%!(BADPREC)");
      if (s.precision < 0) s.precision = 0;
    }
    if (i >= f.size()) {
      out.append("%!(NOVERB)");
      break;
    }
    s.verb = f[i++];
    if (s.verb == '%') {
      out.push_back('%');
      continue;
    }
    if (arg >= args.size()) {
      out.append("%!");
      out.push_back(s.verb);
      out.append("(MISSING)");
      continue;
    }
    AppendDirective(&out, s, args[arg++]);
  }
  if (arg < args.size()) {
    out.append("%!(EXTRA ");
    for (size_t a = arg; a < args.size(); ++a) {
      if (a > arg) out.append(", ");
      out.append(args[a].is_nil() ? "<nil>" : args[a].TypeName());
      if (!args[a].is_nil()) {
        out.push_back('=');
        AppendGoValue(&out, args[a]);
      }
    }
    out.push_back(')');
  }
  return out;
}

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
