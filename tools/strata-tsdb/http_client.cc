#include "http_client.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace strata::tsdb {

StatusOr<HttpResponse> HttpPost(const std::string& url, const std::string& path,
                                int timeout_seconds) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return Status::InvalidArgument("server URL must start with http://: " +
                                   url);
  }
  std::string rest = url.substr(kScheme.size());
  std::string prefix;
  if (size_t slash = rest.find('/'); slash != std::string::npos) {
    prefix = rest.substr(slash);
    rest = rest.substr(0, slash);
  }
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string host = rest, port = "80";
  if (size_t colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    return Status::Unavailable("resolving " + host + ": " + gai_strerror(rc));
  }
  int fd = -1;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) return Status::Unavailable("cannot connect to " + url);
  timeval tv{timeout_seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  const std::string req = "POST " + prefix + path +
                          " HTTP/1.1\r\nHost: " + rest +
                          "\r\nContent-Length: 0\r\nConnection: "
                          "close\r\nUser-Agent: strata-tsdb\r\n\r\n";
  for (size_t sent = 0; sent < req.size();) {
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      close(fd);
      return Status::Unavailable("sending to " + url + " failed");
    }
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[8192];
  while (true) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (!raw.starts_with("HTTP/1.") || head_end == std::string::npos) {
    return Status::Unavailable("no HTTP response from " + url);
  }
  HttpResponse out;
  out.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  std::string headers = raw.substr(0, head_end);
  out.body = raw.substr(head_end + 4);
  for (char& c : headers) c = static_cast<char>(std::tolower(c));
  if (headers.find("transfer-encoding: chunked") != std::string::npos) {
    std::string body;
    size_t p = 0;
    while (p < out.body.size()) {
      const size_t eol = out.body.find("\r\n", p);
      if (eol == std::string::npos) break;
      const size_t len = std::strtoul(out.body.c_str() + p, nullptr, 16);
      if (len == 0) break;
      body.append(out.body, eol + 2, len);
      p = eol + 2 + len + 2;
    }
    out.body = std::move(body);
  }
  return out;
}

}  // namespace strata::tsdb
