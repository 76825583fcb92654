#include "server/remote/remote_write_handler.h"

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/remote/ingest_outcome.h"
#include "server/remote/remote_write_decoder.h"
#include "snappy.h"
#include "util/file_system.h"
#include "util/log.h"
#include "util/strings.h"

namespace strata::server {
namespace {

constexpr int kHttpAccepted = 202;
constexpr int kHttpUnsupportedMediaType = 415;
constexpr int kHttpTooManyRequests = 429;

constexpr std::string_view kProtobufMediaType = "application/x-protobuf";
constexpr std::string_view kProtoV1 = "prometheus.WriteRequest";
constexpr std::string_view kProtoV2 = "io.prometheus.write.v2.Request";
constexpr std::string_view kSnappyEncoding = "snappy";

constexpr std::string_view kSamplesWrittenHeader =
    "X-Prometheus-Remote-Write-Samples-Written";
constexpr std::string_view kHistogramsWrittenHeader =
    "X-Prometheus-Remote-Write-Histograms-Written";
constexpr std::string_view kExemplarsWrittenHeader =
    "X-Prometheus-Remote-Write-Exemplars-Written";

// Per-thread buffers keep their capacity between requests; past this they
// are released so one huge request does not pin memory in every thread.
constexpr size_t kMaxRetainedBuffer = 4 << 20;

// Picks the version from a Content-Type value: application/x-protobuf
// means 1.0 unless a proto parameter says 2.0. Returns false if absent or
// unsupported, with `why` set. Prometheus's receiver takes an absent
// Content-Type as 1.0; Strata requires it, so that a web page cannot write
// with a cross-site "simple" request (which cannot set this type).
bool NegotiateVersion(std::string_view content_type,
                      RemoteWriteVersion* version, std::string* why) {
  *version = RemoteWriteVersion::kV1;
  content_type = TrimSpace(content_type);
  if (content_type.empty()) {
    *why = Cat("missing Content-Type; expected ", kProtobufMediaType);
    return false;
  }
  const size_t semi = content_type.find(';');
  const std::string_view media = TrimSpace(content_type.substr(0, semi));
  if (!EqualsIgnoreCase(media, kProtobufMediaType)) {
    *why = Cat("unsupported Content-Type \"", content_type, "\"; expected ",
               kProtobufMediaType);
    return false;
  }
  std::string_view params =
      semi == std::string_view::npos ? "" : content_type.substr(semi + 1);
  while (!params.empty()) {
    const size_t next = params.find(';');
    std::string_view param = TrimSpace(params.substr(0, next));
    params = next == std::string_view::npos ? "" : params.substr(next + 1);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = TrimSpace(param.substr(0, eq));
    std::string_view value = TrimSpace(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!EqualsIgnoreCase(key, "proto")) continue;
    if (value == kProtoV1) {
      *version = RemoteWriteVersion::kV1;
    } else if (value == kProtoV2) {
      *version = RemoteWriteVersion::kV2;
    } else {
      *why = Cat("unsupported proto \"", value, "\"; expected ", kProtoV1,
                 " or ", kProtoV2);
      return false;
    }
  }
  return true;
}

// Decompresses the snappy `body`, whose header declares `decoded_size`
// bytes, into *decoded and decodes it as `version` into *batch (labels
// deferred: decoded only for series not in the cache). The one decoding
// path of both received and replayed (HA standby) requests.
// ResourceExhausted past `max_series` series (0: no limit).
Status DecodeBody(RemoteWriteVersion version, std::string_view body,
                  size_t decoded_size, size_t max_series, std::string* decoded,
                  WriteBatch* batch) {
  decoded->resize(decoded_size);
  if (!snappy::RawUncompress(body.data(), body.size(), decoded->data())) {
    return Status::InvalidArgument("snappy: corrupt or truncated input");
  }
  batch->defer_labels = true;  // Decoded only for series not in the cache.
  batch->max_series = max_series;
  return DecodeWriteRequest(version, *decoded, batch);
}

// The memory a request takes while it is ingested: its compressed body,
// the decompressed body, and the decoded batch, whose entries (a
// WireSample is 24 bytes, a WireSeries with its labels more than its wire
// form) take about as much again.
int64_t InflightBytes(size_t body_bytes, size_t decoded_bytes) {
  return static_cast<int64_t>(body_bytes) +
         2 * static_cast<int64_t>(decoded_bytes);
}

void SetWrittenHeaders(int64_t samples, int64_t histograms, int64_t exemplars,
                       Response* response) {
  response->headers.Set(std::string(kSamplesWrittenHeader),
                        std::to_string(samples));
  response->headers.Set(std::string(kHistogramsWrittenHeader),
                        std::to_string(histograms));
  response->headers.Set(std::string(kExemplarsWrittenHeader),
                        std::to_string(exemplars));
}

bool IsOverlap(RejectReason reason) {
  return reason == RejectReason::kOutOfOrder ||
         reason == RejectReason::kDuplicate ||
         reason == RejectReason::kOutOfBounds;
}

// The samples of `result` rejected for reasons an HA pair's overlap causes
// (samples at or before what the other replica already stored), or -1 if
// any sample was rejected for another reason.
int64_t OverlapRejected(const IngestResult& result) {
  int64_t overlap = 0;
  for (size_t i = 0; i < kNumRejectReasons; ++i) {
    if (result.rejected[i] == 0) continue;
    if (!IsOverlap(static_cast<RejectReason>(i))) return -1;
    overlap += result.rejected[i];
  }
  return overlap;
}

}  // namespace

class RemoteWriteHandler::BudgetGuard {
 public:
  BudgetGuard(RemoteWriteHandler* handler, int64_t bytes)
      : handler_(handler), bytes_(bytes) {
    const int requests = handler_->inflight_requests_.fetch_add(1) + 1;
    const int64_t total = handler_->inflight_bytes_.fetch_add(bytes) + bytes;
    // The first request in flight always fits, however large.
    acquired_ =
        requests <= handler_->max_inflight_requests_ &&
        (requests == 1 || total <= handler_->options_.max_inflight_bytes);
  }
  ~BudgetGuard() {
    handler_->inflight_requests_.fetch_sub(1);
    handler_->inflight_bytes_.fetch_sub(bytes_);
  }
  bool acquired() const { return acquired_; }

