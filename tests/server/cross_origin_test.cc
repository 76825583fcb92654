// --web.cors.origin and the refusal of cross-site requests (issue 15: the
// API answered every origin with "Access-Control-Allow-Origin: *", and a
// page of any site could POST to the admin and lifecycle endpoints).
#include "server/http/cross_origin.h"

#include <string>

#include "gtest/gtest.h"

namespace strata::server {
namespace {

Request RequestFrom(const std::string& method, const std::string& origin,
                    const std::string& fetch_site = "") {
  Request r;
  r.method = method;
  r.path = "/api/v1/admin/tsdb/delete_series";
  r.headers.Add("Host", "strata:9201");
  if (!origin.empty()) r.headers.Add("Origin", origin);
  if (!fetch_site.empty()) r.headers.Add("Sec-Fetch-Site", fetch_site);
  return r;
}

std::string AllowedOrigin(const CrossOriginPolicy& policy,
                          const std::string& origin) {
  Response response;
  policy.SetCorsHeaders(RequestFrom("GET", origin), &response);
  return std::string(response.headers.Get("Access-Control-Allow-Origin"));
}

TEST(CrossOriginTest, DefaultAllowsNoOrigin) {
  const CrossOriginPolicy policy;
  Response response;
  policy.SetCorsHeaders(RequestFrom("GET", "http://evil.example"), &response);
  EXPECT_FALSE(response.headers.Has("Access-Control-Allow-Origin"));
  EXPECT_EQ(response.headers.Get("Vary"), "Origin");
  EXPECT_FALSE(policy.AllowsOrigin("http://evil.example"));
  // No Origin: not a cross-origin request, no CORS headers at all.
  Response plain;
  policy.SetCorsHeaders(RequestFrom("GET", ""), &plain);
  EXPECT_TRUE(plain.headers.fields().empty());
}

TEST(CrossOriginTest, PrometheusDefaultRegexAllowsEveryOriginWithStar) {
  StatusOr<CrossOriginPolicy> policy = CrossOriginPolicy::Create(".*");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(AllowedOrigin(*policy, "http://anything"), "*");
}

TEST(CrossOriginTest, RegexIsFullyAnchoredAndEchoesTheOrigin) {
  StatusOr<CrossOriginPolicy> policy =
      CrossOriginPolicy::Create(R"(https?://(grafana|dash)\.example\.com)");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(AllowedOrigin(*policy, "https://grafana.example.com"),
            "https://grafana.example.com");
  EXPECT_EQ(AllowedOrigin(*policy, "http://dash.example.com"),
            "http://dash.example.com");
  EXPECT_EQ(AllowedOrigin(*policy, "https://grafana.example.com.evil.net"), "");
  EXPECT_EQ(AllowedOrigin(*policy, "xhttps://grafana.example.com"), "");
}

TEST(CrossOriginTest, BadRegexIsRefused) {
  StatusOr<CrossOriginPolicy> policy = CrossOriginPolicy::Create("(");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
}

TEST(CrossOriginTest, CrossSiteStateChangingRequestsAreRefused) {
  const CrossOriginPolicy policy;
  // Browsers' cross-site form POSTs: refused with Go's messages.
  for (const Request& r :
       {RequestFrom("POST", "http://evil.example"), RequestFrom("POST", "null"),
        RequestFrom("PUT", "http://evil.example"),
        RequestFrom("POST", "http://strata:9201", "cross-site"),
        RequestFrom("POST", "", "same-site"),
        RequestFrom("POST", "", "cross-site")}) {
    std::optional<Response> refusal = policy.RefuseCrossSite(r);
    ASSERT_TRUE(refusal.has_value()) << r.headers.Get("Origin");
    EXPECT_EQ(refusal->status, 403);
    EXPECT_NE(refusal->body.find("cross-origin request detected"),
              std::string::npos);
  }
  EXPECT_EQ(
      policy.RefuseCrossSite(RequestFrom("POST", "http://evil.example"))->body,
      "cross-origin request detected, and/or browser is out of date: "
      "Sec-Fetch-Site is missing, and Origin does not match Host\n");
  // Same origin, clients other than browsers, safe methods: served.
  for (const Request& r :
       {RequestFrom("POST", ""), RequestFrom("POST", "http://strata:9201"),
        RequestFrom("POST", "https://strata:9201/"),
        RequestFrom("POST", "http://evil.example", "same-origin"),
        RequestFrom("POST", "", "none"),
        RequestFrom("GET", "http://evil.example", "cross-site"),
        RequestFrom("OPTIONS", "http://evil.example")}) {
    EXPECT_FALSE(policy.RefuseCrossSite(r).has_value())
        << r.method << " " << r.headers.Get("Origin");
  }
}

TEST(CrossOriginTest, AllowedOriginsMayChangeState) {
  StatusOr<CrossOriginPolicy> policy =
      CrossOriginPolicy::Create(R"(https://ops\.example)");
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(
      policy->RefuseCrossSite(RequestFrom("POST", "https://ops.example"))
          .has_value());
  EXPECT_FALSE(policy
                   ->RefuseCrossSite(
                       RequestFrom("POST", "https://ops.example", "cross-site"))
                   .has_value());
  EXPECT_TRUE(
      policy->RefuseCrossSite(RequestFrom("POST", "https://evil.example"))
          .has_value());
}

TEST(CrossOriginTest, ProtectWrapsAHandler) {
  const CrossOriginPolicy policy;
  int calls = 0;
  Handler handler = policy.Protect([&](Request&) {
    ++calls;
    return Response::Text(kHttpOk, "done");
  });
  Request cross = RequestFrom("POST", "http://evil.example");
  EXPECT_EQ(handler(cross).status, 403);
  EXPECT_EQ(calls, 0);
  Request same = RequestFrom("POST", "");
  EXPECT_EQ(handler(same).status, 200);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace strata::server
