#include "inspect/exposition.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "gtest/gtest.h"
#include "util/go_format.h"

namespace strata::inspect {
namespace {

std::string G(double v) { return FormatGoFloat(v, GoFloatFormat::kShortest); }

// Values are written in Go's %g form (util/go_format_test.cc); the reader
// parses them back exactly.
TEST(ParseSampleValue, RoundTripsGoShortestForm) {
  const double values[] = {
      1.0 / 3,   2.0 / 3,           1e-320, 1.7976931348623157e308, 123456.789,
      -0.000123, 9007199254740993.0};
  for (double v : values) {
    StatusOr<double> back = ParseSampleValue(G(v));
    ASSERT_TRUE(back.ok()) << G(v);
    EXPECT_EQ(*back, v) << G(v);
  }
}

TEST(OpenMetricsTimestamp, ExactMilliseconds) {
  EXPECT_EQ(OpenMetricsTimestamp(1700000000123), "1700000000.123");
  EXPECT_EQ(OpenMetricsTimestamp(5), "0.005");
  EXPECT_EQ(OpenMetricsTimestamp(-1500), "-1.500");
  for (int64_t t : {int64_t{1700000000123}, int64_t{0}, int64_t{-1500},
                    int64_t{999}, int64_t{1700000000001}}) {
    StatusOr<int64_t> back = ParseOpenMetricsTimestamp(OpenMetricsTimestamp(t));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, t);
  }
  EXPECT_EQ(*ParseOpenMetricsTimestamp("1700000000"), 1700000000000);
  EXPECT_EQ(*ParseOpenMetricsTimestamp("1.7e9"), 1700000000000);
  EXPECT_EQ(*ParseOpenMetricsTimestamp("1.0005"), 1001);  // Rounded.
  EXPECT_FALSE(ParseOpenMetricsTimestamp("abc").ok());
}

TEST(Labels, PromtoolAndOpenMetricsForms) {
  Labels l = Labels::Of({{"__name__", "up"}, {"job", "a\"b\\c\nd"}});
  EXPECT_EQ(PromtoolLabels(l), R"({__name__="up", job="a\"b\\c\nd"})");
  EXPECT_EQ(OpenMetricsSeries(l), R"(up{job="a\"b\\c\nd"})");
  EXPECT_EQ(OpenMetricsSeries(Labels::Of({{"__name__", "x"}})), "x");
}

std::vector<TextSample> ReadAll(const std::string& text, Status* st,
                                OpenMetricsReaderOptions o = {}) {
  std::FILE* f = fmemopen(const_cast<char*>(text.data()), text.size(), "r");
  OpenMetricsReader r(f, std::move(o));
  std::vector<TextSample> out;
  TextSample s;
  while (r.Next(&s)) out.push_back(s);
  *st = r.status();
  std::fclose(f);
  return out;
}

TEST(OpenMetricsReader, ParsesSamplesSkipsMetadataStopsAtEof) {
  Status st;
  auto got = ReadAll(
      "# HELP up Whether up.\n# TYPE up gauge\n"
      "up{job=\"a\",instance=\"x:1\"} 1 1700000000.5\n"
      "up{job=\"a\",instance=\"x:1\"} NaN 1700000015\n"
      "up{job=\"b\",} +Inf 1700000000 # {trace=\"1\"} 1 1\n"
      "plain -3.5e2 1\n# EOF\nignored 1 1\n",
      &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].labels.ToString(), R"(up{instance="x:1", job="a"})");
  EXPECT_EQ(got[0].t, 1700000000500);
  EXPECT_EQ(got[0].v, 1);
  EXPECT_EQ(got[1].labels, got[0].labels);
  EXPECT_TRUE(std::isnan(got[1].v));
  EXPECT_EQ(got[2].labels.ToString(), R"(up{job="b"})");
  EXPECT_TRUE(std::isinf(got[2].v));
  EXPECT_EQ(got[3].labels.ToString(), "plain");
  EXPECT_EQ(got[3].v, -350);
  EXPECT_EQ(got[3].t, 1000);
}

TEST(OpenMetricsReader, ExtraLabelsAddAndReplace) {
  Status st;
  OpenMetricsReaderOptions o;
  o.extra_labels = {{"job", "new"}, {"env", "prod"}};
  auto got = ReadAll("m{job=\"old\"} 1 1\n", &st, o);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].labels.ToString(), R"(m{env="prod", job="new"})");
}

TEST(OpenMetricsReader, ErrorsNameTheLine) {
  for (const char* bad : {"m 1\n", "m{a=\"x} 1 1\n", "m{1a=\"x\"} 1 1\n",
                          "m x 1\n", "m 1 1 extra\n"}) {
    Status st;
    ReadAll(std::string("ok 1 1\n") + bad, &st);
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_NE(st.message().find("line 2"), std::string_view::npos)
        << st.ToString();
  }
}

// Found by fuzz/targets/openmetrics_fuzzer: a line starting with a space
// has an empty series, which compared equal to the (empty) series text
// before the first line, so it was read as a sample without labels; after
// a sample it took that sample's labels.
TEST(OpenMetricsReader, EmptySeriesIsAnError) {
  for (const char* text : {" 1 1\n", "ok 1 1\n 2 2\n"}) {
    Status st;
    const auto got = ReadAll(text, &st);
    EXPECT_FALSE(st.ok()) << text;
    for (const TextSample& s : got) EXPECT_FALSE(s.labels.empty()) << text;
    EXPECT_LE(got.size(), 1u) << text;
  }
}

}  // namespace
}  // namespace strata::inspect
