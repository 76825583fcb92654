// Expected strings are what Go prints for strconv.FormatFloat(v, fmt, -1,
// 64): shortest round-trip digits; 'e' with at least two exponent digits;
// 'g' switching to 'e' below 1e-4 and from 1e+06 on.
#include "util/go_format.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace strata {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSmallestDenormal = 4.9406564584124654e-324;

constexpr GoFloatFormat kAllFormats[] = {
    GoFloatFormat::kShortest, GoFloatFormat::kExponent, GoFloatFormat::kFixed};

struct GoCase {
  double v;
  const char* g;  // strconv.FormatFloat(v, 'g', -1, 64), also fmt's %v.
  const char* e;  // strconv.FormatFloat(v, 'e', -1, 64).
  const char* f;  // strconv.FormatFloat(v, 'f', -1, 64).
};

constexpr GoCase kCases[] = {
    {0, "0", "0e+00", "0"},
    {-0.0, "-0", "-0e+00", "-0"},
    {1, "1", "1e+00", "1"},
    {-2.5, "-2.5", "-2.5e+00", "-2.5"},
    {0.25, "0.25", "2.5e-01", "0.25"},
    {0.1 + 0.2, "0.30000000000000004", "3.0000000000000004e-01",
     "0.30000000000000004"},
    {1.0 / 3, "0.3333333333333333", "3.333333333333333e-01",
     "0.3333333333333333"},
    {5.51e-07, "5.51e-07", "5.51e-07", "0.000000551"},
    {-5.51e-07, "-5.51e-07", "-5.51e-07", "-0.000000551"},
    {1e-06, "1e-06", "1e-06", "0.000001"},
    {0.000001, "1e-06", "1e-06", "0.000001"},
    {0.00001, "1e-05", "1e-05", "0.00001"},
    {0.0000123, "1.23e-05", "1.23e-05", "0.0000123"},
    {0.0001, "0.0001", "1e-04", "0.0001"},
    {0.000123, "0.000123", "1.23e-04", "0.000123"},
    {0.005, "0.005", "5e-03", "0.005"},
    {20000, "20000", "2e+04", "20000"},
    {12345.678, "12345.678", "1.2345678e+04", "12345.678"},
    {123456, "123456", "1.23456e+05", "123456"},
    {999999, "999999", "9.99999e+05", "999999"},
    {1e6, "1e+06", "1e+06", "1000000"},
    {1234567, "1.234567e+06", "1.234567e+06", "1234567"},
    {4.3237376e+07, "4.3237376e+07", "4.3237376e+07", "43237376"},
    {123456789, "1.23456789e+08", "1.23456789e+08", "123456789"},
    {123456789.125, "1.23456789125e+08", "1.23456789125e+08", "123456789.125"},
    {1.79562467428e+09, "1.79562467428e+09", "1.79562467428e+09",
     "1795624674.28"},
    {18446744073709551615.0, "1.8446744073709552e+19", "1.8446744073709552e+19",
     "18446744073709552000"},
    {1e20, "1e+20", "1e+20", "100000000000000000000"},
    {1e21, "1e+21", "1e+21", "1000000000000000000000"},
    {1e100, "1e+100", "1e+100", nullptr},
    {-2.5e-300, "-2.5e-300", "-2.5e-300", nullptr},
    {1.5e300, "1.5e+300", "1.5e+300", nullptr},
    {1.7976931348623157e308, "1.7976931348623157e+308",
     "1.7976931348623157e+308", nullptr},
    {2.2250738585072014e-308, "2.2250738585072014e-308",
     "2.2250738585072014e-308", nullptr},
    {1e-320, "1e-320", "1e-320", nullptr},
    {kSmallestDenormal, "5e-324", "5e-324", nullptr},
};

TEST(GoFormatTest, MatchesStrconvFormatFloat) {
  for (const GoCase& c : kCases) {
    EXPECT_EQ(FormatGoFloat(c.v, GoFloatFormat::kShortest), c.g) << c.g;
    EXPECT_EQ(FormatGoFloat(c.v, GoFloatFormat::kExponent), c.e) << c.g;
    if (c.f != nullptr) {
      EXPECT_EQ(FormatGoFloat(c.v, GoFloatFormat::kFixed), c.f) << c.g;
    }
  }
}

// 'f' never switches to an exponent, however long the number gets; past
// the shortest digits it pads with zeros.
TEST(GoFormatTest, FixedSpellsOutEveryDigit) {
  EXPECT_EQ(FormatGoFloat(1e100, GoFloatFormat::kFixed),
            "1" + std::string(100, '0'));
  EXPECT_EQ(FormatGoFloat(1.5e300, GoFloatFormat::kFixed),
            "15" + std::string(299, '0'));
  EXPECT_EQ(FormatGoFloat(kSmallestDenormal, GoFloatFormat::kFixed),
            "0." + std::string(323, '0') + "5");
  EXPECT_EQ(FormatGoFloat(-2.5e-300, GoFloatFormat::kFixed),
            "-0." + std::string(299, '0') + "25");
}

TEST(GoFormatTest, SpecialValuesInEveryFormat) {
  for (GoFloatFormat f : kAllFormats) {
    EXPECT_EQ(FormatGoFloat(kNaN, f), "NaN");
    EXPECT_EQ(FormatGoFloat(-kNaN, f), "NaN");
    EXPECT_EQ(FormatGoFloat(kInf, f), "+Inf");
    EXPECT_EQ(FormatGoFloat(-kInf, f), "-Inf");
  }
}

TEST(GoFormatTest, AppendsAndRoundTrips) {
  std::string out = "v=";
  AppendGoFloat(&out, 2.5, GoFloatFormat::kShortest);
  EXPECT_EQ(out, "v=2.5");
  for (double v : {3.141592653589793, 1e-7, 123456789.123, 9007199254740993.0,
                   6.02214076e23, 1e-320, kSmallestDenormal}) {
    for (GoFloatFormat f : kAllFormats) {
      // strtod, not stod: stod throws on denormals (ERANGE).
      const std::string text = FormatGoFloat(v, f);
      EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
    }
  }
}

// fmt's "%f" (precision 6), as Prometheus's histogram validation errors
// print counts; Go's answers.
TEST(GoFormatTest, FixedWithPrecision) {
  EXPECT_EQ(FormatGoFloatFixed(3.5, 6), "3.500000");
  EXPECT_EQ(FormatGoFloatFixed(7.75, 6), "7.750000");
  EXPECT_EQ(FormatGoFloatFixed(-0.0, 6), "-0.000000");
  EXPECT_EQ(FormatGoFloatFixed(1e-7, 6), "0.000000");
  EXPECT_EQ(FormatGoFloatFixed(1e21, 6), "1000000000000000000000.000000");
  EXPECT_EQ(FormatGoFloatFixed(0.125, 2), "0.12");  // Ties to even.
  EXPECT_EQ(FormatGoFloatFixed(1.5, 0), "2");
  EXPECT_EQ(FormatGoFloatFixed(std::numeric_limits<double>::infinity(), 6),
            "+Inf");
  EXPECT_EQ(FormatGoFloatFixed(-std::numeric_limits<double>::infinity(), 6),
            "-Inf");
  EXPECT_EQ(FormatGoFloatFixed(std::nan(""), 6), "NaN");
}

}  // namespace
}  // namespace strata
