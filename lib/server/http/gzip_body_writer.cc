#include "server/http/gzip_body_writer.h"

#include <zlib.h>

#include "util/strings.h"

namespace strata::server {
namespace {

constexpr size_t kOutChunk = 64 << 10;
// windowBits 15 plus 16 asks zlib for a gzip header and trailer.
constexpr int kGzipWindowBits = 15 + 16;
// Speed over ratio: JSON compresses well even at level 1, and the server
// should not spend more CPU compressing than evaluating.
constexpr int kLevel = 1;

// Appends what it is given to a string.
class AppendingWriter final : public BodyWriter {
 public:
  explicit AppendingWriter(std::string* out) : out_(out) {}
  Status Write(std::string_view data) override {
    out_->append(data);
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }

 private:
  std::string* const out_;
};

}  // namespace

struct GzipBodyWriter::Stream {
  z_stream z{};
  bool ok = false;
};

GzipBodyWriter::GzipBodyWriter(BodyWriter* inner)
    : inner_(inner), stream_(std::make_unique<Stream>()) {
  stream_->ok = deflateInit2(&stream_->z, kLevel, Z_DEFLATED, kGzipWindowBits,
                             8, Z_DEFAULT_STRATEGY) == Z_OK;
  out_.resize(kOutChunk);
}

GzipBodyWriter::~GzipBodyWriter() {
  if (stream_->ok) deflateEnd(&stream_->z);
}

Status GzipBodyWriter::Deflate(std::string_view data, int flush_mode) {
  if (!stream_->ok) return Status::Internal("gzip: deflateInit failed");
  z_stream& z = stream_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  do {
    z.next_out = reinterpret_cast<Bytef*>(out_.data());
    z.avail_out = static_cast<uInt>(out_.size());
    const int rc = deflate(&z, flush_mode);
    if (rc == Z_STREAM_ERROR) return Status::Internal("gzip: deflate failed");
    const size_t produced = out_.size() - z.avail_out;
    if (produced > 0) {
      STRATA_RETURN_IF_ERROR(
          inner_->Write(std::string_view(out_.data(), produced)));
    }
  } while (z.avail_out == 0);
  return Status::OK();
}

Status GzipBodyWriter::Write(std::string_view data) {
  return Deflate(data, Z_NO_FLUSH);
}

Status GzipBodyWriter::Flush() {
  STRATA_RETURN_IF_ERROR(Deflate({}, Z_SYNC_FLUSH));
  return inner_->Flush();
}

Status GzipBodyWriter::Finish() { return Deflate({}, Z_FINISH); }

Status Gzip(std::string_view raw, std::string* out) {
  out->clear();
  AppendingWriter sink(out);
  GzipBodyWriter gzip(&sink);
  STRATA_RETURN_IF_ERROR(gzip.Write(raw));
  return gzip.Finish();
}

bool AcceptsGzip(std::string_view accept_encoding) {
  // Tokens separated by commas, each maybe with ";q=..."; "gzip;q=0"
  // refuses it.
  size_t pos = 0;
  while (pos <= accept_encoding.size()) {
    size_t end = accept_encoding.find(',', pos);
    if (end == std::string_view::npos) end = accept_encoding.size();
    std::string_view token = accept_encoding.substr(pos, end - pos);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    const size_t semi = token.find(';');
    std::string_view name = token.substr(0, semi);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (EqualsIgnoreCase(name, "gzip") || name == "*") {
      if (semi == std::string_view::npos) return true;
      std::string_view params = token.substr(semi + 1);
      while (!params.empty() && params.front() == ' ') params.remove_prefix(1);
      return !(params == "q=0" || params == "q=0.0" || params == "q=0.00" ||
               params == "q=0.000");
    }
    pos = end + 1;
  }
  return false;
}

}  // namespace strata::server
