#include "server/http/router.h"

#include <string>

#include "gtest/gtest.h"

namespace strata::server {
namespace {

Handler Say(std::string text) {
  return [text](Request& req) {
    std::string body = text;
    for (const auto& [k, v] : req.path_params.pairs()) {
      body += " " + k + "=" + v;
    }
    return Response::Text(kHttpOk, body);
  };
}

Response Call(const Router& router, std::string method, std::string path,
              std::string* route = nullptr) {
  Request req;
  req.method = std::move(method);
  req.path = std::move(path);
  std::string matched;
  Response response = router.Dispatch(req, &matched);
  if (route != nullptr) *route = matched;
  return response;
}

// --web.route-prefix: routes answer under the prefix only, handlers see
// the path without it, "/" redirects to the prefix.
TEST(RouterTest, RoutePrefix) {
  Router router;
  router.SetRoutePrefix("/prom/");
  router.Get("/api/v1/query",
             [](Request& req) { return Response::Text(kHttpOk, req.path); });
  router.Get("/", Say("root"));
  std::string route;
  EXPECT_EQ(Call(router, "GET", "/prom/api/v1/query", &route).body,
            "/api/v1/query");
  EXPECT_EQ(route, "/api/v1/query");
  EXPECT_EQ(Call(router, "GET", "/prom/").body, "root");
  EXPECT_EQ(Call(router, "GET", "/prom").body, "root");
  Response root = Call(router, "GET", "/");
  EXPECT_EQ(root.status, kHttpFound);
  EXPECT_EQ(root.headers.Get("Location"), "/prom");
  EXPECT_EQ(Call(router, "GET", "/api/v1/query").status, kHttpNotFound);
  EXPECT_EQ(Call(router, "GET", "/prometheus/api/v1/query").status,
            kHttpNotFound);

  Router plain;
  plain.SetRoutePrefix("/");
  plain.Get("/", Say("root"));
  EXPECT_EQ(Call(plain, "GET", "/").body, "root");
}

TEST(RouterTest, ExactAndParameterRoutes) {
  Router router;
  router.Get("/api/v1/query", Say("query"));
  router.Post("/api/v1/query", Say("query-post"));
  router.Get("/api/v1/label/:name/values", Say("values"));
  router.Get("/static/*filepath", Say("static"));
  router.Get("/", Say("root"));

  std::string route;
  EXPECT_EQ(Call(router, "GET", "/api/v1/query", &route).body, "query");
  EXPECT_EQ(route, "/api/v1/query");
  EXPECT_EQ(Call(router, "POST", "/api/v1/query").body, "query-post");
  EXPECT_EQ(Call(router, "GET", "/api/v1/label/job/values", &route).body,
            "values name=job");
  EXPECT_EQ(route, "/api/v1/label/:name/values");
  EXPECT_EQ(Call(router, "GET", "/static/js/app.js").body,
            "static filepath=js/app.js");
  EXPECT_EQ(Call(router, "GET", "/static/").body, "static filepath=");
  EXPECT_EQ(Call(router, "GET", "/").body, "root");
}

TEST(RouterTest, ExactBeatsParameterRegardlessOfOrder) {
  Router router;
  router.Get("/api/v1/:thing", Say("param"));
  router.Get("/api/v1/series", Say("exact"));
  router.Get("/api/*rest", Say("catchall"));
  EXPECT_EQ(Call(router, "GET", "/api/v1/series").body, "exact");
  EXPECT_EQ(Call(router, "GET", "/api/v1/labels").body, "param thing=labels");
  EXPECT_EQ(Call(router, "GET", "/api/v2/x").body, "catchall rest=v2/x");
}

TEST(RouterTest, NotFoundAndMethodNotAllowed) {
  Router router;
  router.Get("/metrics", Say("metrics"));
  router.Post("/api/v1/write", Say("write"));
  std::string route = "stale";
  Response r = Call(router, "GET", "/nope", &route);
  EXPECT_EQ(r.status, kHttpNotFound);
  EXPECT_EQ(r.body, "404 page not found\n");
  EXPECT_EQ(route, "");
  EXPECT_EQ(Call(router, "GET", "/metrics/extra").status, kHttpNotFound);
  EXPECT_EQ(Call(router, "GET", "/api/v1/label//values").status, kHttpNotFound);

  r = Call(router, "GET", "/api/v1/write");
  EXPECT_EQ(r.status, kHttpMethodNotAllowed);
  EXPECT_EQ(r.headers.Get("allow"), "OPTIONS, POST");
  r = Call(router, "DELETE", "/metrics");
  EXPECT_EQ(r.status, kHttpMethodNotAllowed);
  EXPECT_EQ(r.headers.Get("Allow"), "GET, HEAD, OPTIONS");
  r = Call(router, "OPTIONS", "/metrics");
  EXPECT_EQ(r.status, kHttpOk);
  EXPECT_EQ(r.headers.Get("Allow"), "GET, HEAD, OPTIONS");
}

TEST(RouterTest, HeadUsesGetHandler) {
  Router router;
  router.Get("/-/healthy", Say("healthy"));
  std::string route;
  Response r = Call(router, "HEAD", "/-/healthy", &route);
  EXPECT_EQ(r.status, kHttpOk);
  EXPECT_EQ(r.body, "healthy");  // The server drops it on the wire.
  EXPECT_EQ(route, "/-/healthy");
}

TEST(RouterTest, ReRegisteringReplaces) {
  Router router;
  router.Get("/x", Say("one"));
  router.Get("/x", Say("two"));
  EXPECT_EQ(Call(router, "GET", "/x").body, "two");
}

TEST(HeadersTest, CaseInsensitiveLookupAndSet) {
  Headers headers;
  headers.Add("Content-Type", "a");
  headers.Add("X-Multi", "1");
  headers.Add("x-multi", "2");
  EXPECT_EQ(headers.Get("content-type"), "a");
  EXPECT_EQ(headers.Get("X-MULTI"), "1");
  EXPECT_TRUE(headers.Has("x-Multi"));
  headers.Set("X-Multi", "3");
  EXPECT_EQ(headers.Get("x-multi"), "3");
  EXPECT_EQ(headers.fields().size(), 2u);
  EXPECT_FALSE(headers.Has("absent"));
}

}  // namespace
}  // namespace strata::server
