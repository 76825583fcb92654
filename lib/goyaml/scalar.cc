#include "goyaml/scalar.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>

namespace strata::goyaml {
namespace {

std::string WithoutUnderscores(std::string_view text) {
  std::string plain;
  for (char c : text) {
    if (c != '_') plain.push_back(c);
  }
  return plain;
}

// strconv.ParseInt/ParseUint with base 0 (0x, 0o, 0b prefixes; a leading 0
// is octal) over the text without underscores.
bool ResolveInt(std::string_view text, Resolved* out) {
  std::string digits = WithoutUnderscores(text);
  if (digits.empty()) return false;
  bool negative = false;
  if (digits[0] == '+' || digits[0] == '-') {
    negative = digits[0] == '-';
    digits.erase(0, 1);
  }
  int base = 10;
  if (digits.size() > 1 && digits[0] == '0') {
    const char p = digits[1];
    if (p == 'x' || p == 'X') base = 16;
    if (p == 'o' || p == 'O') base = 8;
    if (p == 'b' || p == 'B') base = 2;
    if (base != 10) {
      digits.erase(0, 2);
    } else {
      base = 8;  // A leading 0 alone.
    }
  }
  if (digits.empty()) return false;
  for (char c : digits) {
    const bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c))
                               : (c >= '0' && c < '0' + base);
    if (!ok) return false;
  }
  errno = 0;
  const unsigned long long v = std::strtoull(digits.c_str(), nullptr, base);
  if (errno != 0) return false;
  constexpr uint64_t kMaxInt = std::numeric_limits<int64_t>::max();
  if (negative) {
    if (v > kMaxInt + 1) return false;
    out->int_value = v == kMaxInt + 1 ? std::numeric_limits<int64_t>::min()
                                      : -static_cast<int64_t>(v);
  } else if (v > kMaxInt) {
    out->is_uint = true;
    out->uint_value = v;
  } else {
    out->int_value = static_cast<int64_t>(v);
  }
  out->kind = Resolved::kInt;
  return true;
}

// `.inf`, `.nan` and the yamlStyleFloat syntax
// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
bool ResolveFloat(std::string_view text, Resolved* out) {
  out->kind = Resolved::kFloat;
  for (std::string_view inf :
       {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
    if (text == inf) {
      out->float_value = std::numeric_limits<double>::infinity();
      return true;
    }
  }
  for (std::string_view inf : {"-.inf", "-.Inf", "-.INF"}) {
    if (text == inf) {
      out->float_value = -std::numeric_limits<double>::infinity();
      return true;
    }
  }
  for (std::string_view nan : {".nan", ".NaN", ".NAN"}) {
    if (text == nan) {
      out->float_value = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
  }
  const std::string plain = WithoutUnderscores(text);
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < plain.size() && plain[i] >= '0' && plain[i] <= '9') ++i;
    return i - start;
  };
  if (i < plain.size() && (plain[i] == '+' || plain[i] == '-')) ++i;
  if (i < plain.size() && plain[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < plain.size() && plain[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < plain.size() && (plain[i] == 'e' || plain[i] == 'E')) {
    ++i;
    if (i < plain.size() && (plain[i] == '+' || plain[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  if (i != plain.size()) return false;
  out->float_value = std::strtod(plain.c_str(), nullptr);
  return true;
}

bool ResolveBool(std::string_view text, Version version, Resolved* out) {
  static constexpr std::string_view kTrueV2[] = {
      "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static constexpr std::string_view kFalseV2[] = {
      "n",     "N",     "no",  "No",  "NO", "false",
      "False", "FALSE", "off", "Off", "OFF"};
  static constexpr std::string_view kTrueV3[] = {"true", "True", "TRUE"};
  static constexpr std::string_view kFalseV3[] = {"false", "False", "FALSE"};
  const bool v2 = version == Version::kV2;
  for (std::string_view t : v2 ? std::span<const std::string_view>(kTrueV2)
                               : std::span<const std::string_view>(kTrueV3)) {
    if (text == t) {
      out->kind = Resolved::kBool;
      out->bool_value = true;
      return true;
    }
  }
  for (std::string_view f : v2 ? std::span<const std::string_view>(kFalseV2)
                               : std::span<const std::string_view>(kFalseV3)) {
    if (text == f) {
      out->kind = Resolved::kBool;
      out->bool_value = false;
      return true;
    }
  }
  return false;
}

}  // namespace

Resolved Resolve(const YAML::Node& node, Version version) {
  Resolved out;
  if (!node.IsDefined() || node.IsNull()) {
    out.kind = Resolved::kNull;
    return out;
  }
  if (!node.IsScalar() || node.Tag() == "!") return out;  // Quoted: !!str.
  const std::string& text = node.Scalar();
  Resolved r;
  if (ResolveBool(text, version, &r) || ResolveInt(text, &r) ||
      ResolveFloat(text, &r)) {
    return r;
  }
  return out;
}

std::string_view ShortTag(Resolved::Kind kind) {
  switch (kind) {
    case Resolved::kNull:
      return "!!null";
    case Resolved::kBool:
      return "!!bool";
    case Resolved::kInt:
      return "!!int";
    case Resolved::kFloat:
      return "!!float";
    case Resolved::kStr:
      break;
  }
  return "!!str";
}

}  // namespace strata::goyaml
