// bcrypt password hashes as basic_auth_users holds them: the format check
// Go's golang.org/x/crypto/bcrypt.Cost makes (exporter-toolkit validates
// every hash with it at startup), and verification with the system's
// libcrypt (libxcrypt: $2a$, $2b$, $2y$).
//
// Thread-safety: pure functions; BcryptMatches uses crypt_rn with its own
// scratch, so concurrent calls are safe.
#ifndef STRATA_SERVER_HTTP_BCRYPT_H_
#define STRATA_SERVER_HTTP_BCRYPT_H_

#include <string_view>

#include "strata/status.h"

namespace strata::server {

// The cost of `hash`, or Go's error ("crypto/bcrypt: hashedSecret too short
// to be a bcrypted password", "crypto/bcrypt: bcrypt hashes must start with
// '$', but hashedSecret started with 'x'", "crypto/bcrypt: cost 3 is
// outside allowed range (4,31)", ...).
StatusOr<int> BcryptCost(std::string_view hash);

// True if `password` hashes to `hash`; false for a malformed hash or a
// password libcrypt cannot take (one with a NUL byte). The final comparison
// takes the same time wherever the hashes differ.
bool BcryptMatches(std::string_view hash, std::string_view password);

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_BCRYPT_H_
