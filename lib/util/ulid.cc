#include "util/ulid.h"

#include <chrono>
#include <random>

#include "absl/base/thread_annotations.h"
#include "util/mutex.h"

namespace strata {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr int kBitsPerChar = 5;
// 26 characters carry 130 bits; the first one holds only the top 3 bits.
constexpr int kEncodedBits = Ulid::kStringLength * kBitsPerChar;
constexpr int kTimeBytes = 6;

using U128 = unsigned __int128;

U128 ToInt(const std::array<uint8_t, Ulid::kBytes>& b) {
  U128 v = 0;
  for (uint8_t byte : b) v = (v << 8) | byte;
  return v;
}

std::array<uint8_t, Ulid::kBytes> FromInt(U128 v) {
  std::array<uint8_t, Ulid::kBytes> b;
  for (int i = Ulid::kBytes - 1; i >= 0; --i) {
    b[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
  return b;
}

// -1 for characters outside the alphabet.
int DecodeChar(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  switch (c) {
    case 'I':
    case 'L':
      return 1;
    case 'O':
      return 0;
    default:
      break;
  }
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Process-wide source of monotonic ULIDs.
class Generator {
 public:
  Ulid Next(int64_t time_ms) {
    MutexLock lock(&mu_);
    uint64_t t = static_cast<uint64_t>(time_ms) & Ulid::kMaxTimeMs;
    const uint64_t last_t = static_cast<uint64_t>(last_ >> 80);
    U128 v;
    if (have_last_ && t <= last_t) {
      // Same millisecond (or the clock stepped back): stay after the last
      // ID. Incrementing carries into the time bits on overflow, which
      // keeps the order.
      v = last_ + 1;
    } else {
      const U128 random =
          (U128{rng_() & 0xffff} << 64) | static_cast<U128>(rng_());
      v = (U128{t} << 80) | random;
    }
    last_ = v;
    have_last_ = true;
    return Ulid(FromInt(v));
  }

 private:
  Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_){std::random_device{}()};
  U128 last_ ABSL_GUARDED_BY(mu_) = 0;
  bool have_last_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

Ulid Ulid::Generate(int64_t time_ms) {
  static Generator* const generator = new Generator();
  return generator->Next(time_ms < 0 ? NowMs() : time_ms);
}

StatusOr<Ulid> Ulid::Parse(std::string_view text) {
  if (text.size() != kStringLength) {
    return Status::InvalidArgument("ULID must have 26 characters");
  }
  U128 v = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int d = DecodeChar(text[i]);
    if (d < 0) return Status::InvalidArgument("invalid character in ULID");
    if (i == 0 && d > 7) return Status::InvalidArgument("ULID overflows");
    v = (v << kBitsPerChar) | static_cast<U128>(d);
  }
  return Ulid(FromInt(v));
}

std::string Ulid::ToString() const {
  const U128 v = ToInt(bytes_);
  std::string out(kStringLength, '0');
  for (size_t i = 0; i < kStringLength; ++i) {
    const int shift = kEncodedBits - kBitsPerChar * static_cast<int>(i + 1);
    out[i] = kAlphabet[static_cast<int>((v >> shift) & 31)];
  }
  return out;
}

uint64_t Ulid::TimeMs() const {
  uint64_t t = 0;
  for (int i = 0; i < kTimeBytes; ++i) t = (t << 8) | bytes_[i];
  return t;
}

}  // namespace strata
