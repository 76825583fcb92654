// BasicAuthenticator: exporter-toolkit's basic_auth_users check
// (web/handler.go): the Authorization header's user and password against
// the bcrypt hashes, with its defences and its cache:
//  - an unknown user is checked against a fixed hash, so timing does not
//    tell which users exist;
//  - one bcrypt runs at a time (bcrypt is CPU-bound by design; a burst of
//    wrong passwords must not take every core);
//  - outcomes (success and failure) are cached by (user, hash, password)
//    for the next requests, at most 100 entries with random eviction. The
//    key is a SHA-256 digest, so the cache holds no password.
//
// Thread-safety: Authenticate may be called from any thread.
#ifndef STRATA_SERVER_HTTP_BASIC_AUTH_H_
#define STRATA_SERVER_HTTP_BASIC_AUTH_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "util/mutex.h"

namespace strata::server {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// Go's Request.BasicAuth: "Basic " (any case) and standard base64 (padded)
// of "user:password"; nullopt if the header is anything else.
std::optional<BasicCredentials> ParseBasicAuthorization(
    std::string_view authorization);

class BasicAuthenticator {
 public:
  // exporter-toolkit's cacheSize.
  static constexpr size_t kCacheEntries = 100;

  // True if `authorization` names a user of `users` with its password.
  bool Authenticate(const std::map<std::string, std::string>& users,
                    std::string_view authorization);

  size_t cached_entries() const;

 private:
  std::optional<bool> Cached(const std::string& key) const;
  void Remember(std::string key, bool ok);

  mutable Mutex cache_mu_;
  absl::flat_hash_map<std::string, bool> cache_ ABSL_GUARDED_BY(cache_mu_);
  // Held around each bcrypt verification.
  Mutex bcrypt_mu_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_BASIC_AUTH_H_
