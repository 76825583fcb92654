// Expected escapes are what Go's strconv.Quote, encoding/json, go-kit's
// logfmt and Prometheus's text exposition print.
#include "util/strings.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(CatTest, StringsCharsAndIntegers) {
  const std::string s = "b";
  EXPECT_EQ(Cat("a", s, std::string_view("c"), '-', 42, -7, uint64_t{18},
                int64_t{-9223372036854775807} - 1),
            "abc-42-718-9223372036854775808");
  EXPECT_EQ(Cat(), "");
  std::string out = "x";
  CatTo(&out, "=", size_t{3});
  EXPECT_EQ(out, "x=3");
}

TEST(StringsTest, TrimSpaceAndEqualsIgnoreCase) {
  EXPECT_EQ(TrimSpace(" \t a b \t"), "a b");
  EXPECT_EQ(TrimSpace(" \t "), "");
  EXPECT_EQ(TrimSpace("\na\n"), "\na\n");  // Only spaces and tabs.
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("gzip", "gzip2"));
  EXPECT_FALSE(EqualsIgnoreCase("a[", "A{"));  // Only letters fold.
}

TEST(StringsTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9 \xe2\x98\xba \xf0\x9f\x98\x80"));
  EXPECT_TRUE(IsValidUtf8("\xef\xbf\xbd"));       // U+FFFD itself.
  EXPECT_FALSE(IsValidUtf8("\xff"));              // Not a lead byte.
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // Truncated.
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // Overlong.
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // Surrogate.
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // Past U+10FFFF.
  int width = 0;
  EXPECT_EQ(DecodeRune("\xe2\x98\xba!", &width), 0x263A);
  EXPECT_EQ(width, 3);
  EXPECT_EQ(DecodeRune("\xff", &width), 0xFFFD);
  EXPECT_EQ(width, 1);
  std::string out;
  for (int r : {0x41, 0xE9, 0x263A, 0x1F600}) AppendUtf8(&out, r);
  EXPECT_EQ(out, "A\xc3\xa9\xe2\x98\xba\xf0\x9f\x98\x80");
}

TEST(EscapeTest, Exposition) {
  std::string value;
  AppendExpositionEscaped(&value, "a\"b\\c\nd", /*escape_quote=*/true);
  EXPECT_EQ(value, "a\\\"b\\\\c\\nd");
  std::string help;
  AppendExpositionEscaped(&help, "a\"b\\c\nd", /*escape_quote=*/false);
  EXPECT_EQ(help, "a\"b\\\\c\\nd");
  std::string quoted;
  AppendQuoted(&quoted, "a\"b\\c\nd\t");
  EXPECT_EQ(quoted, "\"a\\\"b\\\\c\\nd\t\"");
}

TEST(EscapeTest, GoQuote) {
  // strconv.Quote("\"Fran & Freddie's Diner\t☺\"") from Go's documentation.
  EXPECT_EQ(GoQuoted("\"Fran & Freddie's Diner\t\xe2\x98\xba\""),
            "\"\\\"Fran & Freddie's Diner\\t\xe2\x98\xba\\\"\"");
  EXPECT_EQ(GoQuoted("a\"b\\c\n\t\x01"), "\"a\\\"b\\\\c\\n\\t\\x01\"");
  EXPECT_EQ(GoQuoted("\a\b\f\r\v\x7f"), "\"\\a\\b\\f\\r\\v\\x7f\"");
  EXPECT_EQ(GoQuoted("h\xc3\xa9"), "\"h\xc3\xa9\"");
  EXPECT_EQ(GoQuoted("\xff"), "\"\\xff\"");
  std::string out = "x=";
  AppendGoQuoted(&out, "'");
  EXPECT_EQ(out, "x=\"'\"");
  EXPECT_EQ(GoQuotedRune('a'), "'a'");
  EXPECT_EQ(GoQuotedRune('\''), "'\\''");
  EXPECT_EQ(GoQuotedRune('"'), "'\"'");
  EXPECT_EQ(GoQuotedRune('\n'), "'\\n'");
  EXPECT_EQ(GoQuotedRune(0), "'\\x00'");
  EXPECT_EQ(GoQuotedRune(0x263A), "'\xe2\x98\xba'");
}

TEST(EscapeTest, Json) {
  // json.Marshal of the same string.
  EXPECT_EQ(JsonString("<a&b>\"\\\n\r\t\x01\x1f"),
            "\"\\u003ca\\u0026b\\u003e\\\"\\\\\\n\\r\\t\\u0001\\u001f\"");
  EXPECT_EQ(JsonString("\xe2\x80\xa8\xe2\x80\xa9"), "\"\\u2028\\u2029\"");
  EXPECT_EQ(JsonString("h\xc3\xa9\x7f"), "\"h\xc3\xa9\x7f\"");
  std::string out = "[";
  AppendJsonString(&out, "");
  EXPECT_EQ(out, "[\"\"");
}

TEST(EscapeTest, Logfmt) {
  auto logfmt = [](std::string_view s) {
    std::string out;
    AppendLogfmtValue(&out, s);
    return out;
  };
  EXPECT_EQ(logfmt("plain"), "plain");
  EXPECT_EQ(logfmt("a<b>&c"), "a<b>&c");
  EXPECT_EQ(logfmt(""), "\"\"");
  EXPECT_EQ(logfmt("two words"), "\"two words\"");
  EXPECT_EQ(logfmt("k=v"), "\"k=v\"");
  EXPECT_EQ(logfmt("say \"hi\"\n\tnow\r\x01"),
            "\"say \\\"hi\\\"\\n\\tnow\\r\\u0001\"");
  EXPECT_EQ(logfmt("a <b>"), "\"a <b>\"");
}

}  // namespace
}  // namespace strata
