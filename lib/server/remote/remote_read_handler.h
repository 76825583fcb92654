// RemoteReadHandler: POST /api/v1/read, Prometheus's remote read endpoint
// (wire details: proto/FORMAT.md).
//
// The request is a snappy-compressed prometheus.ReadRequest. The response
// type is the first of accepted_response_types this server implements
// (SAMPLES when the list is empty):
//   SAMPLES              one snappy-compressed ReadResponse with the raw
//                        samples (stale markers included) of every series;
//   STREAMED_XOR_CHUNKS  ChunkedReadResponse frames (uvarint size, CRC32C
//                        big endian, message), one series at a time in
//                        label order, each frame at most max_bytes_in_frame;
//                        stored chunks are sent as they are.
// Errors before the first byte of the answer: 400 for a malformed request,
// unknown matchers, a response type list with nothing supported, or a
// SAMPLES answer over sample_limit; 422 for a SAMPLES answer over its
// memory budget (max_memory_bytes, or the pool shared with queries); 500
// for storage errors; 503 until a DB is attached. A SAMPLES answer is
// encoded whole before it is sent (samples_response.h: about 20 bytes a
// sample, freed as it is compressed onto the wire); a streamed one holds
// one frame at a time. At most concurrent_limit reads run at once, from
// decoding the request until the answer is sent; more wait, as in
// Prometheus. A storage error in the middle of a stream ends the
// connection, so the client sees a truncated stream rather than a silently
// short one.
//
// Thread-safety: RegisterRoutes once before serving; everything else is
// safe to call concurrently. An attached DB must stay open until detached
// and in-flight requests have finished.
#ifndef STRATA_SERVER_REMOTE_REMOTE_READ_HANDLER_H_
#define STRATA_SERVER_REMOTE_REMOTE_READ_HANDLER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "server/http/http.h"
#include "server/http/router.h"
#include "server/metrics/metrics.h"
#include "strata/db.h"
#include "util/memory_budget.h"
#include "util/mutex.h"

namespace strata::server {

inline constexpr std::string_view kRemoteReadPath = "/api/v1/read";

struct RemoteReadOptions {
  // Samples a SAMPLES answer may hold (Prometheus's
  // --storage.remote.read-sample-limit); 0: no limit.
  int64_t sample_limit = 50000000;
  // Reads served at once; more wait (--storage.remote.read-concurrent-limit).
  // 0: no limit.
  int concurrent_limit = 10;
  // Largest message of a streamed frame
  // (--storage.remote.read-max-bytes-in-frame). A single chunk larger than
  // this still goes out, alone in its frame.
  size_t max_bytes_in_frame = 1 << 20;
  // Largest decompressed request.
  size_t max_decoded_bytes = 32 << 20;
  // Most bytes a SAMPLES answer may hold (its encoded series, labels
  // included: about 20 bytes a sample); over it the read fails with 422
  // (--storage.remote.read-max-memory-bytes). 0: no limit.
  int64_t max_memory_bytes = int64_t{256} << 20;
  // Shared with the PromQL queries (--query.max-total-memory-bytes). Not
  // owned; null: none.
  MemoryPool* memory_pool = nullptr;
};

class RemoteReadHandler {
 public:
  // `registry` receives the strata_remote_read_* metrics; not owned.
  RemoteReadHandler(RemoteReadOptions options, MetricsRegistry* registry);
  RemoteReadHandler(const RemoteReadHandler&) = delete;
  RemoteReadHandler& operator=(const RemoteReadHandler&) = delete;

  void RegisterRoutes(Router* router);
  // Attaches the DB to read (nullptr detaches: 503). Not owned.
  void SetDB(DB* db) { db_.store(db, std::memory_order_release); }

  Response Handle(Request& request);

 private:
  struct Metrics {
    Counter* samples_requests;
    Counter* streamed_requests;
    Counter* series;
    Counter* samples;
    Counter* chunks;
    Counter* frames;
  };
  // Waits for a free slot of the concurrency limit; released on
  // destruction.
  class Slot;
  bool SlotFree() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return active_ < options_.concurrent_limit;
  }

  // Constant after construction.
  const RemoteReadOptions options_;
  Metrics metrics_;

  std::atomic<DB*> db_{nullptr};
  Mutex mu_;
  int active_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_REMOTE_READ_HANDLER_H_
