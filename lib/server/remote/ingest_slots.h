// IngestSlots: how many remote write requests are decoded and stored at
// once, and the reusable decode buffers each of them works in.
//
// Decoding and appending are CPU-bound: running more of them than there are
// cores makes each slower, holds more decoded requests in memory and
// starves the server's network threads (which must keep reading requests to
// answer the excess with a prompt 429). So admitted requests (the in-flight
// budget, remote_write_handler.h) queue here for one of a few slots, by
// default one per core; a slot's buffers keep their capacity between
// requests (up to kMaxRetainedBytes), so the memory of decoded requests is
// bounded by the slots, not by the handler threads.
//
// Thread-safety: Acquire may be called concurrently; a Lease and its
// buffers belong to the thread that acquired it.
#ifndef STRATA_SERVER_REMOTE_INGEST_SLOTS_H_
#define STRATA_SERVER_REMOTE_INGEST_SLOTS_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "server/remote/remote_write_decoder.h"
#include "util/mutex.h"

namespace strata::server {

// The scratch memory of one request being ingested.
struct IngestBuffers {
  std::string decoded;     // The decompressed body.
  std::string transcoded;  // An OTLP/JSON body as protobuf.
  WriteBatch batch;        // Views into `decoded`.
};

class IngestSlots {
 public:
  // Buffers grown past this are released when their slot is returned, so
  // one huge request does not pin memory.
  static constexpr size_t kMaxRetainedBytes = 4 << 20;

  // `slots` <= 0 means one per core.
  explicit IngestSlots(int slots);
  IngestSlots(const IngestSlots&) = delete;
  IngestSlots& operator=(const IngestSlots&) = delete;

  // A slot held until destroyed.
  class Lease {
   public:
    Lease(IngestSlots* slots, std::unique_ptr<IngestBuffers> buffers)
        : slots_(slots), buffers_(std::move(buffers)) {}
    Lease(Lease&& other) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    IngestBuffers* buffers() const { return buffers_.get(); }

   private:
    IngestSlots* slots_;
    std::unique_ptr<IngestBuffers> buffers_;
  };

  // Waits for a free slot; nullopt if `*cancel` (may be null) becomes true
  // first, e.g. because the client went away.
  std::optional<Lease> Acquire(const std::atomic<bool>* cancel);

  int size() const { return size_; }
  // Slots in use, and requests waiting for one.
  int busy() const;
  int waiting() const;

 private:
  void Return(std::unique_ptr<IngestBuffers> buffers);
  bool HasFree() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !free_.empty();
  }

  // Constant after construction.
  const int size_;

  mutable Mutex mu_;
  std::vector<std::unique_ptr<IngestBuffers>> free_ ABSL_GUARDED_BY(mu_);
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_INGEST_SLOTS_H_
