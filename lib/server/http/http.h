// Plain request/response types shared by the HTTP server, its router and the
// handlers. No Boost types appear here, so handlers (remote write/read, the
// PromQL API, ...) compile without Beast.
//
// Thread-safety: Request and Response are plain values owned by one request
// at a time. A BodyWriter belongs to the thread running the handler's
// stream callback.
#ifndef STRATA_SERVER_HTTP_HTTP_H_
#define STRATA_SERVER_HTTP_HTTP_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http/url_params.h"
#include "strata/status.h"

namespace strata::server {

// Status codes the server itself produces, named for readability.
inline constexpr int kHttpOk = 200;
inline constexpr int kHttpNoContent = 204;
inline constexpr int kHttpFound = 302;
inline constexpr int kHttpNotModified = 304;
inline constexpr int kHttpBadRequest = 400;
inline constexpr int kHttpUnauthorized = 401;
inline constexpr int kHttpForbidden = 403;
inline constexpr int kHttpNotFound = 404;
inline constexpr int kHttpMethodNotAllowed = 405;
inline constexpr int kHttpPayloadTooLarge = 413;
inline constexpr int kHttpUnprocessableEntity = 422;
inline constexpr int kHttpHeaderFieldsTooLarge = 431;
inline constexpr int kHttpInternalServerError = 500;
inline constexpr int kHttpServiceUnavailable = 503;

inline constexpr std::string_view kContentTypeText =
    "text/plain; charset=utf-8";
inline constexpr std::string_view kContentTypeJson = "application/json";

// Header fields in arrival order; lookups ignore case.
class Headers {
 public:
  // The first value of `name`, or "" if absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  // Appends; repeated names are kept.
  void Add(std::string name, std::string value);
  // Replaces every field named `name` with one.
  void Set(std::string name, std::string value);

  const std::vector<std::pair<std::string, std::string>>& fields() const {
    return fields_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  std::string method;  // Upper case, e.g. "GET".
  std::string target;  // As sent, e.g. "/api/v1/query?query=up".
  std::string path;    // Percent-decoded path without the query.
  std::string raw_query;
  // The query string's parameters; for a urlencoded POST/PUT/PATCH form, the
  // body's pairs come first (Go's Request.Form order, so Get prefers them).
  Params params;
  // Non-OK if the query string or form was malformed; well-formed pairs
  // are still in `params`. Handlers decide whether to reject.
  Status params_status;
  // Values of `:name` and `*name` segments of the matched route pattern.
  Params path_params;
  Headers headers;
  std::string body;
  std::string remote_address;  // "ip:port" of the peer.
  // Becomes true when the server notices that the client closed its
  // connection while the handler runs, so long handlers (queries) can stop
  // early. May be null (e.g. in tests).
  std::shared_ptr<const std::atomic<bool>> client_gone;
  int http_version = 11;  // 10 or 11.
};

// Writes a streamed response body. Data is buffered and sent in chunks; a
// write fails once the client has gone or the write timeout passed, and the
// handler should then stop producing.
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  virtual Status Write(std::string_view data) = 0;
  // Sends what is buffered now (e.g. after each frame of a streamed read).
  virtual Status Flush() = 0;
};

struct Response {
  int status = kHttpOk;
  Headers headers;  // Content-Length and Transfer-Encoding are set for you.
  std::string body;
  // If set, `body` is ignored and the body is produced by this callback,
  // called after the status line and headers went out, on the handler
  // thread, with chunked transfer encoding (or close-delimited for
  // HTTP/1.0 clients). Returning non-OK aborts the connection.
  std::function<Status(BodyWriter*)> stream;

  static Response Text(int status, std::string body);
  static Response Json(int status, std::string body);
};

using Handler = std::function<Response(Request&)>;

// Fills `path`, `raw_query`, `params` and `params_status` from `target`,
// `method`, the Content-Type and `body`, as Go's net/http does (absolute-form
// targets keep their path; a urlencoded form's pairs come first).
// InvalidArgument if the target cannot be decoded.
Status DecodeRequestTarget(Request* req);

// The current time as RFC 7231's IMF-fixdate ("Wed, 25 Nov 2026 16:37:58
// GMT"), for the Date header.
std::string HttpDate();

// The text and status Go's net/http uses for an unknown path.
Response NotFoundResponse();

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_HTTP_H_
