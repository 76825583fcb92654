// The OTLP receiver's handler over a real DB, for the tests of each
// request encoding (otlp_test.cc: protobuf, otlp_json_test.cc: JSON).
#ifndef STRATA_TESTS_SERVER_OTLP_HANDLER_FIXTURE_H_
#define STRATA_TESTS_SERVER_OTLP_HANDLER_FIXTURE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ingest_handler_fixture.h"
#include "remote_test_util.h"
#include "server/http/gzip_body_writer.h"
#include "server/remote/otlp_handler.h"

namespace strata::server::testing {

// A gzip member holding `raw` (server::Gzip, for use in expressions).
inline std::string Gzip(std::string_view raw) {
  std::string out;
  EXPECT_TRUE(server::Gzip(raw, &out).ok());
  return out;
}

// 2023-11-14T22:13:20.123456789Z.
inline constexpr uint64_t kT = 1700000000123456789;
inline constexpr int64_t kTMs = 1700000000123;

class OtlpHandlerTest : public IngestHandlerFixture<OtlpHandler, OtlpOptions> {
 protected:
  void SetUp() override { MakeHandler(Options()); }

  static OtlpOptions Options() {
    OtlpOptions options;
    options.enabled = true;
    options.ingest.max_future_ms = 0;
    return options;
  }

  Response Post(std::string body,
                std::string content_type = "application/x-protobuf",
                std::string encoding = "") {
    Request r;
    r.method = "POST";
    r.path = std::string(kOtlpMetricsPath);
    r.target = r.path;
    if (!content_type.empty()) r.headers.Add("Content-Type", content_type);
    if (!encoding.empty()) r.headers.Add("Content-Encoding", encoding);
    r.body = std::move(body);
    return handler_->Handle(r);
  }
};

using Samples = std::vector<std::pair<int64_t, uint64_t>>;
inline Samples At(double v, int64_t t = kTMs) { return {{t, Bits(v)}}; }

}  // namespace strata::server::testing

#endif  // STRATA_TESTS_SERVER_OTLP_HANDLER_FIXTURE_H_
