// A throwaway PKI for the TLS tests, made in-process with OpenSSL: a CA, a
// server certificate for localhost and 127.0.0.1, and a client certificate
// (extended key usage clientAuth), each signed by the CA, plus a second CA
// that signed nothing. P-256 keys, valid for a day, PEM files in `dir`.
#ifndef STRATA_TESTS_SERVER_TEST_PKI_H_
#define STRATA_TESTS_SERVER_TEST_PKI_H_

#include <string>

#include "strata/status.h"

namespace strata::server::testing {

struct TestPki {
  std::string ca_cert;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
  std::string other_ca_cert;  // Signed neither certificate.
};

StatusOr<TestPki> WriteTestPki(const std::string& dir);

}  // namespace strata::server::testing

#endif  // STRATA_TESTS_SERVER_TEST_PKI_H_
