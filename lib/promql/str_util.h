// String concatenation for this module. Debian's Abseil is built with its
// own absl::string_view, so absl::StrCat does not accept std::string_view;
// these helpers do.
//
// Thread-safety: pure functions.
#ifndef STRATA_PROMQL_STR_UTIL_H_
#define STRATA_PROMQL_STR_UTIL_H_

#include <concepts>
#include <string>
#include <string_view>

namespace strata::promql {

namespace internal {
inline void AppendPiece(std::string* out, std::string_view s) {
  out->append(s);
}
inline void AppendPiece(std::string* out, char c) { out->push_back(c); }
template <std::integral T>
requires(!std::same_as<T, char> &&
         !std::same_as<T, bool>) void AppendPiece(std::string* out, T v) {
  out->append(std::to_string(v));
}
}  // namespace internal

template <typename... Args>
void Append(std::string* out, const Args&... args) {
  (internal::AppendPiece(out, args), ...);
}

template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  Append(&out, args...);
  return out;
}

}  // namespace strata::promql

#endif  // STRATA_PROMQL_STR_UTIL_H_
