// POST /api/v1/write end to end (server/remote/remote_write_handler.h):
// content negotiation, snappy framing, the 1.0/2.0 decoder, label and
// limit checks, HA tracking and ingestion into a real DB (ScratchDB).
//
// Input: a flags byte, then the body. Flags: bit 0 version 2.0 (else 1.0)
// in Content-Type; bit 1 send Content-Encoding: snappy (else none); bit 2
// snappy-compress the body here (else it is taken as already compressed,
// which exercises snappy's decoder on arbitrary bytes); bit 3 use the
// handler with HA tracking.
// Invariant: no 500 (the DB is healthy, so a commit never fails).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "scratch_db.h"
#include "server/metrics/metrics.h"
#include "server/remote/metadata_store.h"
#include "server/remote/remote_write_handler.h"
#include "snappy.h"
#include "util/log.h"

namespace {

using strata::server::RemoteWriteHandler;
using strata::server::RemoteWriteOptions;

// Inputs between two resets of the DB (bounds the head's memory).
constexpr int kInputsPerDB = 4096;

struct Harness {
  Harness() {
    strata::SetLogLevel(strata::LogLevel::kError);
    metadata = std::make_unique<strata::server::MetadataStore>(
        nullptr, scratch.dir() + "/metadata");
    plain = std::make_unique<RemoteWriteHandler>(RemoteWriteOptions{},
                                                 &registry, metadata.get());
    RemoteWriteOptions ha;
    ha.ha.replica_label = "__replica__";
    ha_registry = std::make_unique<strata::server::MetricsRegistry>();
    with_ha = std::make_unique<RemoteWriteHandler>(ha, ha_registry.get(),
                                                   metadata.get());
    Attach();
  }
  void Attach() {
    plain->SetDB(scratch.db());
    with_ha->SetDB(scratch.db());
  }
  void MaybeReset() {
    if (++inputs % kInputsPerDB != 0) return;
    plain->SetDB(nullptr);
    with_ha->SetDB(nullptr);
    scratch.Reset();
    Attach();
  }

  strata::fuzz::ScratchDB scratch;
  strata::server::MetricsRegistry registry;
  std::unique_ptr<strata::server::MetricsRegistry> ha_registry;
  std::unique_ptr<strata::server::MetadataStore> metadata;
  std::unique_ptr<RemoteWriteHandler> plain;
  std::unique_ptr<RemoteWriteHandler> with_ha;
  int64_t inputs = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness harness;  // Its destructor removes the DB's directory.
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  const std::string_view payload(reinterpret_cast<const char*>(data) + 1,
                                 size - 1);
  strata::server::Request request;
  request.method = "POST";
  request.target = request.path = "/api/v1/write";
  request.headers.Set(
      "Content-Type",
      (flags & 1) != 0
          ? "application/x-protobuf;proto=io.prometheus.write.v2.Request"
          : "application/x-protobuf;proto=prometheus.WriteRequest");
  if ((flags & 2) != 0) request.headers.Set("Content-Encoding", "snappy");
  if ((flags & 4) != 0) {
    snappy::Compress(payload.data(), payload.size(), &request.body);
  } else {
    request.body = std::string(payload);
  }
  RemoteWriteHandler& handler =
      (flags & 8) != 0 ? *harness.with_ha : *harness.plain;
  const strata::server::Response response = handler.Handle(request);
  FUZZ_CHECK(response.status != strata::server::kHttpInternalServerError,
             "remote write answered 500: " + response.body);
  harness.MaybeReset();
  return 0;
}
