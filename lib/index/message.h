// Cat(): builds error messages from strings and integers. (absl::StrCat
// does not take std::string_view with Debian's Abseil, whose string_view is
// its own type.)
#ifndef STRATA_INDEX_MESSAGE_H_
#define STRATA_INDEX_MESSAGE_H_

#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace strata::index_internal {

inline void AppendPiece(std::string* out, std::string_view s) {
  out->append(s);
}
template <std::integral T>
requires(!std::is_same_v<T, char> &&
         !std::is_same_v<T, bool>) void AppendPiece(std::string* out, T v) {
  out->append(std::to_string(v));
}

template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (AppendPiece(&out, args), ...);
  return out;
}

}  // namespace strata::index_internal

#endif  // STRATA_INDEX_MESSAGE_H_
