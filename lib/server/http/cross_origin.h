// CrossOriginPolicy: which web pages of other origins may use the server
// (--web.cors.origin), for the API's CORS headers and for refusing
// cross-site requests to endpoints that change state.
//
// CORS, as Prometheus's httputil.SetCORS: when a request carries an Origin
// header, the response gets Access-Control-Allow-{Headers,Methods},
// Access-Control-Expose-Headers and Vary: Origin, plus
// Access-Control-Allow-Origin: "*" if the regex is ".*", else the origin
// itself when the regex (fully anchored) matches it. Prometheus's default
// regex is ".*" (every origin); Strata's default is none: no origin is
// allowed, so no Access-Control-Allow-Origin is ever sent.
//
// Cross-site refusal, as Go 1.25's net/http.CrossOriginProtection: a
// browser lets a page of any site send a "simple" request (a form POST)
// anywhere without asking first, so endpoints that change state refuse,
// with 403, any request other than GET, HEAD and OPTIONS that has
// Sec-Fetch-Site other than "same-origin" or "none", or, lacking
// Sec-Fetch-Site, an Origin whose host:port differs from the Host header;
// unless the regex allows that Origin. Clients other than browsers send
// neither header and are not affected.
//
// Thread-safety: immutable; copies are cheap (the compiled regex is
// shared).
#ifndef STRATA_SERVER_HTTP_CROSS_ORIGIN_H_
#define STRATA_SERVER_HTTP_CROSS_ORIGIN_H_

#include <optional>
#include <string_view>
#include <utility>

#include "server/http/http.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata::server {

class CrossOriginPolicy {
 public:
  // Allows no origin.
  CrossOriginPolicy() = default;

  // `origin_regex` as --web.cors.origin (RE2, fully anchored); "" allows
  // no origin. InvalidArgument if it does not compile.
  static StatusOr<CrossOriginPolicy> Create(std::string_view origin_regex);

  // Whether pages of `origin` (an Origin header's value) may use the API.
  bool AllowsOrigin(std::string_view origin) const;

  // Adds the CORS headers for `request` to `response` (nothing without an
  // Origin header).
  void SetCorsHeaders(const Request& request, Response* response) const;

  // The 403 refusal of a cross-site request, or nullopt to serve it.
  std::optional<Response> RefuseCrossSite(const Request& request) const;

  // `handler`, with cross-site requests refused.
  Handler Protect(Handler handler) const;

 private:
  explicit CrossOriginPolicy(Matcher origin) : origin_(std::move(origin)) {}

  // Unset: no origin allowed.
  std::optional<Matcher> origin_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_CROSS_ORIGIN_H_
