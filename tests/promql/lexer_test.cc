#include "promql/lexer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::promql {
namespace {

struct Tok {
  ItemType type;
  Pos pos;
  std::string val;
  friend bool operator==(const Tok&, const Tok&) = default;
};

std::vector<Tok> LexAll(std::string_view input, bool series = false) {
  Lexer lex(input, series);
  std::vector<Tok> out;
  while (true) {
    Item it = lex.Next();
    if (it.type == ItemType::kEOF) break;
    out.push_back({it.type, it.pos, std::string(it.val)});
    if (it.type == ItemType::kError) break;
  }
  return out;
}

TEST(LexerTest, Numbers) {
  EXPECT_EQ(LexAll("1"), (std::vector<Tok>{{ItemType::kNumber, 0, "1"}}));
  EXPECT_EQ(LexAll("4.23"), (std::vector<Tok>{{ItemType::kNumber, 0, "4.23"}}));
  EXPECT_EQ(LexAll(".3"), (std::vector<Tok>{{ItemType::kNumber, 0, ".3"}}));
  EXPECT_EQ(LexAll("5."), (std::vector<Tok>{{ItemType::kNumber, 0, "5."}}));
  EXPECT_EQ(LexAll("nAN"), (std::vector<Tok>{{ItemType::kNumber, 0, "nAN"}}));
  EXPECT_EQ(LexAll("iNf"), (std::vector<Tok>{{ItemType::kNumber, 0, "iNf"}}));
  EXPECT_EQ(LexAll("NaN123"),
            (std::vector<Tok>{{ItemType::kIdentifier, 0, "NaN123"}}));
  EXPECT_EQ(LexAll("-Inf"), (std::vector<Tok>{{ItemType::kSub, 0, "-"},
                                              {ItemType::kNumber, 1, "Inf"}}));
  EXPECT_EQ(LexAll("0x123"),
            (std::vector<Tok>{{ItemType::kNumber, 0, "0x123"}}));
  EXPECT_EQ(LexAll("12.34e-6"),
            (std::vector<Tok>{{ItemType::kNumber, 0, "12.34e-6"}}));
}

TEST(LexerTest, DurationsAndBrackets) {
  EXPECT_EQ(LexAll("5m"), (std::vector<Tok>{{ItemType::kDuration, 0, "5m"}}));
  EXPECT_EQ(LexAll("1y2w3d4h5m6s7ms"),
            (std::vector<Tok>{{ItemType::kDuration, 0, "1y2w3d4h5m6s7ms"}}));
  EXPECT_EQ(LexAll("x[ 5m:1m]"),
            (std::vector<Tok>{{ItemType::kIdentifier, 0, "x"},
                              {ItemType::kLeftBracket, 1, "["},
                              {ItemType::kDuration, 3, "5m"},
                              {ItemType::kColon, 5, ":"},
                              {ItemType::kDuration, 6, "1m"},
                              {ItemType::kRightBracket, 8, "]"}}));
  auto err = LexAll("x[5]");
  ASSERT_EQ(err.back().type, ItemType::kError);
  EXPECT_EQ(err.back().val, "missing unit character in duration");
  err = LexAll("x[5m");
  EXPECT_EQ(err.back().val, "unclosed left bracket");
}

TEST(LexerTest, KeywordsAreCaseInsensitiveOutsideBraces) {
  EXPECT_EQ(LexAll("SUM BY AND"),
            (std::vector<Tok>{{ItemType::kSum, 0, "SUM"},
                              {ItemType::kBy, 4, "BY"},
                              {ItemType::kLand, 7, "AND"}}));
  // Inside braces everything alphanumeric is an identifier.
  EXPECT_EQ(LexAll("{by=\"x\"}"),
            (std::vector<Tok>{{ItemType::kLeftBrace, 0, "{"},
                              {ItemType::kIdentifier, 1, "by"},
                              {ItemType::kAssign, 3, "="},
                              {ItemType::kString, 4, "\"x\""},
                              {ItemType::kRightBrace, 7, "}"}}));
  EXPECT_EQ(LexAll("a:b:c"),
            (std::vector<Tok>{{ItemType::kMetricIdentifier, 0, "a:b:c"}}));
}

TEST(LexerTest, Operators) {
  std::vector<Tok> toks = LexAll("== != <= < >= > =~ @ ^ % atan2");
  std::vector<ItemType> types;
  for (const Tok& t : toks) types.push_back(t.type);
  // "=~" outside braces is an error after "=".
  EXPECT_EQ(types.back(), ItemType::kError);
  toks = LexAll("{a=~\"x\",b!~\"y\",c!=\"z\"}");
  EXPECT_EQ(toks[2].type, ItemType::kEqlRegex);
  EXPECT_EQ(toks[6].type, ItemType::kNeqRegex);
  EXPECT_EQ(toks[10].type, ItemType::kNeq);
}

TEST(LexerTest, StringsAndComments) {
  EXPECT_EQ(LexAll("\"a\\\"b\" # comment\n1"),
            (std::vector<Tok>{{ItemType::kString, 0, "\"a\\\"b\""},
                              {ItemType::kComment, 7, "# comment"},
                              {ItemType::kNumber, 17, "1"}}));
  EXPECT_EQ(LexAll("`raw\\`"),
            (std::vector<Tok>{{ItemType::kString, 0, "`raw\\`"}}));
  auto err = LexAll("\"unterminated");
  EXPECT_EQ(err.back().val, "unterminated quoted string");
  err = LexAll("\"bad \\q\"");
  EXPECT_EQ(err.back().val, "unknown escape sequence U+0071 'q'");
}

TEST(LexerTest, SeriesDescription) {
  std::vector<Tok> toks = LexAll("m{a=\"b\"} 0+10x2 _ stale", true);
  std::vector<ItemType> types;
  for (const Tok& t : toks) types.push_back(t.type);
  EXPECT_EQ(types,
            (std::vector<ItemType>{
                ItemType::kIdentifier, ItemType::kLeftBrace,
                ItemType::kIdentifier, ItemType::kAssign, ItemType::kString,
                ItemType::kRightBrace, ItemType::kSpace, ItemType::kNumber,
                ItemType::kAdd, ItemType::kNumber, ItemType::kTimes,
                ItemType::kNumber, ItemType::kSpace, ItemType::kBlank,
                ItemType::kSpace, ItemType::kIdentifier}));
}

TEST(LexerTest, Unquote) {
  EXPECT_EQ(*Unquote("\"a\\nb\\x41\\u00e9\\101\""),
            "a\nbA\xc3\xa9"
            "A");
  EXPECT_EQ(*Unquote("'it\\'s'"), "it's");
  EXPECT_EQ(*Unquote("`a\\b`"), "a\\b");
  EXPECT_FALSE(Unquote("\"a\\'\"").ok());
  EXPECT_FALSE(Unquote("\"a").ok());
}

TEST(LexerTest, ItemDescriptions) {
  EXPECT_EQ((Item{ItemType::kIdentifier, 0, "foo"}).Desc(),
            "identifier \"foo\"");
  EXPECT_EQ((Item{ItemType::kAdd, 0, "+"}).Desc(), "<op:+>");
  EXPECT_EQ((Item{ItemType::kRightParen, 0, ")"}).Desc(), "\")\"");
  EXPECT_EQ((Item{ItemType::kBy, 0, "by"}).Desc(), "<by>");
  EXPECT_EQ((Item{ItemType::kSum, 0, "sum"}).Desc(), "<aggr:sum>");
  EXPECT_EQ((Item{ItemType::kNumber, 0, "5"}).Desc(), "number \"5\"");
  EXPECT_EQ((Item{ItemType::kEOF, 0, ""}).Desc(), "end of input");
}

}  // namespace
}  // namespace strata::promql
