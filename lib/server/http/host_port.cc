#include <charconv>

#include "server/http/http_server.h"

namespace strata::server {

Status SplitHostPort(std::string_view address, std::string* host, int* port) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("address " + std::string(address) + ": " +
                                   std::string(why));
  };
  std::string_view port_text;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == std::string_view::npos) return bad("missing ']' in address");
    if (close + 1 >= address.size() || address[close + 1] != ':') {
      return bad("missing port in address");
    }
    *host = std::string(address.substr(1, close - 1));
    port_text = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) return bad("missing port in address");
    if (address.substr(0, colon).find(':') != std::string_view::npos) {
      return bad("too many colons in address");
    }
    *host = std::string(address.substr(0, colon));
    port_text = address.substr(colon + 1);
  }
  int value = 0;
  const char* end = port_text.data() + port_text.size();
  const auto parsed = std::from_chars(port_text.data(), end, value);
  if (port_text.empty() || port_text.size() > 5 || parsed.ptr != end ||
      parsed.ec != std::errc() || port_text.front() == '-' || value > 65535) {
    return bad("invalid port");
  }
  *port = value;
  return Status::OK();
}

}  // namespace strata::server
