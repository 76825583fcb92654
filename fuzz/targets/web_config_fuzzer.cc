// The --web.config.file parser (server/http/web_config.h: YAML through
// yaml-cpp and goyaml, cipher suite, curve and TLS version names, allowed
// headers, bcrypt hash checks) and the two other parsers basic auth puts in
// front of a request: the Authorization header (ParseBasicAuthorization)
// and bcrypt's hash format (BcryptCost). Every input goes to all three.
// Invariants:
//  - a configuration that parses has only hashes BcryptCost accepts, and
//    its TLS file paths are joined with the (absolute) directory;
//  - credentials that parse have no ':' in the user, and encoded again as
//    Go's SetBasicAuth does they parse to the same user and password;
//  - a cost that parses lies in bcrypt's range (4..31).
// bcrypt itself (BcryptMatches) is not run: one verification costs
// milliseconds by design, and it is libcrypt's code.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "basic_authorization.h"
#include "fuzz_check.h"
#include "server/http/basic_auth.h"
#include "server/http/bcrypt.h"
#include "server/http/web_config.h"

namespace {

constexpr std::string_view kDir = "/etc/strata";

// A path as ParseWebConfig leaves it: empty, or made absolute by kDir.
bool JoinedPath(const std::string& path) {
  return path.empty() || path.starts_with('/');
}

void CheckWebConfig(std::string_view yaml) {
  auto config = strata::server::ParseWebConfig(yaml, kDir);
  if (!config.ok()) return;
  for (const auto& [user, hash] : config->basic_auth_users) {
    FUZZ_CHECK(strata::server::BcryptCost(hash).ok(),
               "accepted a malformed bcrypt hash for " + user + ": " + hash);
  }
  const strata::server::TlsServerConfig& tls = config->tls;
  for (const std::string* path :
       {&tls.cert_file, &tls.key_file, &tls.client_ca_file}) {
    FUZZ_CHECK(JoinedPath(*path), "TLS path not joined with the dir: " + *path);
  }
}

void CheckAuthorization(std::string_view header) {
  auto credentials = strata::server::ParseBasicAuthorization(header);
  if (!credentials) return;
  FUZZ_CHECK(credentials->user.find(':') == std::string::npos,
             "user with a colon: " + credentials->user);
  const std::string encoded = strata::testing::BasicAuthorization(
      credentials->user, credentials->password);
  auto again = strata::server::ParseBasicAuthorization(encoded);
  FUZZ_CHECK(again.has_value(),
             "re-encoded credentials do not parse: " + encoded);
  FUZZ_CHECK(again->user == credentials->user &&
                 again->password == credentials->password,
             "credentials do not round-trip: " + encoded);
}

void CheckBcryptCost(std::string_view hash) {
  auto cost = strata::server::BcryptCost(hash);
  if (!cost.ok()) return;
  FUZZ_CHECK(*cost >= 4 && *cost <= 31,
             "cost outside bcrypt's range: " + std::to_string(*cost));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckWebConfig(text);
  CheckAuthorization(text);
  CheckBcryptCost(text);
  return 0;
}
