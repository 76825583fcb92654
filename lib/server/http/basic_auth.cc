#include "server/http/basic_auth.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "server/http/bcrypt.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// exporter-toolkit's stand-in for an unknown user: bcrypt of
// "fakepassword", so that its check costs what a real one costs.
constexpr std::string_view kFakeHash =
    "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Go's base64.StdEncoding.DecodeString: padded, strict (CR and LF are
// skipped, as Go does).
std::optional<std::string> Base64Decode(std::string_view in) {
  std::string text;
  for (char c : in) {
    if (c != '\r' && c != '\n') text.push_back(c);
  }
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const int pad = !last                ? 0
                    : text[i + 3] != '=' ? 0
                    : text[i + 2] != '=' ? 1
                                         : 2;
    uint32_t bits = 0;
    for (int k = 0; k < 4; ++k) {
      const int v = k >= 4 - pad ? 0 : Base64Value(text[i + k]);
      if (v < 0) return std::nullopt;
      bits = bits << 6 | static_cast<uint32_t>(v);
    }
    // Bits under the padding are ignored, as in Go's non-strict mode.
    out.push_back(static_cast<char>(bits >> 16));
    if (pad < 2) out.push_back(static_cast<char>(bits >> 8 & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(bits & 0xff));
  }
  return out;
}

// SHA-256 over the length-prefixed fields: no field's bytes can shift into
// another's.
std::string CacheKey(std::string_view user, std::string_view hash,
                     std::string_view password) {
  std::string data;
  for (std::string_view field : {user, hash, password}) {
    CatTo(&data, field.size(), ":", field);
  }
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         digest.data());
  return std::string(reinterpret_cast<const char*>(digest.data()),
                     digest.size());
}

}  // namespace

std::optional<BasicCredentials> ParseBasicAuthorization(
    std::string_view authorization) {
  constexpr std::string_view kPrefix = "Basic ";
  if (authorization.size() < kPrefix.size() ||
      !EqualsIgnoreCase(authorization.substr(0, kPrefix.size()), kPrefix)) {
    return std::nullopt;
  }
  std::optional<std::string> decoded =
      Base64Decode(authorization.substr(kPrefix.size()));
  if (!decoded) return std::nullopt;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon),
                          decoded->substr(colon + 1)};
}

bool BasicAuthenticator::Authenticate(
    const std::map<std::string, std::string>& users,
    std::string_view authorization) {
  std::optional<BasicCredentials> credentials =
      ParseBasicAuthorization(authorization);
  if (!credentials) return false;
  const auto it = users.find(credentials->user);
  const bool known_user = it != users.end();
  const std::string_view hash = known_user ? it->second : kFakeHash;
  std::string key = CacheKey(credentials->user, hash, credentials->password);
  std::optional<bool> ok = Cached(key);
  if (!ok) {
    {
      MutexLock lock(&bcrypt_mu_);
      ok = BcryptMatches(hash, credentials->password);
    }
    *ok = *ok && known_user;
    Remember(std::move(key), *ok);
  }
  return *ok && known_user;
}

std::optional<bool> BasicAuthenticator::Cached(const std::string& key) const {
  MutexLock lock(&cache_mu_);
  const auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

void BasicAuthenticator::Remember(std::string key, bool ok) {
  MutexLock lock(&cache_mu_);
  if (cache_.size() >= kCacheEntries) {
    // exporter-toolkit's makeRoom: drop a tenth (plus one) at random. Keys
    // are digests, so the table's order is as good as random.
    const size_t drop = std::max<size_t>(1, cache_.size() / 10) + 1;
    for (size_t i = 0; i < drop && !cache_.empty(); ++i) {
      cache_.erase(cache_.begin());
    }
  }
  cache_[std::move(key)] = ok;
}

size_t BasicAuthenticator::cached_entries() const {
  MutexLock lock(&cache_mu_);
  return cache_.size();
}

}  // namespace strata::server
