#include "util/duration.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace strata {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

int64_t MustParse(const std::string& text) {
  StatusOr<int64_t> ms = ParseDuration(text);
  EXPECT_TRUE(ms.ok()) << text << ": " << ms.status().ToString();
  return ms.ok() ? *ms : -1;
}

TEST(DurationTest, ParsesEachUnit) {
  EXPECT_EQ(MustParse("1y"), 365 * kDay);
  EXPECT_EQ(MustParse("1w"), 7 * kDay);
  EXPECT_EQ(MustParse("15d"), 15 * kDay);
  EXPECT_EQ(MustParse("2h"), 2 * kHour);
  EXPECT_EQ(MustParse("5m"), 5 * kMinute);
  EXPECT_EQ(MustParse("30s"), 30 * kSecond);
  EXPECT_EQ(MustParse("500ms"), 500);
}

TEST(DurationTest, ParsesCombinations) {
  EXPECT_EQ(MustParse("2h30m"), 2 * kHour + 30 * kMinute);
  EXPECT_EQ(MustParse("1y2w3d4h5m6s7ms"), 365 * kDay + 14 * kDay + 3 * kDay +
                                              4 * kHour + 5 * kMinute +
                                              6 * kSecond + 7);
  EXPECT_EQ(MustParse("1m500ms"), kMinute + 500);
  EXPECT_EQ(MustParse("90m"), 90 * kMinute);  // No carrying rules.
  EXPECT_EQ(MustParse("0"), 0);
  EXPECT_EQ(MustParse("0s"), 0);
  EXPECT_EQ(MustParse("007s"), 7 * kSecond);
}

TEST(DurationTest, RejectsBadSyntax) {
  for (const char* bad :
       {"", "15", "d", "1.5h", "-1h", "+1h", "1h2d", "1h1h", "1ms1s", "1 h",
        " 1h", "1h ", "1H", "1D", "1sms", "1us", "1ns", "1mm", "h1"}) {
    StatusOr<int64_t> ms = ParseDuration(bad);
    EXPECT_FALSE(ms.ok()) << "accepted \"" << bad << "\"";
    if (!ms.ok()) {
      EXPECT_EQ(ms.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(DurationTest, RejectsOutOfRange) {
  // Go's time.Duration tops out near 292 years.
  EXPECT_TRUE(ParseDuration("292y").ok());
  EXPECT_FALSE(ParseDuration("293y").ok());
  EXPECT_FALSE(ParseDuration("99999999999999999999999ms").ok());
  EXPECT_FALSE(ParseDuration("292y52w").ok());
}

TEST(DurationTest, FormatsLikePrometheus) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(15 * kDay), "15d");
  EXPECT_EQ(FormatDuration(14 * kDay), "2w");
  EXPECT_EQ(FormatDuration(90 * kDay), "90d");
  EXPECT_EQ(FormatDuration(365 * kDay), "1y");
  EXPECT_EQ(FormatDuration(730 * kDay), "2y");
  EXPECT_EQ(FormatDuration(366 * kDay), "366d");
  EXPECT_EQ(FormatDuration(2 * kHour), "2h");
  EXPECT_EQ(FormatDuration(2 * kHour + 30 * kMinute), "2h30m");
  EXPECT_EQ(FormatDuration(365 * kDay + 500), "365d500ms");
  EXPECT_EQ(FormatDuration(90 * kMinute), "1h30m");
}

TEST(DurationTest, FormatThenParseRoundTrips) {
  for (int64_t ms : {int64_t{1}, int64_t{999}, kMinute + 1, 3 * kDay + kHour,
                     400 * kDay + 7 * kSecond, int64_t{123456789012}}) {
    EXPECT_EQ(MustParse(FormatDuration(ms)), ms) << FormatDuration(ms);
  }
}

}  // namespace
TEST(FormatGoDurationTest, AsGoTimeDurationString) {
  constexpr int64_t kMs = 1000000;
  EXPECT_EQ(FormatGoDuration(0), "0s");
  EXPECT_EQ(FormatGoDuration(42), "42ns");
  EXPECT_EQ(FormatGoDuration(1500), "1.5\u00b5s");
  EXPECT_EQ(FormatGoDuration(1717929), "1.717929ms");
  EXPECT_EQ(FormatGoDuration(500 * kMs), "500ms");
  EXPECT_EQ(FormatGoDuration(1500 * kMs), "1.5s");
  EXPECT_EQ(FormatGoDuration(60000 * kMs), "1m0s");
  EXPECT_EQ(FormatGoDuration(90000 * kMs), "1m30s");
  EXPECT_EQ(FormatGoDuration(3600000 * kMs), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(9000250 * kMs), "2h30m0.25s");
  EXPECT_EQ(FormatGoDuration(-61000 * kMs), "-1m1s");
  EXPECT_EQ(FormatGoDuration(1000000001), "1.000000001s");
}

}  // namespace strata