 private:
  RemoteWriteHandler* handler_;
  int64_t bytes_;
  bool acquired_;
};

RemoteWriteHandler::RemoteWriteHandler(RemoteWriteOptions options,
                                       MetricsRegistry* registry,
                                       MetadataStore* metadata)
    : options_(std::move(options)),
      max_inflight_requests_(
          options_.max_inflight_requests > 0
              ? options_.max_inflight_requests
              : std::max(64, 8 * static_cast<int>(
                                     std::thread::hardware_concurrency()))),
      metadata_(metadata),
      ha_(options_.ha.enabled()
              ? std::make_unique<HaTracker>(options_.ha, registry)
              : nullptr),
      target_(options_.series_cache_entries),
      slots_(options_.ingest_concurrency) {
  CounterFamily* requests = registry->AddCounterFamily(
      "strata_remote_write_requests_total",
      "Remote write requests received, by protocol version.", {"version"});
  requests_v1_ = requests->WithLabelValues({"1.0"});
  requests_v2_ = requests->WithLabelValues({"2.0"});
  refused_ = registry->AddCounterFamily(
      "strata_remote_write_requests_refused_total",
      "Remote write requests refused as a whole, by reason.", {"reason"});
  refused_->WithLabelValues({"overloaded"});  // Exported from the start.
  samples_written_ =
      registry->AddCounter("strata_remote_write_samples_written_total",
                           "Samples stored from remote write requests.");
  samples_rejected_ = registry->AddCounterFamily(
      "strata_remote_write_samples_rejected_total",
      "Samples of remote write requests not stored, by reason.", {"reason"});
  for (size_t i = 0; i < kNumRejectReasons; ++i) {
    samples_rejected_->WithLabelValues(
        {RejectReasonName(static_cast<RejectReason>(i))});
  }
  exemplars_ =
      registry->AddCounter("strata_remote_write_exemplars_accepted_total",
                           "Exemplars accepted from remote write requests.");
  histograms_dropped_ = registry->AddCounter(
      "strata_remote_write_histograms_dropped_total",
      "Native histogram samples received but not stored (invalid, refused, "
      "or of an invalid series).");
  histograms_invalid_ = registry->AddCounter(
      "strata_remote_write_histograms_invalid_total",
      "Native histogram samples received that Prometheus would refuse as "
      "invalid (spans, buckets or count disagree); not stored either.");
  series_received_ =
      registry->AddCounter("strata_remote_write_series_received_total",
                           "Series entries in remote write requests.");
  series_cache_misses_ = registry->AddCounter(
      "strata_remote_write_series_cache_misses_total",
      "Series entries whose labels were not in the series ref cache.");
  metadata_updates_ = registry->AddCounter(
      "strata_remote_write_metadata_updates_total",
      "Changes to stored metric metadata from remote write requests.");
  start_timestamps_ = registry->AddCounter(
      "strata_remote_write_start_timestamps_total",
      "Series that carried a created/start timestamp (ignored).");
  ingest_duration_ = registry->AddHistogram(
      "strata_remote_write_ingest_duration_seconds",
      "Time to decompress, decode, append and commit one remote write "
      "request.");
  registry->AddGaugeFunc(
      "strata_remote_write_inflight_requests",
      "Remote write requests admitted: waiting for an ingest slot or "
      "being ingested.",
      [this] { return inflight_requests_.load(); });
  registry->AddGaugeFunc(
      "strata_remote_write_inflight_bytes",
      "Estimated memory of the remote write requests being processed "
      "(compressed and decompressed body, decoded batch).",
      [this] { return static_cast<double>(inflight_bytes_.load()); });
  registry->AddGaugeFunc(
      "strata_remote_write_ingest_waiting_requests",
      "Admitted remote write requests waiting for an ingest slot.",
      [this] { return slots_.waiting(); });
  registry->AddGaugeFunc(
      "strata_remote_write_series_cache_entries",
      "Label sets in the remote write series ref cache.",
      [this] { return static_cast<double>(target_.cache()->size()); });
}

void RemoteWriteHandler::RegisterRoutes(Router* router) {
  router->Post(kRemoteWritePath,
               [this](Request& request) { return Handle(request); });
}

void RemoteWriteHandler::SetDB(DB* db) { target_.Set(db); }

Response RemoteWriteHandler::Refuse(int status, std::string_view reason,
                                    std::string message) {
  return RefuseRequest(refused_, status, reason, std::move(message));
}

Response RemoteWriteHandler::Handle(Request& request) {
  DB* db = target_.db();
  if (db == nullptr) {
    return Refuse(kHttpServiceUnavailable, "unavailable",
                  "Service Unavailable");
  }
  RemoteWriteVersion version;
  std::string why;
  if (!NegotiateVersion(request.headers.Get("Content-Type"), &version, &why)) {
    return Refuse(kHttpUnsupportedMediaType, "unsupported_media_type", why);
  }
  (version == RemoteWriteVersion::kV1 ? requests_v1_ : requests_v2_)->Inc();
  const std::string_view encoding =
      TrimSpace(request.headers.Get("Content-Encoding"));
  if (!EqualsIgnoreCase(encoding, kSnappyEncoding)) {
    return Refuse(kHttpUnsupportedMediaType, "unsupported_media_type",
                  encoding.empty()
                      ? std::string("missing Content-Encoding; expected snappy")
                      : Cat("unsupported Content-Encoding \"", encoding,
                            "\"; expected snappy"));
  }

  const std::string& body = request.body;
  size_t decoded_size = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &decoded_size)) {
    return Refuse(kHttpBadRequest, "malformed",
                  "snappy: corrupt input (bad length header)");
  }
  if (decoded_size > options_.max_decoded_bytes) {
    return Refuse(
        kHttpBadRequest, "too_large",
        Cat("snappy: decoded length ", decoded_size, " exceeds the limit of ",
            options_.max_decoded_bytes, " bytes"));
  }
  BudgetGuard budget(this, InflightBytes(body.size(), decoded_size));
  if (!budget.acquired()) {
    Response r = Refuse(kHttpTooManyRequests, "overloaded",
                        "too many remote write requests in flight; retry "
                        "later");
    r.headers.Set("Retry-After", std::to_string(options_.retry_after_seconds));
    return r;
  }
  return Ingest(request, version, decoded_size, db);
}

