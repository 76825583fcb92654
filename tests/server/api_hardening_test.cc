// The HTTP API against hostile parameters (issue 15), through the router as
// a request arrives: timestamps outside Prometheus's representable range
// are refused with 400 on every endpoint taking one (they used to overflow:
// delete_series with start=1e20 deleted everything), and PromQL nested
// beyond the parser's limit is a 400 on every endpoint taking PromQL
// instead of a stack overflow.
#include <string>
#include <vector>

#include "api_request.h"
#include "gtest/gtest.h"
#include "promql/parser.h"
#include "remote_test_util.h"
#include "server/api/admin_handler.h"
#include "server/api/api_params.h"
#include "server/api/query_api.h"
#include "server/http/router.h"
#include "streamed_body.h"

namespace strata::server {
namespace {

using testing::AllSeries;
using testing::ReadAll;
using testing::TempDB;

constexpr int64_t kT0 = 1795620000000;

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s);
  return out;
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_') {
      out.push_back(c);
    } else {
      static const char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
      out.push_back(kHex[static_cast<unsigned char>(c) & 15]);
    }
  }
  return out;
}

class ApiHardeningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::unique_ptr<Appender> app = tmp_.db()->NewAppender();
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "m"}, {"job", "a"}}),
                              kT0 + i * 1000, i)
                      .ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    QueryApiOptions options;
    options.now_ms = [] { return kT0 + 60000; };
    query_api_ = std::make_unique<QueryApi>(std::move(options));
    query_api_->SetDB(tmp_.db());
    query_api_->RegisterRoutes(&router_);
    admin_ = std::make_unique<AdminHandler>(
        AdminOptions{/*enabled=*/true, tmp_.data_dir()});
    admin_->SetDB(tmp_.db());
    admin_->RegisterRoutes(&router_);
  }

  // Dispatches like the server does; returns status and body.
  std::pair<int, std::string> Call(const std::string& method,
                                   const std::string& path,
                                   const std::string& query) {
    Request r = testing::ApiRequest(method, path, query);
    std::string route;
    Response resp = router_.Dispatch(r, &route);
    return {resp.status, BodyOf(resp)};
  }

  TempDB tmp_;
  Router router_;
  std::unique_ptr<QueryApi> query_api_;
  std::unique_ptr<AdminHandler> admin_;
};

// Go's time range in seconds: what Prometheus's minTime and maxTime hold.
constexpr const char* kOutOfRange[] = {
    "1e20", "-1e20", "9.3e15", "-9.3e15", "1e300", "-1e300",
    // The first double past maxTime, and the one before minTime.
    "9223309901257976", "-9223309901257976",
    // RFC 3339 past the API's range is refused too.
    "292277026-01-01T00:00:00Z"};

TEST(ApiTimeRangeTest, BoundsAreAcceptedAndBeyondIsRefused) {
  EXPECT_EQ(ParseApiTime("9223309901257974").value(), kApiMaxTimeMs - 999);
  EXPECT_EQ(ParseApiTime("-9223309901257974").value(), kApiMinTimeMs);
  EXPECT_EQ(ParseApiTime("-292273086-05-16T16:47:06Z").value(), kApiMinTimeMs);
  EXPECT_EQ(ParseApiTime("292277025-08-18T07:12:54.999999999Z").value(),
            kApiMaxTimeMs);
  for (const char* text : kOutOfRange) {
    StatusOr<int64_t> t = ParseApiTime(text);
    ASSERT_FALSE(t.ok()) << text << " gave " << t.value();
    EXPECT_EQ(t.status().message(), "cannot parse \"" + std::string(text) +
                                        "\" to a valid timestamp");
  }
}

