// POST /api/v1/otlp/v1/metrics end to end (server/remote/otlp_handler.h):
// content negotiation, gzip, OTLP/JSON parsing, the protobuf decoder, the
// OpenTelemetry-to-Prometheus translation (ScratchDB has native
// histograms on) and
// ingestion into a real DB (ScratchDB).
//
// Input: a flags byte, then the body. Flags: bit 0 OTLP/JSON (else
// protobuf) in Content-Type; bit 1 send Content-Encoding: gzip; bit 2
// gzip the body here (else it is taken as already compressed, which
// exercises the gunzip bounds on arbitrary bytes).
// Invariant: no 500 (the DB is healthy, so a commit never fails).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "remote_handler_harness.h"
#include "server/http/gzip_body_writer.h"
#include "server/remote/otlp_handler.h"

namespace {

using strata::server::OtlpHandler;
using strata::server::OtlpOptions;

// The handler, enabled, over the shared harness's DB.
struct Target {
  Target() { harness.Attach(&handler); }
  static OtlpOptions Enabled() {
    OtlpOptions options;
    options.enabled = true;
    return options;
  }

  strata::fuzz::RemoteHandlerHarness harness;
  OtlpHandler handler{Enabled(), harness.registry(), harness.metadata()};
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
  request.target = request.path = "/api/v1/otlp/v1/metrics";
  request.headers.Set("Content-Type", (flags & 1) != 0
                                          ? "application/json"
                                          : "application/x-protobuf");
  if ((flags & 2) != 0) request.headers.Set("Content-Encoding", "gzip");
  if ((flags & 4) != 0) {
    FUZZ_CHECK(strata::server::Gzip(payload, &request.body).ok(),
               "gzip failed");
  } else {
    request.body = std::string(payload);
  }
  const strata::server::Response response = target.handler.Handle(request);
  FUZZ_CHECK(response.status != strata::server::kHttpInternalServerError,
             "OTLP answered 500: " + response.body);
  target.harness.MaybeReset();
  return 0;
}
