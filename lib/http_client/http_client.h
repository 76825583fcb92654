// A small blocking HTTP/1.1 client for the tests, the benchmark harness and
// strata-tsdb: the one client in the tree, on Boost.Beast. Plain HTTP, or
// HTTPS when Options::tls is set. Boost and OpenSSL stay inside
// http_client.cc; callers see plain structs and Status.
//
// Every step is bounded by Options::timeout (connect, write and read each
// get the full budget afresh). Transport failures come back as Unavailable
// (cannot connect, peer closed, malformed response) or DeadlineExceeded
// (timeout); any HTTP status, 4xx and 5xx included, is a successful
// Response. A TLS setup or handshake failure (unreadable CA file, untrusted
// or misnamed server certificate) is Unavailable too, with OpenSSL's reason.
//
// Thread-safety: a Connection is used by one thread at a time; the free
// functions are safe to call concurrently.
#ifndef STRATA_HTTP_CLIENT_HTTP_CLIENT_H_
#define STRATA_HTTP_CLIENT_HTTP_CLIENT_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/status.h"

namespace strata::http_client {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  // Origin form: "/api/v1/query?query=up".
  std::string target = "/";
  // Besides Host and Content-Length, which are always set.
  Headers headers;
  std::string body;
};

struct Response {
  int status = 0;
  Headers headers;
  // Decoded from chunked transfer encoding when the server used it.
  std::string body;

  // First value of a header (case-insensitive), "" if absent.
  std::string Header(std::string_view name) const;
};

// HTTPS: the server's certificate must chain to `ca_file` and name
// `server_name` (a DNS name or an IP address). Every connection does a full
// handshake (no session resumption, as Go's default http.Transport).
struct TlsOptions {
  std::string ca_file;      // PEM; empty = the system's default roots.
  std::string server_name;  // Sent as SNI unless an IP; empty = the host.
  // A client certificate and its key (PEM), both or neither.
  std::string cert_file;
  std::string key_file;
};

struct Options {
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
  std::optional<TlsOptions> tls;  // Set: HTTPS.
};

// "http://host[:port][/prefix]", split.
struct Url {
  std::string host;
  int port = 80;
  // "" or "/prefix" without a trailing slash; prepended to request targets.
  std::string path_prefix;
};
// InvalidArgument unless `url` has that form.
StatusOr<Url> ParseUrl(std::string_view url);

// One keep-alive connection, made by the first Send and again by the Send
// after the server closed it or a transport failure broke it (the failed
// request itself is not retried).
class Connection {
 public:
  Connection(std::string host, int port, const Options& options = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends `request` and reads the whole response.
  StatusOr<Response> Send(const Request& request);
  bool connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection ("Connection: close").
StatusOr<Response> Fetch(const std::string& host, int port,
                         const Request& request, const Options& options = {});

// GET and POST on 127.0.0.1:`port`, the common case in tests.
StatusOr<Response> Get(int port, std::string_view target,
                       const Options& options = {});
StatusOr<Response> Post(
    int port, std::string_view target, std::string_view body,
    std::string_view content_type = "application/x-www-form-urlencoded",
    const Options& options = {});

}  // namespace strata::http_client

#endif  // STRATA_HTTP_CLIENT_HTTP_CLIENT_H_
