// TlsContext: an OpenSSL server context built from a web configuration's
// tls_server_config, with exporter-toolkit's checks and messages
// (ConfigToTLSConfig): "missing cert_file", "missing key_file", "failed to
// load X509KeyPair: ...", "Invalid ClientAuth: X", "Client CA's have been
// configured without a Client Auth Policy".
//
// client_auth_type maps onto OpenSSL's verify modes as Go's tls.ClientAuth:
//   NoClientCert                no certificate asked for
//   RequestClientCert           asked for, not required, not verified
//   RequireAnyClientCert        required, not verified (also the old
//                               spelling RequireClientCert)
//   VerifyClientCertIfGiven     verified against client_ca_file if sent
//   RequireAndVerifyClientCert  required and verified
// A verified client certificate must be valid for client authentication
// (extended key usage), as Go requires.
//
// OpenSSL's types stay in tls_context.cc and http_server.cc: the header
// only names the context's opaque struct.
//
// Thread-safety: immutable once built; OpenSSL contexts may be shared by
// connections on any thread.
#ifndef STRATA_SERVER_HTTP_TLS_CONTEXT_H_
#define STRATA_SERVER_HTTP_TLS_CONTEXT_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "server/http/web_config.h"
#include "strata/status.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX.

namespace strata::server {

// A TLS connection opens with a handshake record (content type 22). Go's
// net/http looks at the first record header (5 bytes) and answers one that
// looks like plain HTTP with kPlainHttpToTlsResponse, then closes.
inline constexpr size_t kTlsRecordHeaderBytes = 5;
inline constexpr unsigned char kTlsHandshakeRecord = 0x16;
inline constexpr unsigned char kTlsAlertRecord = 0x15;
inline constexpr std::string_view kPlainHttpToTlsResponse =
    "HTTP/1.0 400 Bad Request\r\n\r\n"
    "Client sent an HTTP request to an HTTPS server.\n";

// Go's tlsRecordHeaderLooksLikeHTTP over the first 5 bytes.
bool LooksLikeHttp(std::string_view record_header);

class TlsContext {
 public:
  // Reads the certificate, key and client CAs named by `config` (which must
  // be enabled()) and builds the context.
  static StatusOr<std::shared_ptr<const TlsContext>> Build(
      const TlsServerConfig& config);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // The SSL_CTX; owned by this object (callers that keep it take a
  // reference with SSL_CTX_up_ref).
  ssl_ctx_st* native() const { return ctx_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* const ctx_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_TLS_CONTEXT_H_
