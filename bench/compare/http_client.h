// A minimal blocking HTTP/1.1 client over one keep-alive loopback TCP
// connection: just enough for the comparison harness to drive both servers
// identically (remote write POSTs, query GETs, admin POSTs, /metrics).
//
// Thread-safety: a Connection is used by one thread at a time; open one per
// driver thread.
#ifndef STRATA_BENCH_COMPARE_HTTP_CLIENT_H_
#define STRATA_BENCH_COMPARE_HTTP_CLIENT_H_

#include <string>
#include <string_view>

namespace strata::bench {

class Connection {
 public:
  // Connects to 127.0.0.1:`port`; check ok().
  explicit Connection(int port);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool ok() const { return fd_ >= 0; }

  // Sends one request (`headers` are extra "Name: value\r\n" lines) and reads
  // the whole response. Returns the HTTP status, or 0 on a transport error
  // (after which the connection is closed and ok() is false).
  int Request(std::string_view method, std::string_view target,
              std::string_view headers, std::string_view body,
              std::string* response_body = nullptr);

 private:
  bool SendAll(std::string_view data);
  bool Fill();
  int Fail();

  int fd_ = -1;
  std::string buf_;  // Received bytes not consumed yet.
};

// One request on a fresh connection; the status, 0 when unreachable.
int HttpGet(int port, std::string_view target, std::string* body = nullptr);
int HttpPost(int port, std::string_view target, std::string_view body,
             std::string* response_body = nullptr);

// application/x-www-form-urlencoded escaping of a query parameter value.
std::string UrlEncode(std::string_view s);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_HTTP_CLIENT_H_
