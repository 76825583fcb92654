#include "server/http/cross_origin.h"

#include <string>
#include <utility>

namespace strata::server {
namespace {

// The regex Prometheus answers with "Access-Control-Allow-Origin: *".
constexpr std::string_view kAnyOrigin = ".*";

// Go's messages (net/http.CrossOriginProtection).
constexpr std::string_view kCrossSiteFetch =
    "cross-origin request detected from Sec-Fetch-Site header";
constexpr std::string_view kCrossSiteOrigin =
    "cross-origin request detected, and/or browser is out of date: "
    "Sec-Fetch-Site is missing, and Origin does not match Host";

// The host[:port] of an origin ("https://h:9090" gives "h:9090"), or ""
// for "null" and anything without a scheme.
std::string_view OriginHost(std::string_view origin) {
  const size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return "";
  std::string_view host = origin.substr(scheme_end + 3);
  return host.substr(0, host.find('/'));
}

bool IsSafeMethod(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

}  // namespace

StatusOr<CrossOriginPolicy> CrossOriginPolicy::Create(
    std::string_view origin_regex) {
  if (origin_regex.empty()) return CrossOriginPolicy();
  StatusOr<Matcher> matcher =
      Matcher::Create(Matcher::Type::kRegexMatch, "origin", origin_regex);
  if (!matcher.ok()) return matcher.status();
  return CrossOriginPolicy(*std::move(matcher));
}

bool CrossOriginPolicy::AllowsOrigin(std::string_view origin) const {
  return origin_.has_value() && origin_->Matches(origin);
}

void CrossOriginPolicy::SetCorsHeaders(const Request& request,
                                       Response* response) const {
  const std::string_view origin = request.headers.Get("Origin");
  if (origin.empty()) return;
  response->headers.Set("Access-Control-Allow-Headers",
                        "Accept, Authorization, Content-Type, Origin");
  response->headers.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  response->headers.Set("Access-Control-Expose-Headers", "Date");
  response->headers.Set("Vary", "Origin");
  if (!origin_.has_value()) return;
  if (origin_->value() == kAnyOrigin) {
    response->headers.Set("Access-Control-Allow-Origin", "*");
  } else if (origin_->Matches(origin)) {
    response->headers.Set("Access-Control-Allow-Origin", std::string(origin));
  }
}

std::optional<Response> CrossOriginPolicy::RefuseCrossSite(
    const Request& request) const {
  if (IsSafeMethod(request.method)) return std::nullopt;
  const std::string_view origin = request.headers.Get("Origin");
  const std::string_view fetch_site = request.headers.Get("Sec-Fetch-Site");
  std::string_view refusal;
  if (!fetch_site.empty()) {
    if (fetch_site == "same-origin" || fetch_site == "none") {
      return std::nullopt;
    }
    refusal = kCrossSiteFetch;
  } else {
    if (origin.empty() || OriginHost(origin) == request.headers.Get("Host")) {
      return std::nullopt;
    }
    refusal = kCrossSiteOrigin;
  }
  if (!origin.empty() && AllowsOrigin(origin)) return std::nullopt;
  return Response::Text(kHttpForbidden, std::string(refusal) + "\n");
}

Handler CrossOriginPolicy::Protect(Handler handler) const {
  return [policy = *this, handler = std::move(handler)](Request& request) {
    if (std::optional<Response> refusal = policy.RefuseCrossSite(request)) {
      return *std::move(refusal);
    }
    return handler(request);
  };
}

}  // namespace strata::server
