#include "server/http/router.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_join.h"

namespace strata::server {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::vector<std::string_view> segments;
  if (path.empty()) return segments;
  while (true) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// Specificity weights: per segment, exact beats a parameter beats a
// catch-all. Paths are short, so a base of 4 per position is plenty.
constexpr int kExact = 3;
constexpr int kParam = 2;
constexpr int kCatchAll = 1;

}  // namespace

void Router::Handle(std::string_view method, std::string_view pattern,
                    Handler handler) {
  for (Route& route : routes_) {
    if (route.method == method && route.pattern == pattern) {
      route.handler = std::move(handler);
      return;
    }
  }
  Route route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  for (std::string_view segment : SplitPath(pattern)) {
    route.segments.emplace_back(segment);
  }
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

int Router::MatchRank(const Route& route,
                      const std::vector<std::string_view>& path_segments) {
  int rank = 0;
  const size_t n = route.segments.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string& segment = route.segments[i];
    if (!segment.empty() && segment[0] == '*' && i + 1 == n) {
      return (rank * 4 + kCatchAll) * 4;
    }
    if (i >= path_segments.size()) return -1;
    if (!segment.empty() && segment[0] == ':') {
      if (path_segments[i].empty()) return -1;
      rank = rank * 4 + kParam;
    } else if (segment == path_segments[i]) {
      rank = rank * 4 + kExact;
    } else {
      return -1;
    }
  }
  if (path_segments.size() != n) return -1;
  return rank * 4 + kExact;
}

void Router::Capture(const Route& route,
                     const std::vector<std::string_view>& path_segments,
                     Params* path_params) {
  const size_t n = route.segments.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string& segment = route.segments[i];
    if (segment.empty()) continue;
    if (segment[0] == ':') {
      path_params->Add(segment.substr(1), std::string(path_segments[i]));
    } else if (segment[0] == '*' && i + 1 == n) {
      std::string rest;
      for (size_t j = i; j < path_segments.size(); ++j) {
        if (j > i) rest.push_back('/');
        rest.append(path_segments[j]);
      }
      path_params->Add(segment.substr(1), std::move(rest));
    }
  }
}

void Router::SetRoutePrefix(std::string_view prefix) {
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  prefix_ = prefix.empty() || prefix.starts_with('/')
                ? std::string(prefix)
                : "/" + std::string(prefix);
}

Response Router::Dispatch(Request& request, std::string* route_name) const {
  route_name->clear();
  if (!prefix_.empty()) {
    if (request.path == "/") {
      Response response;
      response.status = kHttpFound;
      response.headers.Set("Location", prefix_);
      return response;
    }
    const std::string_view path = request.path;
    const bool under =
        path.starts_with(prefix_) &&
        (path.size() == prefix_.size() || path[prefix_.size()] == '/');
    if (!under) return NotFoundResponse();
    request.path = path.size() == prefix_.size()
                       ? std::string("/")
                       : std::string(path.substr(prefix_.size()));
  }
  const std::vector<std::string_view> segments = SplitPath(request.path);
  const std::string_view method =
      request.method == "HEAD" ? std::string_view("GET") : request.method;

  const Route* best = nullptr;
  int best_rank = -1;
  std::vector<std::string> allowed;
  // The best-matching pattern decides which methods the path allows.
  int best_any_rank = -1;
  for (const Route& route : routes_) {
    const int rank = MatchRank(route, segments);
    if (rank < 0) continue;
    if (rank > best_any_rank) {
      best_any_rank = rank;
      allowed.clear();
    }
    if (rank == best_any_rank) allowed.push_back(route.method);
    if (route.method == method && rank > best_rank) {
      best = &route;
      best_rank = rank;
    }
  }
  if (best != nullptr) {
    *route_name = best->pattern;
    Capture(*best, segments, &request.path_params);
    return best->handler(request);
  }
  if (allowed.empty()) return NotFoundResponse();

  if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) {
    allowed.push_back("HEAD");
  }
  allowed.push_back("OPTIONS");
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  const std::string allow = absl::StrJoin(allowed, ", ");
  if (request.method == "OPTIONS") {
    Response response = Response::Text(kHttpOk, "");
    response.headers.Set("Allow", allow);
    return response;
  }
  Response response =
      Response::Text(kHttpMethodNotAllowed, "Method Not Allowed\n");
  response.headers.Set("Allow", allow);
  return response;
}

}  // namespace strata::server
