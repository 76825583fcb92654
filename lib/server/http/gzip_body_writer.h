// GzipBodyWriter: a BodyWriter that gzips what it is given and passes the
// compressed bytes to another BodyWriter, for responses sent with
// `Content-Encoding: gzip` (Prometheus compresses its API responses for
// clients that accept gzip, as Grafana's does).
//
//   GzipBodyWriter gz(writer);
//   STRATA_RETURN_IF_ERROR(produce(&gz));
//   return gz.Finish();
//
// Thread-safety: owned by the thread producing the body; Gzip below is a
// pure function.
#ifndef STRATA_SERVER_HTTP_GZIP_BODY_WRITER_H_
#define STRATA_SERVER_HTTP_GZIP_BODY_WRITER_H_

#include <memory>
#include <string>
#include <string_view>

#include "server/http/http.h"
#include "strata/status.h"

namespace strata::server {

class GzipBodyWriter : public BodyWriter {
 public:
  explicit GzipBodyWriter(BodyWriter* inner);
  ~GzipBodyWriter() override;
  GzipBodyWriter(const GzipBodyWriter&) = delete;
  GzipBodyWriter& operator=(const GzipBodyWriter&) = delete;

  Status Write(std::string_view data) override;
  // Compresses what was written so far into whole bytes (a sync flush)
  // and flushes the inner writer.
  Status Flush() override;
  // Ends the gzip stream; call once, after the last Write.
  Status Finish();

 private:
  // Runs deflate over `data` with `flush_mode`, writing output onwards.
  Status Deflate(std::string_view data, int flush_mode);

  struct Stream;  // zlib's z_stream, kept out of this header.
  BodyWriter* const inner_;
  std::unique_ptr<Stream> stream_;
  std::string out_;
};

// Compresses `raw` whole into *out (replacing it) as one gzip member, with
// GzipBodyWriter: for bodies built in memory (request bodies in the tests
// and fuzz targets). Gunzip (gunzip.h) reverses it.
Status Gzip(std::string_view raw, std::string* out);

// Whether an Accept-Encoding header value admits gzip.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_GZIP_BODY_WRITER_H_
