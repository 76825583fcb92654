// Expected strings are what Go prints for strconv.FormatFloat(v, fmt, -1,
// 64): shortest round-trip digits; 'e' with at least two exponent digits;
// 'g' switching to 'e' below 1e-4 and from 1e+06 on.
#include "util/go_format.h"

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace strata {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSmallestDenormal = 4.9406564584124654e-324;

std::string G(double v) { return FormatGoFloat(v, GoFloatFormat::kShortest); }
std::string E(double v) { return FormatGoFloat(v, GoFloatFormat::kExponent); }
std::string F(double v) { return FormatGoFloat(v, GoFloatFormat::kFixed); }

TEST(GoFormatTest, SpecialValuesInEveryFormat) {
  for (GoFloatFormat f : {GoFloatFormat::kShortest, GoFloatFormat::kExponent,
                          GoFloatFormat::kFixed}) {
    EXPECT_EQ(FormatGoFloat(kNaN, f), "NaN");
    EXPECT_EQ(FormatGoFloat(-kNaN, f), "NaN");
    EXPECT_EQ(FormatGoFloat(kInf, f), "+Inf");
    EXPECT_EQ(FormatGoFloat(-kInf, f), "-Inf");
  }
}

TEST(GoFormatTest, ShortestG) {
  EXPECT_EQ(G(0), "0");
  EXPECT_EQ(G(-0.0), "-0");
  EXPECT_EQ(G(1), "1");
  EXPECT_EQ(G(-2.5), "-2.5");
  EXPECT_EQ(G(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(G(1e21), "1e+21");
  EXPECT_EQ(G(1e20), "1e+20");
  EXPECT_EQ(G(5.51e-07), "5.51e-07");
  EXPECT_EQ(G(1e-06), "1e-06");
  EXPECT_EQ(G(0.000001), "1e-06");
  EXPECT_EQ(G(0.0001), "0.0001");
  EXPECT_EQ(G(0.00001), "1e-05");
  EXPECT_EQ(G(0.000123), "0.000123");
  EXPECT_EQ(G(123456), "123456");
  EXPECT_EQ(G(999999), "999999");
  EXPECT_EQ(G(1e6), "1e+06");
  EXPECT_EQ(G(123456789), "1.23456789e+08");
  EXPECT_EQ(G(1.5e300), "1.5e+300");
  EXPECT_EQ(G(1e100), "1e+100");
  EXPECT_EQ(G(-2.5e-300), "-2.5e-300");
  EXPECT_EQ(G(kSmallestDenormal), "5e-324");
  EXPECT_EQ(G(1e-320), "1e-320");
  EXPECT_EQ(G(2.2250738585072014e-308), "2.2250738585072014e-308");
  EXPECT_EQ(G(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(G(18446744073709551615.0), "1.8446744073709552e+19");
  EXPECT_EQ(G(0.0000123), "1.23e-05");
  EXPECT_EQ(G(0.005), "0.005");
  EXPECT_EQ(G(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(G(20000), "20000");
  EXPECT_EQ(G(12345.678), "12345.678");
  EXPECT_EQ(G(1234567), "1.234567e+06");
  EXPECT_EQ(G(4.3237376e+07), "4.3237376e+07");
  EXPECT_EQ(G(1.79562467428e+09), "1.79562467428e+09");
}

TEST(GoFormatTest, ExponentE) {
  EXPECT_EQ(E(0), "0e+00");
  EXPECT_EQ(E(-0.0), "-0e+00");
  EXPECT_EQ(E(1), "1e+00");
  EXPECT_EQ(E(5.51e-07), "5.51e-07");
  EXPECT_EQ(E(-5.51e-07), "-5.51e-07");
  EXPECT_EQ(E(1e21), "1e+21");
  EXPECT_EQ(E(1e20), "1e+20");
  EXPECT_EQ(E(1e-06), "1e-06");
  EXPECT_EQ(E(123456789), "1.23456789e+08");
  EXPECT_EQ(E(1.5e300), "1.5e+300");
  EXPECT_EQ(E(kSmallestDenormal), "5e-324");
  EXPECT_EQ(E(0.25), "2.5e-01");
}

TEST(GoFormatTest, FixedF) {
  EXPECT_EQ(F(0), "0");
  EXPECT_EQ(F(-0.0), "-0");
  EXPECT_EQ(F(1), "1");
  EXPECT_EQ(F(0.1), "0.1");
  EXPECT_EQ(F(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(F(5.51e-07), "0.000000551");
  EXPECT_EQ(F(1e-06), "0.000001");
  EXPECT_EQ(F(0.000001), "0.000001");
  EXPECT_EQ(F(123456789), "123456789");
  EXPECT_EQ(F(123456789.125), "123456789.125");
  EXPECT_EQ(F(1e20), "100000000000000000000");
  EXPECT_EQ(F(1e21), "1000000000000000000000");
  EXPECT_EQ(F(1.5e300), "15" + std::string(299, '0'));
  EXPECT_EQ(F(kSmallestDenormal), "0." + std::string(323, '0') + "5");
  EXPECT_EQ(F(-1.5e-7), "-0.00000015");
}

TEST(GoFormatTest, AppendsAndRoundTrips) {
  std::string out = "v=";
  AppendGoFloat(&out, 2.5, GoFloatFormat::kShortest);
  EXPECT_EQ(out, "v=2.5");
  for (double v : {3.141592653589793, 1e-7, 123456789.123, 9007199254740993.0,
                   6.02214076e23, 1e-320, kSmallestDenormal}) {
    for (GoFloatFormat f : {GoFloatFormat::kShortest, GoFloatFormat::kExponent,
                            GoFloatFormat::kFixed}) {
      EXPECT_EQ(std::stod(FormatGoFloat(v, f)), v) << FormatGoFloat(v, f);
    }
  }
}

}  // namespace
}  // namespace strata
