#include "server/http/gunzip.h"

#include <zlib.h>

#include <algorithm>

#include "util/strings.h"

namespace strata::server {
namespace {

// windowBits 15 plus 16: a gzip header and trailer, nothing else.
constexpr int kGzipWindowBits = 15 + 16;
constexpr size_t kMinChunk = 64 << 10;

}  // namespace

Status Gunzip(std::string_view gzipped, size_t max_bytes, std::string* out) {
  out->clear();
  z_stream z{};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK) {
    return Status::Internal("gzip: inflateInit failed");
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzipped.data()));
  z.avail_in = static_cast<uInt>(gzipped.size());
  size_t used = 0;
  int ret = Z_OK;
  Status status;
  while (true) {
    if (used == out->size()) {
      if (out->size() > max_bytes) {
        status = Status::ResourceExhausted(
            Cat("gzip: decompressed body exceeds the limit of ", max_bytes,
                " bytes"));
        break;
      }
      // Room for up to max_bytes + 1, to notice going past the limit.
      out->resize(
          std::min(std::max(out->size() * 2, kMinChunk), max_bytes + 1));
    }
    z.next_out = reinterpret_cast<Bytef*>(out->data() + used);
    z.avail_out = static_cast<uInt>(out->size() - used);
    ret = inflate(&z, Z_NO_FLUSH);
    used = out->size() - z.avail_out;
    if (ret == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      // Another member follows (RFC 1952 allows several).
      if (inflateReset(&z) == Z_OK) continue;
      ret = Z_DATA_ERROR;
    }
    if (ret == Z_OK || ret == Z_BUF_ERROR) {
      if (z.avail_out != 0 && z.avail_in == 0) {
        status = Status::InvalidArgument("gzip: unexpected EOF");
        break;
      }
      continue;  // Out of room: grow and go on.
    }
    status = Status::InvalidArgument(
        Cat("gzip: invalid data", z.msg != nullptr ? Cat(": ", z.msg) : ""));
    break;
  }
  inflateEnd(&z);
  if (!status.ok()) {
    out->clear();
    return status;
  }
  if (used > max_bytes) {
    out->clear();
    return Status::ResourceExhausted(Cat(
        "gzip: decompressed body exceeds the limit of ", max_bytes, " bytes"));
  }
  out->resize(used);
  return Status::OK();
}

}  // namespace strata::server