TEST_F(ApiHardeningTest, OutOfRangeTimesAre400Everywhere) {
  struct Endpoint {
    std::string method, path, base, param;
  };
  const std::vector<Endpoint> endpoints = {
      {"GET", "/api/v1/query", "query=m", "time"},
      {"POST", "/api/v1/query", "query=m", "time"},
      {"GET", "/api/v1/query_range", "query=m&end=1795620010&step=1", "start"},
      {"GET", "/api/v1/query_range", "query=m&start=1795620000&step=1", "end"},
      {"GET", "/api/v1/series", "match[]=m", "start"},
      {"GET", "/api/v1/series", "match[]=m", "end"},
      {"GET", "/api/v1/labels", "", "start"},
      {"GET", "/api/v1/labels", "", "end"},
      {"GET", "/api/v1/label/job/values", "", "start"},
      {"GET", "/api/v1/label/job/values", "", "end"},
      {"GET", "/api/v1/query_exemplars", "query=m", "start"},
      {"GET", "/api/v1/query_exemplars", "query=m", "end"},
      {"POST", "/api/v1/admin/tsdb/delete_series", "match[]=m", "start"},
      {"POST", "/api/v1/admin/tsdb/delete_series", "match[]=m", "end"},
  };
  for (const Endpoint& e : endpoints) {
    for (const char* value : kOutOfRange) {
      std::string query = e.base.empty() ? "" : e.base + "&";
      query += e.param + "=" + Escape(value);
      auto [status, body] = Call(e.method, e.path, query);
      EXPECT_EQ(status, 400)
          << e.method << " " << e.path << "?" << query << ": " << body;
      EXPECT_NE(body.find("cannot parse \\\"" + std::string(value) +
                          "\\\" to a valid timestamp"),
                std::string::npos)
          << e.path << "?" << query << ": " << body;
      EXPECT_NE(body.find("\"errorType\":\"bad_data\""), std::string::npos)
          << body;
    }
  }
  // Nothing was deleted.
  EXPECT_EQ(ReadAll(tmp_.db(), AllSeries()).begin()->second.size(), 10u);
}

// Prometheus defaults an absent start/end of delete_series to its minimum
// and maximum time; a Prometheus user expects that, so it stays. Only
// values outside that range are refused.
TEST_F(ApiHardeningTest, DeleteSeriesKeepsPrometheusDefaults) {
  auto [status, body] =
      Call("POST", "/api/v1/admin/tsdb/delete_series", "match[]=m&start=1e20");
  EXPECT_EQ(status, 400) << body;
  EXPECT_EQ(ReadAll(tmp_.db(), AllSeries()).begin()->second.size(), 10u);

  // Explicit bounds at the very edges of the range are accepted.
  auto [edges, edges_body] =
      Call("POST", "/api/v1/admin/tsdb/delete_series",
           "match[]=m&start=" + Escape("-292273086-05-16T16:47:06Z") +
               "&end=" + std::to_string(kT0 / 1000 + 4));
  ASSERT_EQ(edges, 204) << edges_body;
  EXPECT_EQ(ReadAll(tmp_.db(), AllSeries()).begin()->second.size(), 5u);

  // No bounds: everything, as in Prometheus.
  auto [all, all_body] =
      Call("POST", "/api/v1/admin/tsdb/delete_series", "match[]=m");
  ASSERT_EQ(all, 204) << all_body;
  EXPECT_TRUE(ReadAll(tmp_.db(), AllSeries()).empty() ||
              ReadAll(tmp_.db(), AllSeries()).begin()->second.empty());
}

TEST_F(ApiHardeningTest, DeepPromQLIs400OnEveryEndpoint) {
  const std::vector<std::string> deep = {
      Repeat("(", 20000) + "m" + Repeat(")", 20000),
      Repeat("-", 100000) + "1",
      "1" + Repeat("^1", 50000),
      "1" + Repeat("+1", 20000),
  };
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"/api/v1/query", ""},
      {"/api/v1/query_range", "&start=1795620000&end=1795620010&step=1"},
      {"/api/v1/format_query", ""},
      {"/api/v1/query_exemplars", ""},
  };
  for (const std::string& query : deep) {
    for (const auto& [path, extra] : endpoints) {
      for (const char* method : {"GET", "POST"}) {
        auto [status, body] =
            Call(method, path, "query=" + Escape(query) + extra);
        EXPECT_EQ(status, 400) << path << " " << query.substr(0, 20);
        EXPECT_NE(body.find("nests too deeply"), std::string::npos)
            << path << ": " << body.substr(0, 300);
        EXPECT_NE(body.find("\"errorType\":\"bad_data\""), std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace strata::server
