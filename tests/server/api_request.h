// Requests for the API handlers as the server hands them over: the query
// string already decoded into params (what DecodeRequestTarget does for a
// GET, or a POST without a form body).
#ifndef STRATA_TESTS_SERVER_API_REQUEST_H_
#define STRATA_TESTS_SERVER_API_REQUEST_H_

#include <string>

#include "server/http/http.h"
#include "server/http/url_params.h"

namespace strata::server::testing {

// `method` to `path` with the query string `query` ("a=1&b=2", undecoded).
inline Request ApiRequest(const std::string& method, const std::string& path,
                          const std::string& query = "") {
  Request r;
  r.method = method;
  r.path = path;
  r.target = query.empty() ? path : path + "?" + query;
  r.raw_query = query;
  r.params_status = ParseQueryString(query, &r.params);
  return r;
}

inline Request Get(const std::string& path, const std::string& query = "") {
  return ApiRequest("GET", path, query);
}

inline Request Post(const std::string& path, const std::string& query = "") {
  return ApiRequest("POST", path, query);
}

}  // namespace strata::server::testing

#endif  // STRATA_TESTS_SERVER_API_REQUEST_H_
