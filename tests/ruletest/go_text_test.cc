#include "ruletest/go_text.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace strata::ruletest {
namespace {

TEST(GoTextTest, DurationAsGoPrintsIt) {
  EXPECT_EQ(GoDurationString(0), "0s");
  EXPECT_EQ(GoDurationString(500), "500ms");
  EXPECT_EQ(GoDurationString(1500), "1.5s");
  EXPECT_EQ(GoDurationString(60000), "1m0s");
  EXPECT_EQ(GoDurationString(90000), "1m30s");
  EXPECT_EQ(GoDurationString(3600000), "1h0m0s");
  EXPECT_EQ(GoDurationString(9000250), "2h30m0.25s");
  EXPECT_EQ(GoDurationString(-61000), "-1m1s");
}

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
