// StreamBuffer: collects a response body in a string and hands it to a
// BodyWriter in pieces of at least `threshold` bytes, so a large JSON
// result is produced and sent piecewise instead of held whole in memory.
//
//   StreamBuffer out(writer);
//   for (...) { Append(out.text(), ...);
//   STRATA_RETURN_IF_ERROR(out.MaybeFlush()); } return out.Finish();
//
// Thread-safety: owned by the thread producing the body.
#ifndef STRATA_SERVER_HTTP_STREAM_BUFFER_H_
#define STRATA_SERVER_HTTP_STREAM_BUFFER_H_

#include <cstddef>
#include <string>

#include "server/http/http.h"
#include "strata/status.h"

namespace strata::server {

class StreamBuffer {
 public:
  static constexpr size_t kDefaultThreshold = 64 << 10;

  explicit StreamBuffer(BodyWriter* writer,
                        size_t threshold = kDefaultThreshold)
      : writer_(writer), threshold_(threshold) {
    text_.reserve(threshold + threshold / 4);
  }

  // Where to append the next bytes.
  std::string* text() { return &text_; }

  // Writes out what is buffered once it reached the threshold. Fails once
  // the client has gone; the producer should then stop.
  Status MaybeFlush() {
    if (text_.size() < threshold_) return Status::OK();
    return Drain();
  }

  // Writes out the rest.
  Status Finish() {
    if (text_.empty()) return Status::OK();
    return Drain();
  }

 private:
  Status Drain() {
    Status st = writer_->Write(text_);
    text_.clear();
    return st;
  }

  BodyWriter* const writer_;
  const size_t threshold_;
  std::string text_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_STREAM_BUFFER_H_