Response RemoteWriteHandler::Ingest(Request& request,
                                    RemoteWriteVersion version,
                                    size_t decoded_size, DB* db) {
  std::optional<IngestSlots::Lease> slot =
      slots_.Acquire(request.client_gone.get());
  if (!slot) {
    // Nobody reads this answer; the sender will retry the batch.
    return Refuse(kHttpServiceUnavailable, "canceled",
                  "client went away while the request waited");
  }
  const auto start = std::chrono::steady_clock::now();
  std::string& decoded = slot->buffers()->decoded;
  WriteBatch& batch = slot->buffers()->batch;
  Status decode_status =
      DecodeBody(version, request.body, decoded_size,
                 options_.max_series_per_request, &decoded, &batch);
  if (!decode_status.ok()) {
    const bool too_many = decode_status.Is(StatusCode::kResourceExhausted);
    return Refuse(kHttpBadRequest, too_many ? "too_many_series" : "malformed",
                  std::string(decode_status.message()));
  }

  // The request as received, for the HA standby buffer (which may keep
  // it): the body is no longer needed here, `batch` points into `decoded`.
  StandbyRequest standby{version, {}};
  if (ha_ != nullptr && ha_->options().standby_buffer_bytes > 0) {
    standby.body = std::move(request.body);
  }
  HaOutcome ha = ApplyHaTracking(batch, db, &standby);
  if (ha.response) return *std::move(ha.response);

  const IngestResult result = Store(db, batch, ha.drop_label, start);

  if (!result.fatal.ok()) {
    FatalRefusal refusal =
        RefusalOfFatal(result.fatal, "Error appending remote write", *db);
    return Refuse(refusal.status, refusal.reason, std::move(refusal.message));
  }
  return Answer(request, result, ha.tolerate_overlap);
}

