// POST /api/v1/read end to end (server/remote/remote_read_handler.h):
// snappy framing, prometheus.ReadRequest decoding, matchers, response type
// negotiation, and both answers (SAMPLES and streamed XOR chunks) over a
// small DB (ScratchDB) holding a few series.
//
// Input: a flags byte, then the body. Flag bit 0: snappy-compress the body
// here (else it is taken as already compressed, which exercises snappy's
// decoder on arbitrary bytes).
// Invariant: no 500 (the DB is healthy).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "scratch_db.h"
#include "server/metrics/metrics.h"
#include "server/remote/remote_read_handler.h"
#include "snappy.h"
#include "strata/appender.h"
#include "strata/labels.h"
#include "util/log.h"

namespace {

using strata::Status;

// Discards a streamed body.
class NullWriter final : public strata::server::BodyWriter {
 public:
  Status Write(std::string_view) override { return Status::OK(); }
  Status Flush() override { return Status::OK(); }
};

// Series the queries can find: two metrics, a few label values, samples
// every 15 s for an hour, a stale marker at the end of one.
void Load(strata::DB* db) {
  auto app = db->NewAppender();
  for (int job = 0; job < 3; ++job) {
    for (const char* name : {"up", "http_requests_total"}) {
      const strata::Labels labels = strata::Labels::Of(
          {{"__name__", name}, {"job", "job" + std::to_string(job)}});
      for (int64_t t = 0; t <= 3600 * 1000; t += 15000) {
        (void)app->Append(labels, t, static_cast<double>(t / 1000 + job));
      }
    }
  }
  (void)app->Append(strata::Labels::Of({{"__name__", "up"}, {"job", "job0"}}),
                    3600 * 1000 + 15000,
                    std::bit_cast<double>(uint64_t{0x7ff0000000000002}));
  if (!app->Commit().ok()) std::abort();
}

struct Harness {
  Harness() : handler(strata::server::RemoteReadOptions{}, &registry) {
    strata::SetLogLevel(strata::LogLevel::kError);
    Load(scratch.db());
    handler.SetDB(scratch.db());
  }
  strata::fuzz::ScratchDB scratch;
  strata::server::MetricsRegistry registry;
  strata::server::RemoteReadHandler handler;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness harness;  // Its destructor removes the DB's directory.
  if (size < 1) return 0;
  const std::string_view payload(reinterpret_cast<const char*>(data) + 1,
                                 size - 1);
  strata::server::Request request;
  request.method = "POST";
  request.target = request.path = "/api/v1/read";
  if ((data[0] & 1) != 0) {
    snappy::Compress(payload.data(), payload.size(), &request.body);
  } else {
    request.body = std::string(payload);
  }
  strata::server::Response response = harness.handler.Handle(request);
  FUZZ_CHECK(response.status != strata::server::kHttpInternalServerError,
             "remote read answered 500: " + response.body);
  if (response.stream) {
    NullWriter writer;
    (void)response.stream(&writer);
  }
  return 0;
}
