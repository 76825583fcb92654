#include "template/go_fmt.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "template/go_time.h"
#include "util/go_format.h"
#include "util/strings.h"

namespace strata::tmpl {
namespace {

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
// Go normalizes subnormals ("0x1p-1074") where C prints "0x0.0...1p-1022":
// scaled into the normal range, printed, and the exponent put back.
std::string HexFloat(double v, bool upper, int precision) {
  constexpr int kSubnormalScale = 64;
  const bool subnormal = std::fpclassify(v) == FP_SUBNORMAL;
  if (subnormal) v = std::ldexp(v, kSubnormalScale);
  char buf[64];
  if (precision < 0) {
    std::snprintf(buf, sizeof buf, upper ? "%A" : "%a", v);
  } else {
    std::snprintf(buf, sizeof buf, upper ? "%.*A" : "%.*a", precision, v);
  }
  std::string body = buf;
  size_t p = body.find_first_of("pP");
  if (p == std::string::npos) return body;
  int exp = std::atoi(body.c_str() + p + 1);
  if (subnormal) exp -= kSubnormalScale;
  // Rounding to a precision may carry into "0x2.000p-01"; Go prints
  // "0x1.000p+00".
  const size_t lead = body.find_first_of("xX") + 1;
  if (body[lead] == '2') {
    body[lead] = '1';
    ++exp;
  }
  body.resize(p + 1);
  body += exp < 0 ? "-" : "+";
  if (std::abs(exp) < 10) body += "0";
  body += std::to_string(std::abs(exp));
  return body;
}

// Go's %b of a float: the decimal mantissa and binary exponent
// ("4503599627370496p-52"), as strconv.FormatFloat(v, 'b', -1, 64).
std::string BinaryFloat(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const bool negative = (bits >> 63) != 0;
  int exp = static_cast<int>((bits >> 52) & 0x7ff);
  uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
  if (exp == 0) {
    ++exp;  // subnormal
  } else {
    mant |= uint64_t{1} << 52;
  }
  exp += -1023 - 52;
  return Cat(negative ? "-" : "", mant, "p", exp >= 0 ? "+" : "", exp);
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
  } else if (verb == 'b') {
    body = BinaryFloat(v);
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

// An int under `s`; false if the verb does not apply to ints.
bool AppendIntVerb(std::string* out, const Spec& s, int64_t v) {
  switch (s.verb) {
    case 'v':
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      Spec d = s;
      if (d.verb == 'v') d.verb = 'd';
      AppendInt(out, d, v);
      return true;
    }
    case 'c': {
      std::string r;
      AppendUtf8(&r, static_cast<int>(v));
      AppendPadded(out, s, r);
      return true;
    }
    case 'q':
      AppendPadded(out, s, GoQuotedRune(static_cast<int>(v)));
      return true;
    case 'U': {
      char buf[32];
      std::snprintf(buf, sizeof buf, "U+%04llX",
                    static_cast<unsigned long long>(v));
      AppendPadded(out, s, buf);
      return true;
    }
    default:
      return false;
  }
}

// Go formats each key and element of a map, and each field of a struct,
// with the verb: %s of a map[string]string works.
void AppendMap(std::string* out, const Spec& s, const ValueMap& m) {
  out->append("map[");
  bool first = true;
  for (const auto& [key, elem] : m) {
    if (!first) out->push_back(' ');
    first = false;
    AppendDirective(out, s, Value::String(key));
    out->push_back(':');
    AppendDirective(out, s, elem);
  }
  out->push_back(']');
}

void AppendStruct(std::string* out, const Spec& s, const Value& v) {
  out->push_back('{');
  bool first = true;
  for (const auto& [name, field] : v.AsStructFields()) {
    if (!first) out->push_back(' ');
    first = false;
    AppendDirective(out, s, field);
  }
  out->push_back('}');
}

// One value under one directive; false if the verb does not apply.
bool AppendVerb(std::string* out, const Spec& s, const Value& v) {
  using Kind = Value::Kind;
  const char verb = s.verb;
  switch (v.kind()) {
    case Kind::kNil:
      if (verb != 'v') return false;
      AppendPadded(out, s, "<nil>");
      return true;
    case Kind::kBool:
      if (verb != 'v' && verb != 't') return false;
      AppendPadded(out, s, v.AsBool() ? "true" : "false");
      return true;
    case Kind::kInt:
      return AppendIntVerb(out, s, v.AsInt());
    case Kind::kFloat:
      if (std::string_view("bveEfFgGxX").find(verb) == std::string_view::npos) {
        return false;
      }
      AppendFloat(out, s, v.AsFloat());
      return true;
    case Kind::kString:
      if (std::string_view("vsqxX").find(verb) == std::string_view::npos) {
        return false;
      }
      AppendString(out, s, v.AsString());
      return true;
    case Kind::kList:
      AppendList(out, s, v.AsList());
      return true;
    case Kind::kTime:
      if (verb != 'v' && verb != 's') return false;
      AppendString(out, s, GoTimeString(v.AsTime()));
      return true;
    case Kind::kMap:
      AppendMap(out, s, v.AsMap());
      return true;
    case Kind::kStruct:
      AppendStruct(out, s, v);
      return true;
    case Kind::kSample: {
      if (verb != 'v') return false;
      std::string body;
      AppendGoValue(&body, v);
      AppendPadded(out, s, body);
      return true;
    }
  }
  return false;
}

void AppendDirective(std::string* out, const Spec& s, const Value& v) {
  if (s.verb == 'T') {
    AppendPadded(out, s, v.is_nil() ? "<nil>" : v.TypeName());
  } else if (!AppendVerb(out, s, v)) {
    AppendBadVerb(out, s.verb, v);
  }
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

}  // namespace strata::tmpl
