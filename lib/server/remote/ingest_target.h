// What the remote write and OTLP receivers share in front of the ingester:
// the DB they append to together with the series ref cache whose refs
// belong to it, and the answer to a refused request.
//
// Thread-safety: IngestTarget is safe to use concurrently; Set is called
// by the server when the DB opens or closes, db() and cache() by request
// threads. A request that loaded a DB before Set(nullptr) finishes with
// it; the server drains in-flight requests before closing the DB.
#ifndef STRATA_SERVER_REMOTE_INGEST_TARGET_H_
#define STRATA_SERVER_REMOTE_INGEST_TARGET_H_

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

#include "server/http/http.h"
#include "server/metrics/metrics.h"
#include "server/remote/series_ref_cache.h"
#include "strata/db.h"

namespace strata::server {

class IngestTarget {
 public:
  explicit IngestTarget(size_t series_cache_entries)
      : cache_(series_cache_entries) {}

  // Points the receiver at `db` (nullptr: requests are refused with 503).
  // A different DB clears the cache: its refs belonged to the old one.
  void Set(DB* db);

  DB* db() const { return db_.load(std::memory_order_acquire); }
  SeriesRefCache* cache() { return &cache_; }

 private:
  std::atomic<DB*> db_{nullptr};
  SeriesRefCache cache_;
};

// Counts a refused request in `refused` under `reason` and answers it with
// `status` and `message` as plain text (a newline appended, as Prometheus
// does).
Response RefuseRequest(CounterFamily* refused, int status,
                       std::string_view reason, std::string message);

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_INGEST_TARGET_H_
