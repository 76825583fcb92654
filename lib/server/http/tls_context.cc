#include "server/http/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "util/strings.h"

namespace strata::server {
namespace {

// Frees the context on every early return of Build.
struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

// The last OpenSSL error of this thread as text (and the queue cleared).
std::string OpenSslError(std::string_view what) {
  const unsigned long code = ERR_get_error();  // NOLINT(runtime/int)
  ERR_clear_error();
  if (code == 0) return std::string(what);
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return Cat(what, ": ", buf);
}

// Go's os.Open error for an unreadable file, "" if it can be read.
std::string OpenError(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return Cat("open ", path, ": no such file or directory");
    return Cat("open ", path, ": ", std::strerror(errno));
  }
  return "";
}

Status LoadKeyPair(SSL_CTX* ctx, const TlsServerConfig& config) {
  auto fail = [](std::string why) {
    return Status::InvalidArgument(
        Cat("failed to load X509KeyPair: ", std::move(why)));
  };
  for (const std::string* path : {&config.cert_file, &config.key_file}) {
    if (std::string err = OpenError(*path); !err.empty()) return fail(err);
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, config.cert_file.c_str()) != 1) {
    return fail(OpenSslError(Cat("no certificate in ", config.cert_file)));
  }
  constexpr std::string_view kMismatch =
      "tls: private key does not match public key";
  if (SSL_CTX_use_PrivateKey_file(ctx, config.key_file.c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return fail(std::string(kMismatch));
    }
    return fail(OpenSslError(Cat("no private key in ", config.key_file)));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return fail(std::string(kMismatch));
  }
  return Status::OK();
}

Status SetProtocol(SSL_CTX* ctx, const TlsServerConfig& config) {
  if (SSL_CTX_set_min_proto_version(ctx, config.min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, config.max_version) != 1) {
    return Status::InvalidArgument(OpenSslError("setting TLS versions"));
  }
  // Go's server never renegotiates.
  uint64_t options = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION;
  if (config.prefer_server_cipher_suites) {
    options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  }
  SSL_CTX_set_options(ctx, options);
  // TLS 1.3 suites are not configurable in Go either: only the TLS 1.2
  // ones in the list restrict anything.
  std::string ciphers;
  for (const std::string& name : config.cipher_suites) {
    for (const CipherSuiteName& suite : GoCipherSuites()) {
      if (suite.go_name != name || suite.openssl_name.empty()) continue;
      CatTo(&ciphers, ciphers.empty() ? "" : ":", suite.openssl_name);
    }
  }
  if (!ciphers.empty() && SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) != 1) {
    return Status::InvalidArgument(
        OpenSslError(Cat("cipher_suites not supported by OpenSSL")));
  }
  std::string groups;
  for (const std::string& curve : config.curve_preferences) {
    CatTo(&groups, groups.empty() ? "" : ":", OpenSslGroupName(curve));
  }
  if (!groups.empty() && SSL_CTX_set1_groups_list(ctx, groups.c_str()) != 1) {
    return Status::InvalidArgument(
        OpenSslError("curve_preferences not supported by OpenSSL"));
  }
  return Status::OK();
}

// Accepts any certificate: the modes that ask for one without verifying.
int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) {
  return 1;
}

Status SetClientAuth(SSL_CTX* ctx, const TlsServerConfig& config) {
  if (!config.client_ca_file.empty()) {
    const std::string& file = config.client_ca_file;
    if (std::string err = OpenError(file); !err.empty()) {
      return Status::InvalidArgument(err);
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(file.c_str());
    if (names == nullptr ||
        SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr) != 1) {
      if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
      return Status::InvalidArgument(
          OpenSslError(Cat("no CA certificate in ", file)));
    }
    SSL_CTX_set_client_CA_list(ctx, names);  // Takes ownership.
  }
  const std::string& type = config.client_auth_type;
  int mode = SSL_VERIFY_NONE;
  bool verify = false;
  if (type == "RequestClientCert") {
    mode = SSL_VERIFY_PEER;
  } else if (type == "RequireAnyClientCert" || type == "RequireClientCert") {
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  } else if (type == "VerifyClientCertIfGiven") {
    mode = SSL_VERIFY_PEER;
    verify = true;
  } else if (type == "RequireAndVerifyClientCert") {
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    verify = true;
  } else if (!type.empty() && type != "NoClientCert") {
    return Status::InvalidArgument(Cat("Invalid ClientAuth: ", type));
  }
  if (!config.client_ca_file.empty() && mode == SSL_VERIFY_NONE) {
    return Status::InvalidArgument(
        "Client CA's have been configured without a Client Auth Policy");
  }
  SSL_CTX_set_verify(ctx, mode, verify ? nullptr : AcceptAnyCertificate);
  if (verify) {
    // Go's x509 VerifyOptions for client certificates: ExtKeyUsageClientAuth;
    // without client_ca_file, the system roots.
    SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
    if (config.client_ca_file.empty()) SSL_CTX_set_default_verify_paths(ctx);
  }
  // Resumed sessions must come from this context (required by OpenSSL
  // whenever peers are verified).
  static constexpr unsigned char kSessionContext[] = "strata-server";
  SSL_CTX_set_session_id_context(ctx, kSessionContext,
                                 sizeof(kSessionContext) - 1);
  return Status::OK();
}

}  // namespace

bool LooksLikeHttp(std::string_view record_header) {
  for (std::string_view start : {"GET /", "HEAD ", "POST ", "PUT /", "OPTIO"}) {
    if (record_header == start) return true;
  }
  return false;
}

StatusOr<std::shared_ptr<const TlsContext>> TlsContext::Build(
    const TlsServerConfig& config) {
  if (config.cert_file.empty()) {
    return Status::InvalidArgument("missing cert_file");
  }
  if (config.key_file.empty()) {
    return Status::InvalidArgument("missing key_file");
  }
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (ctx == nullptr) {
    return Status::Internal(OpenSslError("creating the TLS context"));
  }
  STRATA_RETURN_IF_ERROR(LoadKeyPair(ctx.get(), config));
  STRATA_RETURN_IF_ERROR(SetProtocol(ctx.get(), config));
  STRATA_RETURN_IF_ERROR(SetClientAuth(ctx.get(), config));
  return std::shared_ptr<const TlsContext>(new TlsContext(ctx.release()));
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace strata::server
