#include "template/humanize.h"

#include <cmath>
#include <limits>

#include "template/go_fmt.h"
#include "template/go_time.h"
#include "util/go_format.h"
#include "util/strings.h"

namespace strata::tmpl {
namespace {

constexpr const char* kBigPrefixes[] = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
constexpr const char* kSmallPrefixes[] = {"m", "u", "n", "p",
                                          "f", "a", "z", "y"};
constexpr const char* kBinaryPrefixes[] = {"ki", "Mi", "Gi", "Ti",
                                           "Pi", "Ei", "Zi", "Yi"};
constexpr int64_t kNanosPerMilli = 1000000;

// fmt.Sprintf("%.4g", v) followed by `suffix`.
std::string FourDigits(double v, std::string_view suffix = "") {
  Value arg = Value::Float(v);
  return GoSprintf("%.4g", std::span(&arg, 1)) + std::string(suffix);
}

// Scales |v| < 1 up by 1000s; returns the prefix used.
std::string SmallPrefix(double* v) {
  std::string prefix;
  for (const char* p : kSmallPrefixes) {
    if (std::fabs(*v) >= 1) break;
    prefix = p;
    *v *= 1000;
  }
  return prefix;
}

}  // namespace

std::string Humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return FourDigits(v);
  if (std::fabs(v) >= 1) {
    std::string prefix;
    for (const char* p : kBigPrefixes) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return FourDigits(v, prefix);
  }
  std::string prefix = SmallPrefix(&v);
  return FourDigits(v, prefix);
}

std::string Humanize1024(double v) {
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) {
    return FourDigits(v);
  }
  std::string prefix;
  for (const char* p : kBinaryPrefixes) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return FourDigits(v, prefix);
}

std::string HumanizeDuration(double v) {
  if (std::isnan(v) || std::isinf(v)) return FourDigits(v);
  if (v == 0) return FourDigits(v, "s");
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    int64_t duration = static_cast<int64_t>(v);
    int64_t seconds = duration % 60;
    int64_t minutes = (duration / 60) % 60;
    int64_t hours = (duration / 60 / 60) % 24;
    int64_t days = duration / 60 / 60 / 24;
    if (days != 0) {
      return Cat(sign, days, "d ", hours, "h ", minutes, "m ", seconds, "s");
    }
    if (hours != 0) return Cat(sign, hours, "h ", minutes, "m ", seconds, "s");
    if (minutes != 0) return Cat(sign, minutes, "m ", seconds, "s");
    return sign + FourDigits(v, "s");
  }
  std::string prefix = SmallPrefix(&v);
  return FourDigits(v, prefix + "s");
}

std::string HumanizePercentage(double v) { return FourDigits(v * 100, "%"); }

StatusOr<Time> FloatToTime(double v) {
  double nanos = v * 1e9;
  if (nanos > static_cast<double>(std::numeric_limits<int64_t>::max()) ||
      nanos < static_cast<double>(std::numeric_limits<int64_t>::min())) {
    return Status::InvalidArgument(
        Cat(FormatGoFloat(v, GoFloatFormat::kShortest),
            " cannot be represented as a nanoseconds timestamp since it "
            "overflows int64"));
  }
  // Go converts 2^63 to MinInt64 on amd64; saturate instead.
  int64_t ns = nanos >= 9.2233720368547758e18
                   ? std::numeric_limits<int64_t>::max()
                   : static_cast<int64_t>(nanos);
  return Time{ns / kNanosPerMilli * kNanosPerMilli};
}

StatusOr<std::string> HumanizeTimestamp(double v) {
  if (std::isnan(v) || std::isinf(v)) return FourDigits(v);
  STRATA_ASSIGN_OR_RETURN(Time t, FloatToTime(v));
  return GoTimeString(t);
}

}  // namespace strata::tmpl
