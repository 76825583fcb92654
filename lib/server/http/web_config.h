// The --web.config.file: Prometheus's web configuration (exporter-toolkit
// v0.8.2, the version Prometheus 2.42 uses, web/tls_config.go):
//
//   tls_server_config:
//     cert_file: <path>          # relative to the file's directory
//     key_file: <path>
//     client_auth_type: <NoClientCert | RequestClientCert |
//         RequireAnyClientCert | VerifyClientCertIfGiven |
//         RequireAndVerifyClientCert>   # default NoClientCert
//     client_ca_file: <path>
//     min_version: <TLS10 | TLS11 | TLS12 | TLS13>   # default TLS12
//     max_version: <...>                              # default TLS13
//     cipher_suites: [<Go cipher suite name>]         # TLS 1.2 and below
//     prefer_server_cipher_suites: <bool>             # default true
//     curve_preferences: [<CurveP256 | CurveP384 | CurveP521 | X25519>]
//   http_server_config:
//     http2: <bool>              # accepted; Strata speaks HTTP/1.1 only
//     headers: {<name>: <value>} # only the names exporter-toolkit allows
//   basic_auth_users: {<user>: <bcrypt hash>}
//
// Decoding is strict (yaml.v2's UnmarshalStrict) with Go's messages; then,
// in exporter-toolkit's order, the header names and values and the bcrypt
// hashes are checked. The TLS section is checked when the TLS context is
// built (tls_context.h), as ConfigToTLSConfig does.
//
// Thread-safety: pure functions over plain values.
#ifndef STRATA_SERVER_HTTP_WEB_CONFIG_H_
#define STRATA_SERVER_HTTP_WEB_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/status.h"

namespace strata::server {

// TLS protocol versions as on the wire (and in Go's crypto/tls).
inline constexpr uint16_t kTlsVersion10 = 0x0301;
inline constexpr uint16_t kTlsVersion11 = 0x0302;
inline constexpr uint16_t kTlsVersion12 = 0x0303;
inline constexpr uint16_t kTlsVersion13 = 0x0304;

struct TlsServerConfig {
  // Paths are joined with the configuration file's directory.
  std::string cert_file;
  std::string key_file;
  std::string client_auth_type;  // As written; checked by the TLS context.
  std::string client_ca_file;
  // Go's names ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), validated.
  std::vector<std::string> cipher_suites;
  // Go's names ("CurveP256", "X25519"), validated.
  std::vector<std::string> curve_preferences;
  uint16_t min_version = kTlsVersion12;
  uint16_t max_version = kTlsVersion13;
  bool prefer_server_cipher_suites = true;

  // exporter-toolkit serves TLS when any of these four is set (and then
  // requires the certificate and key); otherwise plain HTTP.
  bool enabled() const {
    return !cert_file.empty() || !key_file.empty() ||
           !client_auth_type.empty() || !client_ca_file.empty();
  }
};

struct HttpServerConfig {
  bool http2 = true;
  // Set on every response, in the file's order.
  std::vector<std::pair<std::string, std::string>> headers;
};

struct WebConfig {
  TlsServerConfig tls;
  HttpServerConfig http;
  // User name -> bcrypt hash. Empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;
};

// Decodes and checks a web configuration; relative paths are joined with
// `dir`. Errors as exporter-toolkit words them ("yaml: unmarshal errors:\n
// line 2: field foo not found in type web.Config", `HTTP header "X" can not
// be configured`, "unknown cipher: X", "crypto/bcrypt: ...").
StatusOr<WebConfig> ParseWebConfig(std::string_view yaml, std::string_view dir);

// Reads `path` and parses it with its directory. A read error reads as Go's
// ("open <path>: no such file or directory").
StatusOr<WebConfig> ReadWebConfigFile(const std::string& path);

// The Go names cipher_suites accepts (tls.CipherSuites() of Go 1.19) and
// the OpenSSL name of each; TLS 1.3 suites have none (Go does not let them
// be configured and ignores them in the list).
struct CipherSuiteName {
  std::string_view go_name;
  std::string_view openssl_name;  // "" for a TLS 1.3 suite.
};
const std::vector<CipherSuiteName>& GoCipherSuites();

// The OpenSSL group name of a curve_preferences entry ("CurveP256" ->
// "P-256"), or "" if unknown.
std::string_view OpenSslGroupName(std::string_view go_curve);

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_WEB_CONFIG_H_
