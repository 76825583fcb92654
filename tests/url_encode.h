// Text helpers for tests that build Prometheus HTTP API requests.
#ifndef STRATA_TESTS_URL_ENCODE_H_
#define STRATA_TESTS_URL_ENCODE_H_

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::testing {

// Percent-encodes everything but RFC 3986's unreserved characters.
inline std::string UrlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// Milliseconds (>= 0) as the API's decimal seconds, "1795620464.632".
inline std::string MillisAsSeconds(int64_t ms) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%lld.%03lld",
                static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

// `path` with `params` as its query string, names and values URL-encoded:
// "/api/v1/query?query=up&time=1795620464.632".
inline std::string ApiTarget(
    const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& params) {
  std::string target = path;
  for (size_t i = 0; i < params.size(); ++i) {
    target += (i == 0 ? "?" : "&") + UrlEncode(params[i].first) + "=" +
              UrlEncode(params[i].second);
  }
  return target;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_URL_ENCODE_H_
