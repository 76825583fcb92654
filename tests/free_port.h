// A TCP port on 127.0.0.1 for a server a test or a benchmark harness
// (bench/compare) starts.
#ifndef STRATA_TESTS_FREE_PORT_H_
#define STRATA_TESTS_FREE_PORT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace strata::testing {

// A port that was free a moment ago (bound to port 0, then released), or 0.
// Another process may take it before the caller binds: callers that start
// a server should retry if it fails to bind.
inline int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_FREE_PORT_H_
