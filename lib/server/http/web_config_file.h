// WebConfigFile: the --web.config.file as the HTTP server uses it, re-read
// when it changes, as exporter-toolkit re-reads it for every TLS handshake
// and every request.
//
// Open reads and checks everything Prometheus checks at startup
// (toolkit_web.Validate: the YAML, headers, bcrypt hashes, and the TLS
// certificate, key and client CAs); an error there is fatal to the caller.
// Afterwards Current() looks at the file (and the certificate, key and CA
// files) with stat(): when one changed (mtime, size, inode), it is read
// again. Unlike exporter-toolkit, which fails the request (500) or the
// handshake while the file is broken, a broken file keeps the last good
// configuration; the error is logged once per change. Whether TLS is on is
// fixed at Open, as in exporter-toolkit's Serve: a new file that turns it
// on or off is refused the same way.
//
// Per request (Authorize, on a handler thread): the configured headers are
// set on every response; with basic_auth_users, a request without a valid
// user and password gets 401 "Unauthorized" with `WWW-Authenticate: Basic`
// (every endpoint, as in exporter-toolkit).
//
// Thread-safety: every method may be called from any thread.
#ifndef STRATA_SERVER_HTTP_WEB_CONFIG_FILE_H_
#define STRATA_SERVER_HTTP_WEB_CONFIG_FILE_H_

#include <memory>
#include <optional>
#include <string>

#include "server/http/basic_auth.h"
#include "server/http/http.h"
#include "server/http/tls_context.h"
#include "server/http/web_config.h"
#include "strata/status.h"
#include "util/mutex.h"

namespace strata::server {

class WebConfigFile {
 public:
  // One configuration and what was built from it.
  struct Snapshot {
    WebConfig config;
    std::shared_ptr<const TlsContext> tls;  // Null when TLS is off.
  };

  static StatusOr<std::unique_ptr<WebConfigFile>> Open(std::string path);

  bool tls_enabled() const { return tls_enabled_; }
  const std::string& path() const { return path_; }

  // The current configuration (re-read first if a file changed).
  std::shared_ptr<const Snapshot> Current();

  // The 401 response for `request` when basic_auth_users is set and the
  // request does not carry one of them with its password; nullopt when it
  // may proceed. bcrypt runs here: call it on a handler thread.
  std::optional<Response> Authorize(const Snapshot& snapshot,
                                    const Request& request);
  // Sets http_server_config.headers on `response`.
  static void ApplyHeaders(const Snapshot& snapshot, Response* response);

  // Successful re-reads since Open (for tests and logs).
  int64_t reloads() const;

 private:
  // What identifies the files' contents without reading them.
  struct FileStamp {
    int64_t mtime_ns = -1;
    int64_t size = -1;
    uint64_t inode = 0;
    bool operator==(const FileStamp&) const = default;
  };
  using Stamps = std::vector<FileStamp>;

  WebConfigFile(std::string path, bool tls_enabled)
      : path_(std::move(path)), tls_enabled_(tls_enabled) {}

  static StatusOr<std::shared_ptr<const Snapshot>> Load(
      const std::string& path);
  // The stamps of the file and of the TLS files `config` names.
  Stamps StampsFor(const WebConfig& config) const;

  // Constant after construction.
  const std::string path_;
  const bool tls_enabled_;

  mutable Mutex mu_;
  std::shared_ptr<const Snapshot> current_ ABSL_GUARDED_BY(mu_);
  // The stamps of the last attempt, good or not: a broken file is read
  // (and logged) once per change.
  Stamps seen_ ABSL_GUARDED_BY(mu_);
  int64_t reloads_ ABSL_GUARDED_BY(mu_) = 0;

  BasicAuthenticator authenticator_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_WEB_CONFIG_FILE_H_
