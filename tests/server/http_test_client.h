// A deliberately small HTTP/1.1 client over blocking POSIX sockets, so the
// server tests control exactly what goes over the wire (keep-alive,
// pipelining, partial headers, oversized bodies).
//
// Thread-safety: one TestConnection per thread.
#ifndef STRATA_TESTS_SERVER_HTTP_TEST_CLIENT_H_
#define STRATA_TESTS_SERVER_HTTP_TEST_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/status.h"

namespace strata::server::testing {

struct TestResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool chunked = false;

  // First value of a header (case-insensitive), "" if absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

class TestConnection {
 public:
  // Connects to 127.0.0.1:port; reads time out after `timeout`.
  static StatusOr<std::unique_ptr<TestConnection>> Connect(
      int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~TestConnection();

  Status Send(std::string_view bytes);
  // Reads one response. For a response to HEAD pass head=true (no body).
  StatusOr<TestResponse> ReadResponse(bool head = false);
  // Sends a request and reads its response.
  StatusOr<TestResponse> Request(const std::string& method,
                                 const std::string& target,
                                 const std::string& body = "",
                                 const std::string& extra_headers = "");
  // True if the peer closed the connection (read returns EOF or reset)
  // within `wait`.
  bool WaitForClose(std::chrono::milliseconds wait);
  // The local port, to tell connections apart.
  int local_port() const;
  int fd() const { return fd_; }

 private:
  explicit TestConnection(int fd) : fd_(fd) {}
  // Reads until `buffer_` holds at least `n` bytes.
  Status Fill(size_t n);
  StatusOr<std::string> ReadLine();

  int fd_;
  std::string buffer_;
};

// One request on a fresh connection with "Connection: close".
StatusOr<TestResponse> HttpRequest(int port, const std::string& method,
                                   const std::string& target,
                                   const std::string& body = "",
                                   const std::string& extra_headers = "");

// Runs a shell command with `input` on stdin; returns its exit status and
// puts stdout+stderr in `output`.
int RunWithInput(const std::string& command, const std::string& input,
                 std::string* output);

}  // namespace strata::server::testing

#endif  // STRATA_TESTS_SERVER_HTTP_TEST_CLIENT_H_
