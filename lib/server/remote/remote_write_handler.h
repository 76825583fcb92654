// RemoteWriteHandler: POST /api/v1/write, Prometheus's remote write
// receiver, versions 1.0 and 2.0 (wire details: proto/FORMAT.md).
//
//   Content-Type                                              version
//   application/x-protobuf,
//   application/x-protobuf;proto=prometheus.WriteRequest      1.0
//   application/x-protobuf;proto=io.prometheus.write.v2.Request 2.0
//   (absent) or anything else                                 415
//   Content-Encoding: snappy (block format); (absent) or else 415
// Prometheus's receiver takes absent headers as 1.0 and snappy; Strata
// requires both (every Prometheus sender sets them), so that a web page's
// cross-site "simple" request, which can set neither, cannot write.
//
// Answers, chosen so that a sender retries exactly what may succeed later:
//   204  everything stored;
//   202  HA tracking: a non-elected replica's request, dropped (below);
//   400  malformed body, or some samples rejected (the rest are stored);
//        the body names the rejections;
//   415  unsupported content type or encoding;
//   429  over the in-flight budget (below; Retry-After: when to retry);
//   500  the commit failed (e.g. an I/O error); retry the batch;
//   503  not ready yet, or shutting down.
// 204 and 400 carry X-Prometheus-Remote-Write-{Samples,Histograms,
// Exemplars}-Written.
//
// HA pairs (options.ha, ha_tracker.h): a request carrying the cluster and
// replica labels goes through the HaTracker. From a non-elected replica it
// is answered 202 and nothing is stored; its Written headers count the
// request's samples as acknowledged (the elected replica holds that data;
// a 2.0 sender treats a 2xx with nothing written as a failure). From the
// elected one it is stored without the replica label, and samples rejected
// only because they overlap what is stored (out of order, duplicate
// timestamp, out of bounds: the overlap of two replicas scraping at
// different instants, after a failover or a restart) are dropped, counted
// in strata_remote_write_samples_rejected_total, included in the Written
// headers as acknowledged, and answered 204: a 400
// would only make Prometheus drop the whole batch, whose other samples
// are stored. Other rejections still answer 400. Without HA tracking, or
// for requests without both labels, nothing changes (Prometheus's own
// receiver answers 400 for overlap too). A deduplicated request's body is
// kept in the tracker's standby buffer; when a failover elects its
// replica, its buffered requests are decoded and stored (as the elected
// replica's, in arrival order) before the request that elected it, so that
// the failover timeout leaves no gap (ha_tracker.h). Replayed requests do
// not count against the in-flight budget (the buffer bounds them).
//
// Overload. A request is admitted once its headers are checked and the
// snappy header has told its decoded size, before anything is decompressed:
// past the in-flight budget (max_inflight_requests requests, or
// max_inflight_bytes of their estimated memory: compressed body +
// decompressed body + decoded batch, estimated as large again) it is
// answered 429 with Retry-After at once, counted in
// strata_remote_write_requests_refused_total{reason="overloaded"}. An
// admitted request waits for one of ingest_concurrency slots
// (ingest_slots.h) and is decoded and stored there; one whose client goes
// away while it waits is dropped unanswered (nothing was acknowledged).
// So memory is bounded by the budget, and CPU goes to as many ingests as
// there are cores while the remaining handler threads answer the excess
// quickly. The HTTP server reads a body before the handler runs: bodies
// being received are bounded by the connections and the body limit, not
// here. Prometheus 2.42 retries a 429 (after Retry-After) only with
// queue_config.retry_on_http_429: true, else it drops the batch.
//
// Thread-safety: RegisterRoutes once before serving; everything else is
// safe to call concurrently. An attached DB must stay open until detached
// (SetDB(nullptr)) and the server has drained in-flight requests.
#ifndef STRATA_SERVER_REMOTE_REMOTE_WRITE_HANDLER_H_
#define STRATA_SERVER_REMOTE_REMOTE_WRITE_HANDLER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "server/http/http.h"
#include "server/http/router.h"
#include "server/metrics/metrics.h"
#include "server/remote/ha_tracker.h"
#include "server/remote/ingest_outcome.h"
#include "server/remote/ingest_slots.h"
#include "server/remote/ingest_target.h"
#include "server/remote/metadata_store.h"
#include "server/remote/remote_write_decoder.h"
#include "server/remote/remote_write_ingester.h"
#include "server/remote/series_ref_cache.h"
#include "strata/db.h"

