// A minimal blocking HTTP/1.1 client for the few calls strata-tsdb makes to
// a running strata-server (the admin snapshot). Plain http:// only.
//
// Thread-safety: pure function.
#ifndef STRATA_TOOLS_TSDB_HTTP_CLIENT_H_
#define STRATA_TOOLS_TSDB_HTTP_CLIENT_H_

#include <string>

#include "strata/status.h"

namespace strata::tsdb {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// `url` is "http://host:port[/prefix]"; `path` ("/api/...") is appended.
// Unavailable if the server cannot be reached.
StatusOr<HttpResponse> HttpPost(const std::string& url, const std::string& path,
                                int timeout_seconds = 120);

}  // namespace strata::tsdb

#endif  // STRATA_TOOLS_TSDB_HTTP_CLIENT_H_