IngestResult RemoteWriteHandler::Store(
    DB* db, const WriteBatch& batch, std::string_view drop_label,
    std::chrono::steady_clock::time_point start) {
  RemoteWriteIngester ingester(db, target_.cache(), metadata_, options_.ingest);
  const IngestResult result =
      ingester.Ingest(batch, WallClockMillis(), drop_label);
  start_timestamps_->Inc(static_cast<double>(batch.start_timestamps));
  RecordResult(result, std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count());
  PersistMetadata(metadata_, result.metadata_updates,
                  options_.metadata_flush_interval);
  return result;
}

void RemoteWriteHandler::ReplayStandby(DB* db, std::string_view cluster,
                                       std::vector<StandbyRequest>* replay) {
  // Local buffers: the slot's hold the request being handled.
  std::string decoded;
  WriteBatch batch;
  int64_t stored = 0;
  for (const StandbyRequest& r : *replay) {
    const auto start = std::chrono::steady_clock::now();
    size_t decoded_size = 0;
    // These bodies were decoded once already, when they were received.
    if (!snappy::GetUncompressedLength(r.body.data(), r.body.size(),
                                       &decoded_size) ||
        !DecodeBody(r.version, r.body, decoded_size,
                    options_.max_series_per_request, &decoded, &batch)
             .ok()) {
      continue;
    }
    const IngestResult result =
        Store(db, batch, ha_->options().replica_label, start);
    stored += result.samples_written;
    if (!result.fatal.ok()) {
      // The rest would fail alike; the current request answers the error.
      STRATA_LOG(kError, "Error replaying buffered HA requests",
                 {{"cluster", std::string(cluster)},
                  {"err", result.fatal.ToString()}});
      break;
    }
  }
  ha_->FinishReplay(cluster, stored);
}

RemoteWriteHandler::HaOutcome RemoteWriteHandler::ApplyHaTracking(
    const WriteBatch& batch, DB* db, StandbyRequest* standby) {
  HaOutcome outcome;
  if (ha_ == nullptr) return outcome;
  thread_local std::vector<WireLabel> scratch;
  const std::optional<HaLabels> labels =
      FindHaLabels(batch, ha_->options(), &scratch);
  if (!labels) return outcome;
  const int64_t samples =
      static_cast<int64_t>(batch.samples.size()) + batch.histograms;
  std::vector<StandbyRequest> replay;
  switch (
      ha_->Admit(labels->cluster, labels->replica, samples, standby, &replay)) {
    case HaTracker::Decision::kAccept:
      // A failover: the new replica's requests dropped while it waited
      // fill the gap, stored before this one (Admit's contract).
      if (!replay.empty()) ReplayStandby(db, labels->cluster, &replay);
      outcome.drop_label = ha_->options().replica_label;
      outcome.tolerate_overlap = true;
      break;
    case HaTracker::Decision::kDeduplicate: {
      Response response;
      response.status = kHttpAccepted;
      SetWrittenHeaders(static_cast<int64_t>(batch.samples.size()),
                        batch.histograms, batch.exemplars, &response);
      outcome.response = std::move(response);
      break;
    }
    case HaTracker::Decision::kTooManyClusters:
      outcome.response = Refuse(kHttpBadRequest, "ha_too_many_clusters",
                                Cat("too many HA clusters (limit: ",
                                    ha_->options().max_clusters, ")"));
      break;
  }
  return outcome;
}

