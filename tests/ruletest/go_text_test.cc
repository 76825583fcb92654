#include "ruletest/go_text.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace strata::ruletest {
namespace {

TEST(GoTextTest, IndentLinesSkipsTheFirstLine) {
  EXPECT_EQ(IndentLines("a", "  "), "a");
  EXPECT_EQ(IndentLines("a\nb\nc", "  "), "a\n  b\n  c");
  EXPECT_EQ(IndentLines("\na\n", "--"), "\n--a\n--");
}

TEST(GoTextTest, FloatWithUpperCaseExponent) {
  EXPECT_EQ(FormatFloatUpperE(1), "1E+00");
  EXPECT_EQ(FormatFloatUpperE(0.5), "5E-01");
  EXPECT_EQ(FormatFloatUpperE(156), "1.56E+02");
  EXPECT_EQ(FormatFloatUpperE(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatFloatUpperE(std::nan("")), "NaN");
}

}  // namespace
}  // namespace strata::ruletest
