#include "promql/format.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "promql/quote.h"
#include "promql/series_desc.h"
#include "promql/value.h"
#include "util/go_format.h"

namespace strata::promql {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ParseNumberTest, GoIntThenFloat) {
  EXPECT_EQ(*ParseNumber("0x1f"), 31);
  EXPECT_EQ(*ParseNumber("0X1F"), 31);
  EXPECT_EQ(*ParseNumber("017"), 15);  // Octal, as Go's ParseInt(s, 0, 64).
  EXPECT_EQ(*ParseNumber("09"), 9);    // Not octal: falls back to float.
  EXPECT_EQ(*ParseNumber("1e3"), 1000);
  EXPECT_EQ(*ParseNumber(".5"), 0.5);
  EXPECT_EQ(*ParseNumber("5."), 5);
  EXPECT_EQ(*ParseNumber("12.34e-6"), 12.34e-6);
  EXPECT_EQ(*ParseNumber("+Inf"), kInf);
  EXPECT_EQ(*ParseNumber("-inf"), -kInf);
  EXPECT_TRUE(std::isnan(*ParseNumber("NaN")));
  EXPECT_EQ(*ParseNumber("18547707689471986212190138521399707760"),
            1.854770768947198621e37);
  EXPECT_EQ(*ParseNumber("1e-400"), 0);  // Go rounds underflow silently.
  EXPECT_FALSE(ParseNumber("1e400").ok());
  EXPECT_FALSE(ParseNumber("1e").ok());
  EXPECT_FALSE(ParseNumber("0x").ok());
  EXPECT_FALSE(ParseNumber("abc").ok());
  EXPECT_FALSE(ParseNumber("").ok());
}

TEST(QuoteTest, GoRuneName) { EXPECT_EQ(FormatRuneU('q'), "U+0071 'q'"); }

TEST(SeriesDescTest, ExpandsSequences) {
  StatusOr<SeriesDesc> d =
      ParseSeriesDesc("m{a=\"b\"} 0+10x2 5-1x2 7x2 _ _x2 1");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->labels.ToString(), "m{a=\"b\"}");
  std::vector<std::string> got;
  for (const SequenceValue& v : d->values) {
    got.push_back(v.omitted ? "_"
                            : FormatGoFloat(v.value, GoFloatFormat::kFixed));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"0", "10", "20", "5", "4", "3", "7",
                                           "7", "7", "_", "_", "_", "1"}));
}

TEST(SeriesDescTest, SpecialValuesAndLabels) {
  StatusOr<SeriesDesc> d =
      ParseSeriesDesc("{job=\"x\", le=\"+Inf\"}\tstale -Inf +Inf NaN 1e3 .5");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->labels.ToString(), "{job=\"x\", le=\"+Inf\"}");
  ASSERT_EQ(d->values.size(), 6u);
  EXPECT_TRUE(IsStaleNaN(d->values[0].value));
  EXPECT_EQ(d->values[1].value, -kInf);
  EXPECT_EQ(d->values[2].value, kInf);
  EXPECT_TRUE(std::isnan(d->values[3].value) &&
              !IsStaleNaN(d->values[3].value));
  EXPECT_EQ(d->values[4].value, 1000);
  EXPECT_EQ(d->values[5].value, 0.5);
  // A value-less description, and the bare label set.
  d = ParseSeriesDesc("up");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->values.empty());
  d = ParseSeriesDesc("{} 1");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->labels.empty());
}

TEST(SeriesDescTest, Errors) {
  EXPECT_FALSE(ParseSeriesDesc("m 1+x3").ok());
  EXPECT_FALSE(ParseSeriesDesc("m foo").ok());
  EXPECT_FALSE(ParseSeriesDesc("m{a=~\"b\"} 1").ok());
  EXPECT_FALSE(ParseSeriesDesc("m{a=\"b\" 1").ok());
}

}  // namespace
}  // namespace strata::promql
