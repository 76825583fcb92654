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
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "remote_handler_harness.h"
#include "server/metrics/metrics.h"
#include "server/remote/remote_write_handler.h"
#include "snappy.h"

namespace {

using strata::server::RemoteWriteHandler;
using strata::server::RemoteWriteOptions;

// The handler without and with HA tracking over the shared harness's DB.
// The HA handler registers its metrics in a registry of its own: a
// registry aborts on a metric name added twice.
struct Target {
  Target() {
    harness.Attach(&plain);
    harness.Attach(&with_ha);
  }
  static RemoteWriteOptions WithHa() {
    RemoteWriteOptions options;
    options.ha.replica_label = "__replica__";
    return options;
  }

  strata::fuzz::RemoteHandlerHarness harness;
  strata::server::MetricsRegistry ha_registry;
  RemoteWriteHandler plain{RemoteWriteOptions{}, harness.registry(),
                           harness.metadata()};
  RemoteWriteHandler with_ha{WithHa(), &ha_registry, harness.metadata()};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Target target;  // Its destructor removes the DB's directory.
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
      (flags & 8) != 0 ? target.with_ha : target.plain;
  const strata::server::Response response = handler.Handle(request);
  FUZZ_CHECK(response.status != strata::server::kHttpInternalServerError,
             "remote write answered 500: " + response.body);
  target.harness.MaybeReset();
  return 0;
}
