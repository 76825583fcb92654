// Text helpers for tests that build Prometheus HTTP API requests.
#ifndef STRATA_TESTS_URL_ENCODE_H_
#define STRATA_TESTS_URL_ENCODE_H_

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

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

}  // namespace strata::testing

#endif  // STRATA_TESTS_URL_ENCODE_H_
