// The Authorization header Go's Request.SetBasicAuth writes: "Basic " and
// the standard padded base64 of "user:password". For the web config tests
// and fuzz/targets/web_config_fuzzer.cc (link OpenSSL::Crypto).
#ifndef STRATA_TESTS_BASIC_AUTHORIZATION_H_
#define STRATA_TESTS_BASIC_AUTHORIZATION_H_

#include <openssl/evp.h>

#include <string>

namespace strata::testing {

inline std::string BasicAuthorization(const std::string& user,
                                      const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                      reinterpret_cast<const unsigned char*>(plain.data()),
                      static_cast<int>(plain.size()));
  encoded.resize(static_cast<size_t>(n));
  return "Basic " + encoded;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_BASIC_AUTHORIZATION_H_