Response RemoteWriteHandler::Answer(const Request& request,
                                    const IngestResult& result,
                                    bool tolerate_overlap) {
  Response response;
  response.status = kHttpNoContent;
  int64_t acknowledged = result.samples_written;
  const int64_t overlap = tolerate_overlap ? OverlapRejected(result) : -1;
  if (overlap >= 0) {
    // Only overlap an HA replica is known to have: acknowledged (counted
    // by reason, not logged), and reported as written like the samples of
    // a deduplicated request.
    acknowledged += overlap;
  } else if (result.total_rejected() > 0) {
    std::string summary = result.RejectionSummary();
    if (log_rejections_.Allow()) {
      STRATA_LOG(kWarn, "Remote write samples rejected",
                 {{"remote", request.remote_address}, {"err", summary}});
    }
    summary += '\n';
    // Prometheus 2.42 answers a too old sample (beyond the out-of-order
    // window) with 500, not 400 as the other refusals.
    const bool too_old =
        result.rejected[static_cast<size_t>(RejectReason::kTooOldSample)] > 0;
    response =
        Response::Text(too_old ? kHttpInternalServerError : kHttpBadRequest,
                       std::move(summary));
  }
  if (!result.histogram_errors.empty() && log_rejections_.Allow()) {
    STRATA_LOG(kWarn, "Remote write native histograms invalid",
               {{"remote", request.remote_address},
                {"count", std::to_string(result.histograms_invalid)},
                {"err", result.histogram_errors.front()}});
  }
  if (result.histograms_invalid > 0 && response.status == kHttpNoContent) {
    // Invalid histograms are not stored, the rest is, and the sender hears
    // 400: a retry cannot fix them. Prometheus 2.42 answers 500 (its head
    // refuses the whole request), later Prometheus 400 as here.
    std::string text = Cat(result.histograms_invalid,
                           " native histograms invalid and not stored");
    if (!result.histogram_errors.empty()) {
      CatTo(&text, ": ", result.histogram_errors.front());
    }
    response = Response::Text(kHttpBadRequest, text + "\n");
  }
  SetWrittenHeaders(acknowledged, result.histograms_written,
                    result.exemplars_accepted, &response);
  return response;
}

void RemoteWriteHandler::RecordResult(const IngestResult& result,
                                      double seconds) {
  ingest_duration_->Observe(seconds);
  if (result.samples_written > 0) {
    samples_written_->Inc(static_cast<double>(result.samples_written));
  }
  for (size_t i = 0; i < kNumRejectReasons; ++i) {
    if (result.rejected[i] == 0) continue;
    samples_rejected_
        ->WithLabelValues({RejectReasonName(static_cast<RejectReason>(i))})
        ->Inc(static_cast<double>(result.rejected[i]));
  }
  if (result.exemplars_accepted > 0) {
    exemplars_->Inc(static_cast<double>(result.exemplars_accepted));
  }
  if (result.histograms_dropped > 0) {
    histograms_dropped_->Inc(static_cast<double>(result.histograms_dropped));
  }
  if (result.histograms_invalid > 0) {
    histograms_invalid_->Inc(static_cast<double>(result.histograms_invalid));
  }
  series_received_->Inc(static_cast<double>(result.series));
  series_cache_misses_->Inc(static_cast<double>(result.series_cache_misses));
  if (result.metadata_updates > 0) {
    metadata_updates_->Inc(static_cast<double>(result.metadata_updates));
  }
}

}  // namespace strata::server
