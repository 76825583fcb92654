// ULID: the 128-bit, lexicographically sortable identifier Prometheus names
// its blocks with (github.com/oklog/ulid): a 48-bit big-endian Unix time in
// milliseconds followed by 80 random bits, printed as 26 characters of
// Crockford's base32 (0-9 A-Z without I, L, O, U), most significant first.
// The first character only carries 3 bits, so it is at most '7'.
//
// Thread-safety: Ulid is an immutable value. Ulid::Generate is safe to call
// concurrently.
#ifndef STRATA_UTIL_ULID_H_
#define STRATA_UTIL_ULID_H_

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata {

class Ulid {
 public:
  static constexpr size_t kBytes = 16;
  static constexpr size_t kStringLength = 26;
  // The largest time a ULID can hold: 2^48 - 1 ms after the epoch.
  static constexpr uint64_t kMaxTimeMs = (uint64_t{1} << 48) - 1;

  // The all-zero ULID ("00000000000000000000000000").
  Ulid() = default;
  explicit Ulid(const std::array<uint8_t, kBytes>& bytes) : bytes_(bytes) {}

  // A new ULID for `time_ms` (the current time if negative). IDs generated
  // by one process are strictly increasing, even within one millisecond
  // (the random part is then incremented, as oklog/ulid's monotonic
  // entropy does), so blocks written in sequence sort in creation order.
  static Ulid Generate(int64_t time_ms = -1);

  // Parses the 26-character form, case-insensitively, with Crockford's
  // aliases (I, L -> 1; O -> 0). InvalidArgument if malformed or overflowing.
  static StatusOr<Ulid> Parse(std::string_view text);
  // True if `text` parses.
  static bool IsValid(std::string_view text) { return Parse(text).ok(); }

  std::string ToString() const;
  uint64_t TimeMs() const;
  const std::array<uint8_t, kBytes>& bytes() const { return bytes_; }
  bool IsZero() const { return *this == Ulid(); }

  friend bool operator==(const Ulid&, const Ulid&) = default;
  friend auto operator<=>(const Ulid&, const Ulid&) = default;

 private:
  std::array<uint8_t, kBytes> bytes_{};
};

}  // namespace strata

#endif  // STRATA_UTIL_ULID_H_
