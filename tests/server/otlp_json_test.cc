// OTLP/JSON (`Content-Type: application/json`): the same translation as
// protobuf requests, from the encodings the OTLP specification and the
// protobuf JSON mapping allow, and hostile JSON answered 400.
#include <string>

#include "gtest/gtest.h"
#include "otlp_handler_fixture.h"
#include "remote_test_util.h"
#include "util/strings.h"

namespace strata::server {
namespace {

using ::strata::server::testing::At;
using ::strata::server::testing::Gzip;
using ::strata::server::testing::OtlpHandlerTest;
using ::strata::server::testing::SampleMap;

using OtlpJsonTest = OtlpHandlerTest;

constexpr std::string_view kJson = "application/json";

// A request of one resource (service "api", instance "pod-1") whose one
// scope holds `metrics`, a JSON array's elements.
std::string Request(std::string_view metrics) {
  return Cat(
      R"({"resourceMetrics":[{"resource":{"attributes":[)",
      R"({"key":"service.name","value":{"stringValue":"api"}},)",
      R"({"key":"service.instance.id","value":{"stringValue":"pod-1"}}]},)",
      R"("scopeMetrics":[{"scope":{"name":"test"},"metrics":[)", metrics,
      "]}]}]}");
}

TEST_F(OtlpJsonTest, GaugesSumsHistogramsAndSummariesAsProtobuf) {
  // Times as strings and as numbers beyond 2^53, counts as strings,
  // temporality as integer and as name, one point in field names as
  // declared in the .proto (snake_case), an unknown field, attributes of
  // every scalar type.
  const std::string body = Request(
      R"({"name":"memory.usage","unit":"By","description":"Memory.",
          "gauge":{"dataPoints":[{"timeUnixNano":"1700000000123456789",
            "asDouble":1024,"attributes":[
              {"key":"pool","value":{"stringValue":"heap"}},
              {"key":"numa","value":{"intValue":"1"}},
              {"key":"huge","value":{"boolValue":true}},
              {"key":"ratio","value":{"doubleValue":0.5}}]}]}},
         {"name":"http.requests","unit":"{request}","futureField":{"x":1},
          "sum":{"aggregationTemporality":2,"isMonotonic":true,
            "dataPoints":[{"timeUnixNano":1700000000123456789,"asInt":"5"}]}},
         {"name":"queue.size","unit":"{item}",
          "sum":{"aggregation_temporality":"AGGREGATION_TEMPORALITY_CUMULATIVE",
            "data_points":[{"time_unix_nano":"1700000000123456789",
                            "as_double":"-Infinity"}]}},
         {"name":"rpc.duration","unit":"ms",
          "histogram":{"aggregationTemporality":2,"dataPoints":[{
            "timeUnixNano":"1700000000123456789","count":"6","sum":3.5,
            "bucketCounts":["1","2",0,"3"],"explicitBounds":[0.5,1,2.5]}]}},
         {"name":"rpc.latency","unit":"s",
          "summary":{"dataPoints":[{"timeUnixNano":"1700000000123456789",
            "count":"4","sum":2,"quantileValues":[
              {"quantile":0.5,"value":0.25},{"quantile":0.99,"value":1}]}]}})");
  const Response r = Post(body, "application/json; charset=utf-8");
  EXPECT_EQ(r.status, 200) << r.body;
  const std::string id = R"(instance="pod-1", job="api")";
  const SampleMap want = {
      {Cat(R"(http_requests_total{)", id, "}"), At(5)},
      {Cat(R"(memory_usage_bytes{huge="true", )", id,
           R"(, numa="1", pool="heap", ratio="0.5"})"),
       At(1024)},
      {Cat(R"(queue_size{)", id, "}"), At(-INFINITY)},
      {Cat(R"(rpc_duration_milliseconds_bucket{)", id, R"(, le="+Inf"})"),
       At(6)},
      {Cat(R"(rpc_duration_milliseconds_bucket{)", id, R"(, le="0.5"})"),
       At(1)},
      {Cat(R"(rpc_duration_milliseconds_bucket{)", id, R"(, le="1"})"), At(3)},
      {Cat(R"(rpc_duration_milliseconds_bucket{)", id, R"(, le="2.5"})"),
       At(3)},
      {Cat(R"(rpc_duration_milliseconds_count{)", id, "}"), At(6)},
      {Cat(R"(rpc_duration_milliseconds_sum{)", id, "}"), At(3.5)},
      {Cat(R"(rpc_latency_seconds{)", id, R"(, quantile="0.5"})"), At(0.25)},
      {Cat(R"(rpc_latency_seconds{)", id, R"(, quantile="0.99"})"), At(1)},
      {Cat(R"(rpc_latency_seconds_count{)", id, "}"), At(4)},
      {Cat(R"(rpc_latency_seconds_sum{)", id, "}"), At(2)},
  };
  EXPECT_EQ(Stored(), want);
  const auto memory = metadata_->List("memory_usage_bytes", -1, -1);
  ASSERT_EQ(memory.size(), 1u);
  EXPECT_EQ(memory[0].second,
            std::vector<MetadataEntry>({{"gauge", "Memory.", "bytes"}}));
}

TEST_F(OtlpJsonTest, GzipAndTheProtobufRulesApply) {
  // Gzip; a delta sum is refused by name as in protobuf, the rest stored.
  const std::string body = Request(
      R"({"name":"g","gauge":{"dataPoints":[
           {"timeUnixNano":"1700000000123456789","asDouble":2}]}},
         {"name":"d","sum":{"aggregationTemporality":1,"isMonotonic":true,
           "dataPoints":[{"timeUnixNano":"1700000000123456789","asInt":1}]}})");
  const Response r = Post(Gzip(body), std::string(kJson), "gzip");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid temporality and type combination for "
                        "metric \"d\""),
            std::string::npos)
      << r.body;
  EXPECT_EQ(Stored(),
            SampleMap({{R"(g{instance="pod-1", job="api"})", At(2)}}));
}

