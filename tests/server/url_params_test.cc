#include "server/http/url_params.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "util/strings.h"

namespace strata::server {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs Parse(std::string_view query, Status* status = nullptr) {
  Params params;
  Status s = ParseQueryString(query, &params);
  if (status != nullptr) *status = s;
  return params.pairs();
}

TEST(UrlParamsTest, SplitsPairsAndDecodes) {
  EXPECT_EQ(Parse("a=1&b=two"), (Pairs{{"a", "1"}, {"b", "two"}}));
  EXPECT_EQ(Parse("q=rate(x%5B5m%5D)+%3E+0"),
            (Pairs{{"q", "rate(x[5m]) > 0"}}));
  EXPECT_EQ(Parse("%E2%9C%93=%e2%9c%93"), (Pairs{{"\u2713", "\u2713"}}));
  EXPECT_EQ(Parse("a=b=c"), (Pairs{{"a", "b=c"}}));
}

TEST(UrlParamsTest, KeepsRepeatedKeysInOrder) {
  Params params;
  ASSERT_TRUE(
      ParseQueryString("match[]=up&x=1&match%5B%5D=down", &params).ok());
  EXPECT_EQ(params.GetAll("match[]"), (std::vector<std::string>{"up", "down"}));
  EXPECT_EQ(params.Get("match[]"), "up");
  EXPECT_EQ(params.Get("x"), "1");
  EXPECT_EQ(params.Get("missing"), "");
  EXPECT_TRUE(params.Has("x"));
  EXPECT_FALSE(params.Has("missing"));
  EXPECT_TRUE(params.GetAll("missing").empty());
}

TEST(UrlParamsTest, EmptyPiecesAndValues) {
  EXPECT_EQ(Parse(""), Pairs{});
  EXPECT_EQ(Parse("&&a&b=&=c&"), (Pairs{{"a", ""}, {"b", ""}, {"", "c"}}));
}

TEST(UrlParamsTest, BadEscapesSkipPairButKeepOthers) {
  Status status;
  EXPECT_EQ(Parse("a=%zz&b=2&c=%4", &status), (Pairs{{"b", "2"}}));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Parse("a=1;b=2&c=3", &status), (Pairs{{"c", "3"}}));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Parse("a=1&c=3", &status).size(), 2u);
  EXPECT_TRUE(status.ok());
}

TEST(UrlParamsTest, PercentDecodeModes) {
  EXPECT_EQ(*PercentDecode("a+b%20c", true), "a b c");
  EXPECT_EQ(*PercentDecode("a+b%20c", false), "a+b c");
  EXPECT_EQ(*PercentDecode("%00", false), std::string(1, '\0'));
  EXPECT_FALSE(PercentDecode("%", false).ok());
  EXPECT_FALSE(PercentDecode("%g0", false).ok());
}

TEST(UrlParamsTest, QueryEscapeRoundTrips) {
  const std::string raw = "sum by (job) (rate(x{a=\"b&c\"}[5m])) / 100% ~ok";
  EXPECT_EQ(GoQueryEscape("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
  Params params;
  ASSERT_TRUE(ParseQueryString("query=" + GoQueryEscape(raw), &params).ok());
  EXPECT_EQ(params.Get("query"), raw);
}

TEST(UrlParamsTest, FormContentType) {
  EXPECT_TRUE(IsFormContentType("application/x-www-form-urlencoded"));
  EXPECT_TRUE(
      IsFormContentType("Application/X-WWW-Form-Urlencoded; charset=UTF-8"));
  EXPECT_TRUE(IsFormContentType(" application/x-www-form-urlencoded ;q=1"));
  EXPECT_FALSE(IsFormContentType("application/json"));
  EXPECT_FALSE(IsFormContentType("multipart/form-data"));
  EXPECT_FALSE(IsFormContentType(""));
}

TEST(UrlParamsTest, AppendKeepsOrder) {
  Params form, query;
  form.Add("a", "form");
  query.Add("a", "query");
  query.Add("b", "1");
  form.Append(query);
  EXPECT_EQ(form.Get("a"), "form");
  EXPECT_EQ(form.GetAll("a"), (std::vector<std::string>{"form", "query"}));
  EXPECT_EQ(form.size(), 3u);
}

}  // namespace
}  // namespace strata::server
