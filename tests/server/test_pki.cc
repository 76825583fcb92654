#include "test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

namespace strata::server::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

constexpr long kValidSeconds = 24 * 3600;  // NOLINT(runtime/int)

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for `key` named `cn`, signed by `issuer_key` (and issued by
// `issuer`, or self-signed when null), with the given extensions.
Cert MakeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
              int serial,
              std::initializer_list<std::pair<int, const char*>> extensions) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidSeconds);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1,
                             0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  for (const auto& [nid, value] : extensions) {
    if (!AddExtension(cert.get(), signer, nid, value)) return nullptr;
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

bool WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok = cert != nullptr
                      ? PEM_write_X509(f, cert) == 1
                      : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0,
                                             nullptr, nullptr) == 1;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

StatusOr<TestPki> WriteTestPki(const std::string& dir) {
  Key ca_key(EVP_EC_gen("P-256"));
  Key other_key(EVP_EC_gen("P-256"));
  Key server_key(EVP_EC_gen("P-256"));
  Key client_key(EVP_EC_gen("P-256"));
  if (!ca_key || !other_key || !server_key || !client_key) {
    return Status::Internal("generating keys");
  }
  const auto ca_extensions = {
      std::pair<int, const char*>{NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,keyCertSign,cRLSign"}};
  Cert ca = MakeCert(ca_key.get(), "strata-test-ca", nullptr, ca_key.get(), 1,
                     ca_extensions);
  Cert other = MakeCert(other_key.get(), "strata-other-ca", nullptr,
                        other_key.get(), 2, ca_extensions);
  Cert server =
      MakeCert(server_key.get(), "localhost", ca.get(), ca_key.get(), 3,
               {{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                {NID_ext_key_usage, "serverAuth"}});
  Cert client = MakeCert(client_key.get(), "strata-test-client", ca.get(),
                         ca_key.get(), 4, {{NID_ext_key_usage, "clientAuth"}});
  if (!ca || !other || !server || !client) {
    return Status::Internal("making certificates");
  }
  TestPki pki{dir + "/ca.crt",     dir + "/server.crt", dir + "/server.key",
              dir + "/client.crt", dir + "/client.key", dir + "/other-ca.crt"};
  const bool ok = WritePem(pki.ca_cert, ca.get(), nullptr) &&
                  WritePem(pki.other_ca_cert, other.get(), nullptr) &&
                  WritePem(pki.server_cert, server.get(), nullptr) &&
                  WritePem(pki.server_key, nullptr, server_key.get()) &&
                  WritePem(pki.client_cert, client.get(), nullptr) &&
                  WritePem(pki.client_key, nullptr, client_key.get());
  if (!ok) return Status::IOError("writing PEM files in " + dir);
  return pki;
}

}  // namespace strata::server::testing
