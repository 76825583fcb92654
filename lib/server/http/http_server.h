// HttpServer: an HTTP/1.1 server for Strata's endpoints.
//
// Network I/O (accept, reading requests, writing responses) runs on an
// io_context driven by `io_threads` threads; handlers run on a separate
// pool of `handler_threads`, so a slow query never stalls reading other
// connections. Connections are kept alive between requests. Limits: request
// headers (431 past `max_header_bytes`, or for any one header or trailer
// field of 64 KiB or more), body (413 past `max_body_bytes`,
// checked against Content-Length before the body is read), the time to wait
// for the next request on an idle connection, to read the headers (from
// the first byte, or for a new connection from its accept), to read the
// body, and to complete each write.
//
// Connections: up to `max_connections` are served in full. Past that,
// connections are still accepted (never left waiting in the listen
// backlog) and serve one request, then close: `reserved_connections` of
// them serve requests for `reserved_paths` (health and readiness probes),
// any other request gets 503 with Retry-After. Such a connection has
// min(header_timeout, 5s) to send its request. Past max_connections +
// reserved_connections + max_connections, accepting pauses. The counting is
// ConnectionAdmission's (connection_admission.h).
//
// No input terminates the process: an exception from a handler is a 500,
// one from a streaming body cuts that response short, and one escaping a
// completion handler on an I/O thread (e.g. from the RequestObserver) is
// logged and drops only the connection it belonged to.
//
// With a web configuration (HttpServerOptions::web_config): TLS, where a
// plain-HTTP request gets Go's "400 Client sent an HTTP request to an HTTPS
// server." and the connection closes; basic auth (401) and extra headers
// on every handler's response (web_config_file.h).
//
// Boost.Beast and OpenSSL stay inside the .cc files; this header exposes
// plain types.
//
// Thread-safety: Start and Shutdown are called by the owner, once each, from
// one thread. The Router must not change once Start was called and must
// outlive the server.
#ifndef STRATA_SERVER_HTTP_HTTP_SERVER_H_
#define STRATA_SERVER_HTTP_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/host_port.h"
#include "server/http/http.h"
#include "server/http/router.h"
#include "server/http/web_config_file.h"
#include "strata/status.h"

namespace strata::server {

struct HttpServerOptions {
  // "host:port"; "[::1]:port" for IPv6; ":port" listens on every interface.
  // Port 0 picks a free port (see HttpServer::port()).
  std::string listen_address = "127.0.0.1:9201";
  // Threads for network I/O. 0 means one per core.
  int io_threads = 0;
  // Threads running handlers. 0 means max(4, 2 * cores).
  int handler_threads = 0;
  // Connections served in full; past it, see above. 0: no limit.
  int max_connections = 0;
  // Connections past max_connections that may serve `reserved_paths`.
  int reserved_connections = 0;
  // Exact paths (no query) served on reserved connections.
  std::vector<std::string> reserved_paths;
  size_t max_header_bytes = 1 << 20;
  size_t max_body_bytes = 32 << 20;
  // Waiting for the first byte of the next request on an open connection.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);
  // From the first byte of a request to the end of its headers.
  std::chrono::milliseconds header_timeout = std::chrono::seconds(30);
  // Reading the body, once the headers are in.
  std::chrono::milliseconds body_timeout = std::chrono::minutes(5);
  // Each write of a response (a streamed response's every chunk).
  std::chrono::milliseconds write_timeout = std::chrono::minutes(5);
  // The --web.config.file (TLS, basic auth, response headers), or null for
  // plain HTTP with neither. Whether TLS is on is read once, at Start.
  std::shared_ptr<WebConfigFile> web_config;
};

// What the server reports about each request it answered.
struct RequestRecord {
  std::string_view method;
  // The matched route pattern, or "" if none matched (404, 405, or a
  // request the server refused itself such as 413).
  std::string_view route;
  int status = 0;
  // From the end of the headers to the response's hand-off to the transport
  // (buffered) or its last byte sent (streamed).
  double seconds = 0;
  int64_t request_body_bytes = 0;
  int64_t response_body_bytes = 0;
};

// Called on a server thread once per response (see RequestRecord::seconds
// for when); must be thread-safe.
using RequestObserver = std::function<void(const RequestRecord&)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Router* router,
             RequestObserver observer = nullptr);
  // Calls Shutdown with no grace period if the owner did not.
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the threads. InvalidArgument for a malformed
  // address, IOError if binding fails.
  Status Start();

  // The bound port (useful with port 0). Valid after Start succeeded.
  int port() const;

  // Stops accepting and closes idle connections at once; requests in flight
  // finish and their connections then close. After `grace`, the remaining
  // connections are closed too. Then waits for running handlers to return
  // (a streamed response fails fast once its connection is closed) and
  // stops the threads. Returns true if everything drained within `grace`.
  bool Shutdown(std::chrono::milliseconds grace);

  // Open connections right now.
  int64_t active_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_HTTP_SERVER_H_
