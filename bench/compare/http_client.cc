#include "http_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace strata::bench {

Connection::Connection(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd_);
    fd_ = -1;
    return;
  }
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

Connection::~Connection() {
  if (fd_ >= 0) close(fd_);
}

int Connection::Fail() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  buf_.clear();
  return 0;
}

int Connection::Request(std::string_view method, std::string_view target,
                        std::string_view headers, std::string_view body,
                        std::string* response_body) {
  if (fd_ < 0) return 0;
  std::string head;
  head.reserve(256 + headers.size());
  head.append(method).append(" ").append(target);
  head.append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ");
  head.append(std::to_string(body.size())).append("\r\n");
  head.append(headers).append("\r\n");
  if (!SendAll(head) || !SendAll(body)) return Fail();

  size_t header_end;
  while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) return Fail();
  }
  if (buf_.size() < 12 || buf_.compare(0, 5, "HTTP/") != 0) return Fail();
  const int status = std::atoi(buf_.c_str() + 9);
  std::string lower = buf_.substr(0, header_end);
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  buf_.erase(0, header_end + 4);

  std::string out;
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    for (;;) {
      size_t eol;
      while ((eol = buf_.find("\r\n")) == std::string::npos) {
        if (!Fill()) return Fail();
      }
      const size_t n = std::strtoul(buf_.c_str(), nullptr, 16);
      buf_.erase(0, eol + 2);
      while (buf_.size() < n + 2) {
        if (!Fill()) return Fail();
      }
      out.append(buf_, 0, n);
      buf_.erase(0, n + 2);
      if (n == 0) break;
    }
  } else {
    size_t length = 0;
    const size_t cl = lower.find("content-length:");
    if (cl != std::string::npos) {
      length = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
    }
    while (buf_.size() < length) {
      if (!Fill()) return Fail();
    }
    out = buf_.substr(0, length);
    buf_.erase(0, length);
  }
  if (lower.find("connection: close") != std::string::npos) Fail();
  if (response_body != nullptr) *response_body = std::move(out);
  return status;
}

bool Connection::SendAll(std::string_view data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n =
        send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool Connection::Fill() {
  char chunk[65536];
  const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) return false;
  buf_.append(chunk, static_cast<size_t>(n));
  return true;
}

int HttpGet(int port, std::string_view target, std::string* body) {
  Connection c(port);
  return c.Request("GET", target, "", "", body);
}

int HttpPost(int port, std::string_view target, std::string_view body,
             std::string* response_body) {
  Connection c(port);
  return c.Request("POST", target,
                   "Content-Type: application/x-www-form-urlencoded\r\n", body,
                   response_body);
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace strata::bench
