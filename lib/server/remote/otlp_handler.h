// OtlpHandler: POST /api/v1/otlp/v1/metrics, the OTLP/HTTP metrics
// receiver of Prometheus 3 (--web.enable-otlp-receiver, off by default as
// there; when off the path answers 404 naming the flag, as Prometheus's).
//
//   Content-Type: application/x-protobuf (an ExportMetricsServiceRequest);
//     anything else, or none, is answered 400 as by Prometheus (OTLP/JSON,
//     which Prometheus also takes, is not supported yet).
//   Content-Encoding: gzip, or none; anything else 400.
//
// The request is decoded (otlp_decoder.h), translated to Prometheus series
// as Prometheus does (otlp_translator.h) and stored by the same
// RemoteWriteIngester as remote write: the same label limits
// (--remote-write.max-label-*), future-timestamp bound, per-sample
// rejections and metadata store, and the same authentication (the web
// configuration applies to every path).
//
// Answers:
//   200  everything stored (empty body, as Prometheus's receiver: OTLP
//        exporters take it as an empty ExportMetricsServiceResponse);
//   400  the body is not valid (gzip, protobuf) or too large, or some data
//        points could not be translated (delta temporality, exponential
//        histograms, ...) or some samples were rejected (out of order,
//        ...): the rest is stored and the text body names the rejections.
//        Prometheus answers 400 for a rejected sample too, but stores
//        nothing of such a request; a 400 is final for OTLP exporters, so
//        storing the rest loses less;
//   404  the receiver is off;
//   429  more than max_inflight_requests requests at once (Retry-After);
//   500  the commit failed (the exporter retries);
//   503  not ready yet, or shutting down.
//
// Thread-safety: RegisterRoutes once before serving; everything else is
// safe to call concurrently. An attached DB must stay open until detached
// (SetDB(nullptr)) and the server has drained in-flight requests.
#ifndef STRATA_SERVER_REMOTE_OTLP_HANDLER_H_
#define STRATA_SERVER_REMOTE_OTLP_HANDLER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "server/http/http.h"
#include "server/http/router.h"
#include "server/metrics/metrics.h"
#include "server/remote/ingest_outcome.h"
#include "server/remote/ingest_slots.h"
#include "server/remote/ingest_target.h"
#include "server/remote/metadata_store.h"
#include "server/remote/otlp_translator.h"
#include "server/remote/remote_write_ingester.h"
#include "server/remote/series_ref_cache.h"
#include "strata/db.h"

namespace strata::server {

inline constexpr std::string_view kOtlpMetricsPath = "/api/v1/otlp/v1/metrics";

struct OtlpOptions {
  // --web.enable-otlp-receiver.
  bool enabled = false;
  // The same limits as remote write's.
  IngestOptions ingest;
  OtlpTranslateOptions translate;
  // Largest body accepted, compressed or decompressed (Prometheus reads at
  // most 32 MiB of it).
  size_t max_decoded_bytes = 32 << 20;
  // Requests being decoded or stored at once (past them, 429), and those
  // that run at once (the rest wait); 0: remote write's defaults
  // (max(64, 8 x cores) and one per core).
  int max_inflight_requests = 0;
  int ingest_concurrency = 0;
  int retry_after_seconds = 1;
  size_t series_cache_entries = 1 << 20;
  std::chrono::milliseconds metadata_flush_interval = std::chrono::seconds(5);
};

class OtlpHandler {
 public:
  // `registry` receives the strata_otlp_* metrics; `metadata` (may be
  // null) stores metric metadata. Neither is owned.
  OtlpHandler(OtlpOptions options, MetricsRegistry* registry,
              MetadataStore* metadata);
  OtlpHandler(const OtlpHandler&) = delete;
  OtlpHandler& operator=(const OtlpHandler&) = delete;

  void RegisterRoutes(Router* router);

  // Attaches the DB to write to (nullptr detaches: 503 until attached).
  // Not owned.
  void SetDB(DB* db);

  Response Handle(Request& request);

 private:
  Response Refuse(int status, std::string_view reason, std::string message);
  // Decodes (from OTLP/JSON when `json`, else protobuf), translates and
  // stores an admitted request.
  Response Ingest(Request& request, bool json, DB* db);
  // The body's bytes: `request.body`, or it gunzipped into
  // *buffer. Non-OK with the 400's message.
  Status Uncompressed(const Request& request, std::string* buffer,
                      std::string_view* out) const;
  Response Answer(const Request& request, const OtlpTranslation& translation,
                  const IngestResult& result);
  void Record(const OtlpTranslation& translation, const IngestResult& result,
              double seconds);

  // Constant after construction.
  const OtlpOptions options_;
  const int max_inflight_requests_;
  MetadataStore* const metadata_;

  IngestTarget target_;
  IngestSlots slots_;
  std::atomic<int> inflight_{0};
  OncePerSecond log_rejections_;

  // Owned by the registry.
  Counter* requests_;
  CounterFamily* refused_;
  Counter* samples_written_;
  CounterFamily* samples_rejected_;
  CounterFamily* points_rejected_;
  Counter* label_collisions_;
  Counter* metadata_updates_;
  Histogram* ingest_duration_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_OTLP_HANDLER_H_
