// Router: maps a method and path to a Handler.
//
// Patterns are '/'-separated; a segment `:name` matches one non-empty path
// segment and a final segment `*name` matches the rest of the path
// (possibly empty); captured values land in Request::path_params. Exact
// segments win over `:name`, which wins over `*name`, whatever the
// registration order. HEAD is served by the GET handler (the server drops
// the body) and OPTIONS is answered with an Allow header, as Go's router
// does. A path with no route yields 404, a path whose routes all have other
// methods 405 with Allow.
//
// Thread-safety: register every route before serving; Dispatch is then
// safe to call concurrently.
#ifndef STRATA_SERVER_HTTP_ROUTER_H_
#define STRATA_SERVER_HTTP_ROUTER_H_

#include <string>
#include <string_view>
#include <vector>

#include "server/http/http.h"

namespace strata::server {

class Router {
 public:
  // Registering the same method and pattern twice replaces the handler.
  void Handle(std::string_view method, std::string_view pattern,
              Handler handler);
  void Get(std::string_view pattern, Handler handler) {
    Handle("GET", pattern, std::move(handler));
  }
  void Post(std::string_view pattern, Handler handler) {
    Handle("POST", pattern, std::move(handler));
  }

  // Serves every route under `prefix` (Prometheus's --web.route-prefix,
  // e.g. "/prom"; "" or "/" for none): /prom/api/v1/query dispatches as
  // /api/v1/query, with request.path losing the prefix; "/" answers 302
  // to the prefix; any other path outside it is 404. Call before serving.
  void SetRoutePrefix(std::string_view prefix);

  // Runs the matching handler. `*route` receives the matched pattern (for
  // metrics labels; bounded cardinality), or "" when no route matched.
  Response Dispatch(Request& request, std::string* route) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };

  // Rank of how specifically `route` matches `path_segments`, or -1 if it
  // does not; higher is more specific.
  static int MatchRank(const Route& route,
                       const std::vector<std::string_view>& path_segments);
  static void Capture(const Route& route,
                      const std::vector<std::string_view>& path_segments,
                      Params* path_params);

  std::vector<Route> routes_;
  std::string prefix_;  // "" or "/prom": no trailing '/'.
};

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_ROUTER_H_
