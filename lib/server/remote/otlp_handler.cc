#include "server/remote/otlp_handler.h"

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "server/http/gunzip.h"
#include "server/remote/ingest_outcome.h"
#include "server/remote/otlp_decoder.h"
#include "server/remote/otlp_json.h"
#include "util/log.h"
#include "util/strings.h"

namespace strata::server {
namespace {

constexpr int kHttpTooManyRequests = 429;
constexpr std::string_view kProtobufContentType = "application/x-protobuf";
constexpr std::string_view kJsonContentType = "application/json";

// Counts a request in flight while it lives.
class InflightGuard {
 public:
  InflightGuard(std::atomic<int>* inflight, int max)
      : inflight_(inflight), admitted_(inflight->fetch_add(1) < max) {}
  ~InflightGuard() { inflight_->fetch_sub(1); }
  InflightGuard(const InflightGuard&) = delete;
  InflightGuard& operator=(const InflightGuard&) = delete;
  bool admitted() const { return admitted_; }

 private:
  std::atomic<int>* const inflight_;
  const bool admitted_;
};

}  // namespace

OtlpHandler::OtlpHandler(OtlpOptions options, MetricsRegistry* registry,
                         MetadataStore* metadata)
    : options_(std::move(options)),
      max_inflight_requests_(
          options_.max_inflight_requests > 0
              ? options_.max_inflight_requests
              : std::max(64, 8 * static_cast<int>(
                                     std::thread::hardware_concurrency()))),
      metadata_(metadata),
      target_(options_.series_cache_entries),
      slots_(options_.ingest_concurrency) {
  requests_ = registry->AddCounter("strata_otlp_requests_total",
                                   "OTLP metrics export requests received.");
  refused_ = registry->AddCounterFamily(
      "strata_otlp_requests_refused_total",
      "OTLP metrics export requests refused as a whole, by reason.",
      {"reason"});
  samples_written_ =
      registry->AddCounter("strata_otlp_samples_written_total",
                           "Samples stored from OTLP metrics requests.");
  samples_rejected_ = registry->AddCounterFamily(
      "strata_otlp_samples_rejected_total",
      "Samples translated from OTLP metrics requests but not stored, by "
      "reason.",
      {"reason"});
  points_rejected_ = registry->AddCounterFamily(
      "strata_otlp_data_points_rejected_total",
      "OTLP data points that could not be translated to Prometheus samples, "
      "by reason.",
      {"reason"});
  for (size_t i = 0; i < kNumOtlpRejectReasons; ++i) {
    points_rejected_->WithLabelValues(
        {OtlpRejectReasonName(static_cast<OtlpRejectReason>(i))});
  }
  label_collisions_ = registry->AddCounter(
      "strata_otlp_label_name_collisions_total",
      "OTLP attributes whose names collided after sanitization (their "
      "values are joined with ';').");
  metadata_updates_ = registry->AddCounter(
      "strata_otlp_metadata_updates_total",
      "Changes to stored metric metadata from OTLP metrics requests.");
  ingest_duration_ = registry->AddHistogram(
      "strata_otlp_ingest_duration_seconds",
      "Time to decompress, decode, translate, append and commit one OTLP "
      "metrics request.");
}

void OtlpHandler::RegisterRoutes(Router* router) {
  router->Post(kOtlpMetricsPath,
               [this](Request& request) { return Handle(request); });
}

void OtlpHandler::SetDB(DB* db) { target_.Set(db); }

Response OtlpHandler::Refuse(int status, std::string_view reason,
                             std::string message) {
  return RefuseRequest(refused_, status, reason, std::move(message));
}

Response OtlpHandler::Handle(Request& request) {
  if (!options_.enabled) {
    return Response::Text(kHttpNotFound,
                          "otlp write receiver needs to be enabled with "
                          "--web.enable-otlp-receiver\n");
  }
  DB* db = target_.db();
  if (db == nullptr) {
    return Refuse(kHttpServiceUnavailable, "unavailable",
                  "Service Unavailable");
  }
  requests_->Inc();
  const std::string_view content_type =
      TrimSpace(request.headers.Get("Content-Type"));
  const std::string_view media_type =
      TrimSpace(content_type.substr(0, content_type.find(';')));
  const bool json = EqualsIgnoreCase(media_type, kJsonContentType);
  if (!json && !EqualsIgnoreCase(media_type, kProtobufContentType)) {
    return Refuse(
        kHttpBadRequest, "unsupported_content_type",
        Cat("unsupported content type: ", content_type, ", supported: [",
            kJsonContentType, ", ", kProtobufContentType, "]"));
  }
  InflightGuard inflight(&inflight_, max_inflight_requests_);
  if (!inflight.admitted()) {
    Response r = Refuse(kHttpTooManyRequests, "overloaded",
                        "too many OTLP requests in flight; retry later");
    r.headers.Set("Retry-After", std::to_string(options_.retry_after_seconds));
    return r;
  }
  return Ingest(request, json, db);
}

Status OtlpHandler::Uncompressed(const Request& request, std::string* buffer,
                                 std::string_view* out) const {
  const std::string_view encoding =
      TrimSpace(request.headers.Get("Content-Encoding"));
  if (encoding.empty()) {
    if (request.body.size() > options_.max_decoded_bytes) {
      return Status::ResourceExhausted(Cat("request body exceeds the limit of ",
                                           options_.max_decoded_bytes,
                                           " bytes"));
    }
    *out = request.body;
    return Status::OK();
  }
  if (!EqualsIgnoreCase(encoding, "gzip")) {
    return Status::InvalidArgument(
        Cat("unsupported compression: ", encoding,
            ". Only \"gzip\" or no compression supported"));
  }
  STRATA_RETURN_IF_ERROR(
      Gunzip(request.body, options_.max_decoded_bytes, buffer));
  *out = *buffer;
  return Status::OK();
}

Response OtlpHandler::Ingest(Request& request, bool json, DB* db) {
  std::optional<IngestSlots::Lease> slot =
      slots_.Acquire(request.client_gone.get());
  if (!slot) {
    return Refuse(kHttpServiceUnavailable, "canceled",
                  "client went away while the request waited");
  }
  const auto start = std::chrono::steady_clock::now();
  std::string_view body;
  if (Status st = Uncompressed(request, &slot->buffers()->decoded, &body);
      !st.ok()) {
    return Refuse(
        kHttpBadRequest,
        st.Is(StatusCode::kResourceExhausted) ? "too_large" : "malformed",
        std::string(st.message()));
  }
  if (json) {
    std::string* protobuf = &slot->buffers()->transcoded;
    if (Status st = OtlpJsonToProtobuf(body, protobuf); !st.ok()) {
      return Refuse(kHttpBadRequest, "malformed", std::string(st.message()));
    }
    body = *protobuf;
  }
  OtlpRequest decoded;
  if (Status st = DecodeOtlpMetricsRequest(body, &decoded); !st.ok()) {
    return Refuse(kHttpBadRequest, "malformed", std::string(st.message()));
  }
  OtlpTranslation translation;
  TranslateOtlp(decoded, options_.translate,
                options_.ingest.max_described_rejections, &translation);
  RemoteWriteIngester ingester(db, target_.cache(), metadata_, options_.ingest);
  const IngestResult result =
      ingester.Ingest(translation.batch, WallClockMillis());
  Record(translation, result,
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
             .count());
  if (!result.fatal.ok()) {
    FatalRefusal refusal =
        RefusalOfFatal(result.fatal, "Error appending OTLP metrics", *db);
    return Refuse(refusal.status, refusal.reason, std::move(refusal.message));
  }
  return Answer(request, translation, result);
}

Response OtlpHandler::Answer(const Request& request,
                             const OtlpTranslation& translation,
                             const IngestResult& result) {
  if (translation.total_rejected() == 0 && result.total_rejected() == 0) {
    Response ok;
    ok.status = kHttpOk;
    return ok;
  }
  std::string summary;
  if (translation.total_rejected() > 0) {
    summary = translation.RejectionSummary();
  }
  if (result.total_rejected() > 0) {
    CatTo(&summary, summary.empty() ? "" : "; ", result.RejectionSummary());
  }
  if (log_rejections_.Allow()) {
    STRATA_LOG(kWarn, "OTLP data points rejected",
               {{"remote", request.remote_address}, {"err", summary}});
  }
  summary += '\n';
  return Response::Text(kHttpBadRequest, std::move(summary));
}

void OtlpHandler::Record(const OtlpTranslation& translation,
                         const IngestResult& result, double seconds) {
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
  for (size_t i = 0; i < kNumOtlpRejectReasons; ++i) {
    if (translation.rejected[i] == 0) continue;
    points_rejected_
        ->WithLabelValues(
            {OtlpRejectReasonName(static_cast<OtlpRejectReason>(i))})
        ->Inc(static_cast<double>(translation.rejected[i]));
  }
  if (translation.label_collisions > 0) {
    label_collisions_->Inc(static_cast<double>(translation.label_collisions));
  }
  if (result.metadata_updates > 0) {
    metadata_updates_->Inc(static_cast<double>(result.metadata_updates));
  }
  PersistMetadata(metadata_, result.metadata_updates,
                  options_.metadata_flush_interval);
}

}  // namespace strata::server
