// Listen addresses as Go writes them.
//
// Thread-safety: pure functions.
#ifndef STRATA_SERVER_HTTP_HOST_PORT_H_
#define STRATA_SERVER_HTTP_HOST_PORT_H_

#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::server {

// Splits "host:port" as Go's net.SplitHostPort does ("[::1]:80" gives "::1").
Status SplitHostPort(std::string_view address, std::string* host, int* port);

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_HOST_PORT_H_
