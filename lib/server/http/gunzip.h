// Gunzip: decompresses a gzip request body (Content-Encoding: gzip), as
// Go's gzip.Reader reads one: concatenated members are read in turn, and
// output past a limit is refused rather than allocated.
//
// Thread-safety: a pure function.
#ifndef STRATA_SERVER_HTTP_GUNZIP_H_
#define STRATA_SERVER_HTTP_GUNZIP_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::server {

// Decompresses `gzipped` into *out (replacing it). InvalidArgument if it
// is not valid gzip (the message says why); ResourceExhausted if it
// decompresses to more than `max_bytes`.
Status Gunzip(std::string_view gzipped, size_t max_bytes, std::string* out);

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_GUNZIP_H_