namespace strata::server {

inline constexpr std::string_view kRemoteWritePath = "/api/v1/write";

struct RemoteWriteOptions {
  IngestOptions ingest;
  // Largest decompressed request accepted (the snappy header declares it,
  // so larger ones are refused before any allocation).
  size_t max_decoded_bytes = 64 << 20;
  // --remote-write.max-series-per-request: a request with more series is
  // refused whole with 400 (reason "too_many_series"). Prometheus sends at
  // most max_samples_per_send (default 500) series per request. 0: no
  // limit.
  size_t max_series_per_request = 100000;
  // The in-flight budget (--remote-write.max-inflight-requests and
  // --remote-write.max-inflight-bytes): requests admitted (waiting for an
  // ingest slot or being ingested) at once, and their estimated memory
  // (InflightBytes). Past either, 429. 0 requests means 8 x cores, at
  // least 64: generous, because Prometheus 2.42 drops a batch answered 429
  // unless queue_config.retry_on_http_429 is set, and it runs up to
  // max_shards (200) senders when it has a backlog. A single request
  // always fits the byte budget.
  int max_inflight_requests = 0;
  int64_t max_inflight_bytes = 512 << 20;
  // Admitted requests decoded and stored at once; 0: one per core.
  int ingest_concurrency = 0;
  // Retry-After of a 429, in seconds.
  int retry_after_seconds = 1;
  // Entries of the label-set -> SeriesRef cache.
  size_t series_cache_entries = 1 << 21;
  // Metadata changes are written to disk at most this often (and at
  // FlushMetadata, e.g. on shutdown).
  std::chrono::milliseconds metadata_flush_interval = std::chrono::seconds(5);
  // HA pair deduplication; off unless ha.replica_label is set.
  HaTrackerOptions ha;
};

class RemoteWriteHandler {
 public:
  // `registry` receives the strata_remote_write_* metrics; `metadata` (may
  // be null) stores metric metadata. Neither is owned.
  RemoteWriteHandler(RemoteWriteOptions options, MetricsRegistry* registry,
                     MetadataStore* metadata);
  RemoteWriteHandler(const RemoteWriteHandler&) = delete;
  RemoteWriteHandler& operator=(const RemoteWriteHandler&) = delete;

  void RegisterRoutes(Router* router);

  // Attaches the DB to write to (nullptr detaches: 503 until attached).
  // Not owned. Attaching another DB forgets cached series refs.
  void SetDB(DB* db);

  Response Handle(Request& request);

  int max_inflight_requests() const { return max_inflight_requests_; }

 private:
  // Holds a share of the in-flight budget while a request is processed.
  class BudgetGuard;

  // How a request's HA labels (if any) decided its fate.
  struct HaOutcome {
    // Set if the request is answered without being stored.
    std::optional<Response> response;
    // The label to remove before storage ("": none).
    std::string_view drop_label;
    // Whether overlap rejections are acknowledged (elected HA replica).
    bool tolerate_overlap = false;
  };

  Response Refuse(int status, std::string_view reason, std::string message);
  // Decodes `request` (whose snappy body declares `decoded_size` bytes) in
  // an ingest slot and stores it; the budget is held by the caller.
  Response Ingest(Request& request, RemoteWriteVersion version,
                  size_t decoded_size, DB* db);
  // Decides about `batch` with the HaTracker; at a failover, first stores
  // the newly elected replica's buffered requests into `db`. `standby`
  // (the request as received) may be moved into the standby buffer.
  HaOutcome ApplyHaTracking(const WriteBatch& batch, DB* db,
                            StandbyRequest* standby);
  // Stores `replay` (requests of the elected replica of `cluster`, oldest
  // first) and ends the tracker's replay.
  void ReplayStandby(DB* db, std::string_view cluster,
                     std::vector<StandbyRequest>* replay);
  // Appends `batch` to `db` without `drop_label` and records the result
  // (metrics, metadata flush); `start` is when its handling began.
  IngestResult Store(DB* db, const WriteBatch& batch,
                     std::string_view drop_label,
                     std::chrono::steady_clock::time_point start);
  // The answer to a request ingested with `result` (which is not fatal).
  Response Answer(const Request& request, const IngestResult& result,
                  bool tolerate_overlap);
  void RecordResult(const IngestResult& result, double seconds);

  // Constant after construction.
  const RemoteWriteOptions options_;
  const int max_inflight_requests_;
  MetadataStore* const metadata_;
  // Null without HA tracking.
  const std::unique_ptr<HaTracker> ha_;

  IngestTarget target_;
  IngestSlots slots_;
  std::atomic<int> inflight_requests_{0};
  std::atomic<int64_t> inflight_bytes_{0};
  OncePerSecond log_rejections_;

  // Owned by the registry.
  Counter* requests_v1_;
  Counter* requests_v2_;
  CounterFamily* refused_;
  Counter* samples_written_;
  CounterFamily* samples_rejected_;
  Counter* exemplars_;
  Counter* histograms_dropped_;
  Counter* histograms_invalid_;
  Counter* series_received_;
  Counter* series_cache_misses_;
  Counter* metadata_updates_;
  Counter* start_timestamps_;
  Histogram* ingest_duration_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_REMOTE_WRITE_HANDLER_H_
