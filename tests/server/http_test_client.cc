#include "http_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "server/http/http.h"
#include "util/strings.h"

namespace strata::server::testing {

std::string TestResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

bool TestResponse::HasHeader(std::string_view name) const {
  for (const auto& header : headers) {
    if (EqualsIgnoreCase(header.first, name)) return true;
  }
  return false;
}

StatusOr<std::unique_ptr<TestConnection>> TestConnection::Connect(
    int port, std::chrono::milliseconds timeout) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::FromErrno(errno, "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    close(fd);
    return Status::FromErrno(err, "connect");
  }
  return std::unique_ptr<TestConnection>(new TestConnection(fd));
}

TestConnection::~TestConnection() { close(fd_); }

int TestConnection::local_port() const {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

Status TestConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "send");
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status TestConnection::Fill(size_t n) {
  char chunk[16384];
  while (buffer_.size() < n) {
    const ssize_t got = recv(fd_, chunk, sizeof(chunk), 0);
    if (got == 0) return Status::Unavailable("connection closed by peer");
    if (got < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "recv");
    }
    buffer_.append(chunk, static_cast<size_t>(got));
  }
  return Status::OK();
}

StatusOr<std::string> TestConnection::ReadLine() {
  size_t pos;
  while ((pos = buffer_.find("\r\n")) == std::string::npos) {
    STRATA_RETURN_IF_ERROR(Fill(buffer_.size() + 1));
  }
  std::string line = buffer_.substr(0, pos);
  buffer_.erase(0, pos + 2);
  return line;
}

StatusOr<TestResponse> TestConnection::ReadResponse(bool head) {
  TestResponse response;
  STRATA_ASSIGN_OR_RETURN(std::string status_line, ReadLine());
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) {
    return Status::Corruption("bad status line: " + status_line);
  }
  response.status = std::atoi(status_line.c_str() + 9);
  response.reason = status_line.size() > 13 ? status_line.substr(13) : "";
  while (true) {
    STRATA_ASSIGN_OR_RETURN(std::string line, ReadLine());
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      return Status::Corruption("bad header line: " + line);
    }
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    response.headers.emplace_back(line.substr(0, colon), value);
  }
  if (head || response.status == 204 || response.status == 304 ||
      response.status / 100 == 1) {
    return response;
  }
  if (EqualsIgnoreCase(response.Header("Transfer-Encoding"), "chunked")) {
    response.chunked = true;
    while (true) {
      STRATA_ASSIGN_OR_RETURN(std::string size_line, ReadLine());
      const size_t size = std::strtoul(size_line.c_str(), nullptr, 16);
      if (size == 0) {
        // Trailers, then an empty line.
        while (true) {
          STRATA_ASSIGN_OR_RETURN(std::string trailer, ReadLine());
          if (trailer.empty()) break;
        }
        break;
      }
      STRATA_RETURN_IF_ERROR(Fill(size + 2));
      response.body.append(buffer_, 0, size);
      buffer_.erase(0, size + 2);
    }
  } else if (response.HasHeader("Content-Length")) {
    const size_t length =
        std::strtoul(response.Header("Content-Length").c_str(), nullptr, 10);
    STRATA_RETURN_IF_ERROR(Fill(length));
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
  } else {
    // Close-delimited.
    Status s;
    while ((s = Fill(buffer_.size() + 1)).ok()) {
    }
    response.body = std::move(buffer_);
    buffer_.clear();
  }
  return response;
}

StatusOr<TestResponse> TestConnection::Request(
    const std::string& method, const std::string& target,
    const std::string& body, const std::string& extra_headers) {
  std::string request = method + " " + target +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers;
  if (!body.empty() || method == "POST" || method == "PUT") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  STRATA_RETURN_IF_ERROR(Send(request));
  return ReadResponse(method == "HEAD");
}

bool TestConnection::WaitForClose(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  char chunk[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t got = recv(fd_, chunk, sizeof(chunk), 0);
    if (got == 0) return true;
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return true;  // Reset counts as closed.
    }
    buffer_.append(chunk, static_cast<size_t>(got));
  }
}

StatusOr<TestResponse> HttpRequest(int port, const std::string& method,
                                   const std::string& target,
                                   const std::string& body,
                                   const std::string& extra_headers) {
  STRATA_ASSIGN_OR_RETURN(auto conn, TestConnection::Connect(port));
  return conn->Request(method, target, body,
                       "Connection: close\r\n" + extra_headers);
}

int RunWithInput(const std::string& command, const std::string& input,
                 std::string* output) {
  char input_path[] = "/tmp/strata_test_input_XXXXXX";
  const int fd = mkstemp(input_path);
  if (fd < 0) return -1;
  {
    std::ofstream out(input_path, std::ios::binary);
    out << input;
  }
  close(fd);
  const std::string full = command + " < " + input_path + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) return -1;
  output->clear();
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output->append(buf, n);
  const int status = pclose(pipe);
  unlink(input_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace strata::server::testing
