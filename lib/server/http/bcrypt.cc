#include "server/http/bcrypt.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <memory>
#include <string>

#include "util/strings.h"

namespace strata::server {
namespace {

// golang.org/x/crypto/bcrypt's constants.
constexpr size_t kMinHashSize = 59;
constexpr char kMajorVersion = '2';
constexpr int kMinCost = 4;
constexpr int kMaxCost = 31;

std::string Quoted(char c) { return Cat("'", c, "'"); }

}  // namespace

StatusOr<int> BcryptCost(std::string_view hash) {
  if (hash.size() < kMinHashSize) {
    return Status::InvalidArgument(
        "crypto/bcrypt: hashedSecret too short to be a bcrypted password");
  }
  if (hash[0] != '$') {
    return Status::InvalidArgument(
        Cat("crypto/bcrypt: bcrypt hashes must start with '$', but "
            "hashedSecret started with ",
            Quoted(hash[0])));
  }
  if (hash[1] > kMajorVersion) {
    return Status::InvalidArgument(Cat(
        "crypto/bcrypt: bcrypt algorithm version ", Quoted(hash[1]),
        " requested is newer than current version ", Quoted(kMajorVersion)));
  }
  // "$2$" has no minor version, "$2a$" one letter.
  const size_t cost_at = hash[2] != '$' ? 4 : 3;
  const std::string_view cost_text = hash.substr(cost_at, 2);
  // strconv.Atoi: an optional sign, then at least one digit (absl::SimpleAtoi
  // would also take surrounding spaces, which Go refuses).
  std::string_view digits = cost_text;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    digits.remove_prefix(1);
  }
  const bool all_digits =
      !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
        return c >= '0' && c <= '9';
      });
  if (!all_digits) {
    return Status::InvalidArgument(
        Cat("strconv.Atoi: parsing ", GoQuoted(cost_text), ": invalid syntax"));
  }
  int cost = 0;  // at most two digits: no overflow
  for (char c : digits) cost = cost * 10 + (c - '0');
  if (negative) cost = -cost;
  if (cost < kMinCost || cost > kMaxCost) {
    return Status::InvalidArgument(Cat("crypto/bcrypt: cost ", cost,
                                       " is outside allowed range (", kMinCost,
                                       ",", kMaxCost, ")"));
  }
  return cost;
}

bool BcryptMatches(std::string_view hash, std::string_view password) {
  if (password.find('\0') != std::string_view::npos ||
      hash.find('\0') != std::string_view::npos || !BcryptCost(hash).ok()) {
    return false;
  }
  const std::string setting(hash);
  const std::string phrase(password);
  // crypt_data is about 32 KiB: on the heap, not the handler's stack.
  auto scratch = std::make_unique<crypt_data>();
  const char* computed = crypt_rn(phrase.c_str(), setting.c_str(),
                                  scratch.get(), sizeof(crypt_data));
  if (computed == nullptr) return false;
  const std::string_view got(computed);
  // The lengths are those of a bcrypt hash (60) on both sides unless the
  // hash is malformed; CRYPTO_memcmp compares in constant time.
  return got.size() == hash.size() &&
         CRYPTO_memcmp(got.data(), hash.data(), hash.size()) == 0;
}

}  // namespace strata::server
