// Cat(): string concatenation over std::string_view and numbers; and
// TrimSpace().
//
// Debian's Abseil is built with its own absl::string_view, so absl::StrCat
// does not take std::string_view; the handlers build their messages with
// this instead.
//
// Thread-safety: pure functions.
#ifndef STRATA_SERVER_HTTP_STR_JOIN_H_
#define STRATA_SERVER_HTTP_STR_JOIN_H_

#include <concepts>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace strata::server {
namespace internal_cat {

inline void Append(std::string* out, std::string_view s) { out->append(s); }
inline void Append(std::string* out, char c) { out->push_back(c); }
template <typename T>
requires(std::integral<T> || std::floating_point<T>) &&
    (!std::same_as<T, char>)&&(!std::same_as<T, bool>)void Append(
        std::string* out, T v) {
  absl::StrAppend(out, v);
}

}  // namespace internal_cat

// `s` without leading and trailing ASCII spaces and tabs.
inline std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (internal_cat::Append(&out, parts), ...);
  return out;
}

template <typename... Parts>
void CatTo(std::string* out, const Parts&... parts) {
  (internal_cat::Append(out, parts), ...);
}

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_STR_JOIN_H_
