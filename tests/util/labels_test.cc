#include "strata/labels.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(LabelsTest, FromPairsSortsAndDropsEmptyValues) {
  auto l = Labels::FromPairs({{"job", "node"}, {"__name__", "up"}, {"a", ""}});
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[0].name, "__name__");
  EXPECT_EQ((*l)[1].name, "job");
  EXPECT_EQ(l->Get("a"), "");
  EXPECT_FALSE(l->Has("a"));
  EXPECT_EQ(l->MetricName(), "up");
}

TEST(LabelsTest, FromPairsRejectsInvalid) {
  EXPECT_EQ(Labels::FromPairs({{"a", "1"}, {"a", "2"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(Labels::FromPairs({{"1a", "x"}}).ok());
  EXPECT_FALSE(Labels::FromPairs({{"a-b", "x"}}).ok());
  EXPECT_FALSE(Labels::FromPairs({{"__name__", "bad-name"}}).ok());
  EXPECT_TRUE(Labels::FromPairs({{"__name__", "ok:name_1"}}).ok());
  EXPECT_FALSE(Labels::FromPairs({{"a", std::string("\xff\xfe")}}).ok());
  EXPECT_FALSE(Labels::FromPairs({{"a", std::string("\xed\xa0\x80")}}).ok());
  EXPECT_TRUE(Labels::FromPairs({{"a", "héllo ✓ 😀"}}).ok());
}

// Found by fuzz/targets/wal_record_fuzzer: a WAL series record with a
// repeated label name decoded to labels whose order followed the record,
// so decoding, encoding and decoding again gave different Labels.
TEST(LabelsTest, FromUncheckedOrderDoesNotDependOnInputOrder) {
  const Labels a = Labels::FromUnchecked({{"a", "2"}, {"b", "x"}, {"a", "1"}});
  const Labels b = Labels::FromUnchecked({{"a", "1"}, {"a", "2"}, {"b", "x"}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.ToString(), b.ToString());
}

TEST(LabelsTest, CompareIsPrometheusOrder) {
  Labels a = Labels::Of({{"__name__", "a"}, {"x", "1"}});
  Labels b = Labels::Of({{"__name__", "a"}, {"x", "2"}});
  Labels c = Labels::Of({{"__name__", "a"}});
  Labels d = Labels::Of({{"__name__", "a"}, {"y", "0"}});
  EXPECT_LT(Compare(a, b), 0);
  EXPECT_LT(Compare(c, a), 0);  // Prefix sorts first.
  EXPECT_LT(Compare(a, d), 0);  // Names compare before values.
  EXPECT_EQ(Compare(a, a), 0);
  EXPECT_EQ(a, Labels::Of({{"x", "1"}, {"__name__", "a"}}));
}

TEST(LabelsTest, HashDistinguishesBoundaries) {
  EXPECT_NE(Labels::Of({{"ab", "c"}}).Hash(), Labels::Of({{"a", "bc"}}).Hash());
  EXPECT_EQ(Labels::Of({{"a", "b"}, {"c", "d"}}).Hash(),
            Labels::Of({{"c", "d"}, {"a", "b"}}).Hash());
}

TEST(LabelsTest, ToString) {
  EXPECT_EQ(Labels::Of({{"__name__", "up"}, {"job", "a\"b\\c\n"}}).ToString(),
            "up{job=\"a\\\"b\\\\c\\n\"}");
  EXPECT_EQ(Labels::Of({{"__name__", "up"}}).ToString(), "up");
  EXPECT_EQ(Labels::Of({{"a", "1"}, {"b", "2"}}).ToString(),
            "{a=\"1\", b=\"2\"}");
  EXPECT_EQ(Labels().ToString(), "{}");
}

TEST(MatcherTest, AllTypes) {
  Matcher eq = Matcher::Equal("a", "x");
  EXPECT_TRUE(eq.Matches("x"));
  EXPECT_FALSE(eq.Matches("xy"));
  Matcher ne = Matcher::NotEqual("a", "x");
  EXPECT_TRUE(ne.Matches(""));
  EXPECT_FALSE(ne.Matches("x"));
  auto re = Matcher::Create(Matcher::Type::kRegexMatch, "a", "x.*");
  ASSERT_TRUE(re.ok());
  EXPECT_TRUE(re->Matches("xyz"));
  EXPECT_FALSE(re->Matches("axyz"));  // Fully anchored.
  auto nre = Matcher::Create(Matcher::Type::kRegexNoMatch, "a", "x|y");
  ASSERT_TRUE(nre.ok());
  EXPECT_TRUE(nre->Matches(""));
  EXPECT_TRUE(nre->Matches("xy"));
  EXPECT_FALSE(nre->Matches("y"));
  auto anchors = Matcher::Create(Matcher::Type::kRegexMatch, "a", "a|b$");
  ASSERT_TRUE(anchors.ok());
  EXPECT_FALSE(anchors->Matches("ab"));
  EXPECT_TRUE(anchors->Matches("a"));
}

TEST(MatcherTest, EmptyRegexMatchesAbsentLabel) {
  auto m = Matcher::Create(Matcher::Type::kRegexMatch, "a", ".*");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->Matches(""));
  auto m2 = Matcher::Create(Matcher::Type::kRegexMatch, "a", ".+");
  ASSERT_TRUE(m2.ok());
  EXPECT_FALSE(m2->Matches(""));
}

TEST(MatcherTest, BadRegexIsAnError) {
  auto m = Matcher::Create(Matcher::Type::kRegexMatch, "a", "(unclosed");
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("error parsing regexp"),
            std::string_view::npos);
}

TEST(MatcherTest, SetMatchesAndPrefix) {
  auto set = Matcher::Create(Matcher::Type::kRegexMatch, "a", "foo|bar\\.baz|");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->SetMatches(),
            (std::vector<std::string>{"foo", "bar.baz", ""}));
  auto not_set = Matcher::Create(Matcher::Type::kRegexMatch, "a", "foo|ba.");
  ASSERT_TRUE(not_set.ok());
  EXPECT_TRUE(not_set->SetMatches().empty());
  auto prefix = Matcher::Create(Matcher::Type::kRegexMatch, "a", "node_.*");
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(prefix->LiteralPrefix(), "node_");
  auto optional_last = Matcher::Create(Matcher::Type::kRegexMatch, "a", "abc?");
  ASSERT_TRUE(optional_last.ok());
  EXPECT_EQ(optional_last->LiteralPrefix(), "ab");
  auto alt = Matcher::Create(Matcher::Type::kRegexMatch, "a", "ab.*|c");
  ASSERT_TRUE(alt.ok());
  EXPECT_EQ(alt->LiteralPrefix(), "");
  auto flags = Matcher::Create(Matcher::Type::kRegexMatch, "a", "(?i)abc");
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->LiteralPrefix(), "");
  EXPECT_TRUE(flags->Matches("ABC"));
}

// The matcher anchors a pattern as `^(?:pattern)$`, so a pattern may close
// that group early: `iI)?(` is `^(?:iI)?()$` and matches "" (found by
// label_matcher_fuzzer, regressions/label_matcher_fuzzer/closes-anchor-group).
// A prefix read off the pattern text ("iI") would make the index skip "".
TEST(MatcherTest, LiteralPrefixIsSharedByEveryMatch) {
  struct Case {
    std::string pattern;
    std::string prefix;
    std::vector<std::string> matching;
  };
  const std::vector<Case> cases = {
      {"iI)?(", "", {"", "iI"}},
      {"ab)*(c", "", {"c", "abc", "ababc"}},
      {"ab)|(abd", "ab", {"ab", "abd"}},
      {"abc.*|abd", "ab", {"abc", "abcd", "abd"}},
      {"abc|abd", "", {"abc", "abd"}},  // Set matches instead.
      {"a(?i)bc", "a", {"aBC", "abc"}},
      {"caf\\x{e9}s?", "caf\xc3\xa9", {"caf\xc3\xa9", "caf\xc3\xa9s"}},
      {"x{0}y", "y", {"y"}},
      {".*node", "", {"node", "a_node"}},
  };
  for (const Case& c : cases) {
    auto m = Matcher::Create(Matcher::Type::kRegexMatch, "a", c.pattern);
    ASSERT_TRUE(m.ok()) << c.pattern;
    EXPECT_EQ(m->LiteralPrefix(), c.prefix) << c.pattern;
    for (const std::string& value : c.matching) {
      EXPECT_TRUE(m->Matches(value)) << c.pattern << " " << value;
      EXPECT_TRUE(value.starts_with(m->LiteralPrefix()))
          << c.pattern << " " << value;
    }
  }
}

TEST(MatcherTest, ToString) {
  EXPECT_EQ(Matcher::Equal("job", "a\"b").ToString(), "job=\"a\\\"b\"");
  auto re = Matcher::Create(Matcher::Type::kRegexNoMatch, "x", "y.*");
  ASSERT_TRUE(re.ok());
  EXPECT_EQ(re->ToString(), "x!~\"y.*\"");
}

TEST(StatusTest, Basics) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.ToString(), "OK");
  Status c = Status::Corruption("bad crc");
  EXPECT_FALSE(c.ok());
  EXPECT_TRUE(c.IsCorruption());
  EXPECT_EQ(c.ToString(), "corruption: bad crc");
  EXPECT_EQ(c.WithContext("block 01X").message(), "block 01X: bad crc");
  StatusOr<int> v = 5;
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(*v, 5);
  StatusOr<int> e = Status::NotFound("x");
  EXPECT_FALSE(e.ok());
  EXPECT_TRUE(e.status().IsNotFound());
}

}  // namespace
}  // namespace strata