TEST_F(OtlpJsonTest, MalformedJsonIs400AndStoresNothing) {
  std::string deep;  // AnyValue arrays nested far beyond any parser limit.
  for (int i = 0; i < 20000; ++i) deep += R"({"arrayValue":{"values":[)";
  deep += R"({"stringValue":"x"})";
  for (int i = 0; i < 20000; ++i) deep += "]}}";
  const std::string cases[] = {
      "",
      "{",
      "[]",
      "not json",
      R"({"resourceMetrics":"x"})",
      R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":1}]}]}]})",
      R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"timeUnixNano":"soon"}]}}]}]}]})",
      Cat(R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"k","value":)",
          deep, "}]}}]}"),
      std::string("{\"resourceMetrics\":[\xff]}"),
  };
  for (const std::string& body : cases) {
    const Response r = Post(body, std::string(kJson));
    EXPECT_EQ(r.status, 400) << body.substr(0, 200);
    EXPECT_EQ(r.body.rfind("invalid OTLP/JSON request: ", 0), 0u)
        << body.substr(0, 200) << " -> " << r.body;
  }
  // An enum name the schema does not know is left out, as any unknown
  // field: the sum then has no temporality, which is refused by name.
  const Response r = Post(
      R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"s","sum":{)"
      R"("aggregationTemporality":"SOMETIMES","dataPoints":[{"asInt":1}]}}]}]}]})",
      std::string(kJson));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid temporality and type combination for metric "
                        "\"s\""),
            std::string::npos)
      << r.body;
  EXPECT_TRUE(Stored().empty());
}

TEST_F(OtlpJsonTest, EmptyRequestIsAccepted) {
  EXPECT_EQ(Post("{}", std::string(kJson)).status, 200);
  EXPECT_EQ(Post(R"({"resourceMetrics":[]})", std::string(kJson)).status, 200);
  EXPECT_TRUE(Stored().empty());
}

}  // namespace
}  // namespace strata::server
