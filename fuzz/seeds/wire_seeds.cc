// Seeds of the remote write/read targets: requests encoded by the protobuf
// library, with the flags byte each target reads (see the targets).
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "io/prometheus/write/v2/types.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "prometheus/remote.pb.h"
#include "seed_writer.h"
#include "snappy.h"

namespace strata::fuzz {
namespace {

// remote_write_fuzzer flags.
constexpr char kV2 = 1;
constexpr char kSnappyHeader = 2;
constexpr char kCompressHere = 4;
constexpr char kHa = 8;
// remote_read_fuzzer flag.
constexpr char kReadCompressHere = 1;
// otlp_fuzzer flags.
constexpr char kOtlpJson = 1;
constexpr char kOtlpGzipHeader = 2;
constexpr char kOtlpGzipHere = 4;

// An OTLP export with every metric type, as OTLP/JSON.
constexpr std::string_view kOtlpJsonRequest = R"({"resourceMetrics":[{
 "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}},
  {"key":"service.instance.id","value":{"stringValue":"pod-1"}},
  {"key":"host.cores","value":{"intValue":"8"}},
  {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"doubleValue":1.5}]}}}]},
 "scopeMetrics":[{"scope":{"name":"seed","version":"1"},"metrics":[
  {"name":"memory.usage","unit":"By","gauge":{"dataPoints":[
   {"timeUnixNano":"1700000000123456789","asDouble":1024,
    "attributes":[{"key":"pool","value":{"stringValue":"heap"}}]}]}},
  {"name":"http.requests","unit":"{request}","sum":{"aggregationTemporality":2,
   "isMonotonic":true,"dataPoints":[{"timeUnixNano":"1700000000123456789","asInt":"5"}]}},
  {"name":"rpc.duration","unit":"ms","histogram":{"aggregationTemporality":2,
   "dataPoints":[{"timeUnixNano":"1700000000123456789","count":"6","sum":3.5,
    "bucketCounts":["1","2","0","3"],"explicitBounds":[0.5,1,2.5]}]}},
  {"name":"payload.size","unit":"By","exponentialHistogram":{"aggregationTemporality":2,
   "dataPoints":[{"timeUnixNano":"1700000000123456789","count":"5","sum":900,
    "scale":3,"zeroCount":"1","positive":{"offset":-2,"bucketCounts":["1","0","2"]},
    "negative":{"offset":1,"bucketCounts":["1"]}}]}},
  {"name":"rpc.latency","unit":"s","summary":{"dataPoints":[
   {"timeUnixNano":"1700000000123456789","count":"4","sum":2,
    "quantileValues":[{"quantile":0.5,"value":0.25},{"quantile":0.99,"value":1}]}]}}
 ]}]}]})";

// kOtlpJsonRequest in the protobuf encoding.
std::string OtlpProtobufRequest() {
  opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest req;
  const auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(kOtlpJsonRequest.data(),
                                    kOtlpJsonRequest.size()),
      &req);
  if (!st.ok()) {
    std::fprintf(stderr, "the OTLP seed is not valid OTLP/JSON: %s\n",
                 st.ToString().c_str());
    std::abort();
  }
  return req.SerializeAsString();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string WriteV1(bool ha) {
  prometheus::WriteRequest req;
  for (int i = 0; i < 3; ++i) {
    prometheus::TimeSeries* ts = req.add_timeseries();
    auto label = [ts](const char* n, std::string v) {
      prometheus::Label* l = ts->add_labels();
      l->set_name(n);
      l->set_value(std::move(v));
    };
    label("__name__", "http_requests_total");
    if (ha) label("__replica__", "r1");
    if (ha) label("cluster", "c1");
    label("code", std::to_string(200 + i));
    for (int j = 0; j < 3; ++j) {
      prometheus::Sample* s = ts->add_samples();
      s->set_timestamp(NowMs() - 1000 * (3 - j));
      s->set_value(i * 10 + j);
    }
  }
  prometheus::MetricMetadata* m = req.add_metadata();
  m->set_type(prometheus::MetricMetadata::COUNTER);
  m->set_metric_family_name("http_requests_total");
  m->set_help("Requests.");
  return req.SerializeAsString();
}

std::string WriteV2() {
  io::prometheus::write::v2::Request req;
  for (const char* s : {"", "__name__", "up", "job", "api", "Help text", "s"}) {
    req.add_symbols(s);
  }
  io::prometheus::write::v2::TimeSeries* ts = req.add_timeseries();
  for (uint32_t ref : {1, 2, 3, 4}) ts->add_labels_refs(ref);
  io::prometheus::write::v2::Sample* s = ts->add_samples();
  s->set_timestamp(NowMs());
  s->set_value(1);
  s->set_start_timestamp(NowMs() - 60000);
  ts->mutable_metadata()->set_type(
      io::prometheus::write::v2::Metadata::METRIC_TYPE_GAUGE);
  ts->mutable_metadata()->set_help_ref(5);
  ts->mutable_metadata()->set_unit_ref(6);
  io::prometheus::write::v2::Exemplar* e = ts->add_exemplars();
  e->add_labels_refs(3);
  e->add_labels_refs(4);
  e->set_value(2);
  return req.SerializeAsString();
}

std::string Read(bool streamed) {
  prometheus::ReadRequest req;
  prometheus::Query* q = req.add_queries();
  q->set_start_timestamp_ms(0);
  q->set_end_timestamp_ms(3600 * 1000);
  prometheus::LabelMatcher* m = q->add_matchers();
  m->set_type(prometheus::LabelMatcher::EQ);
  m->set_name("__name__");
  m->set_value("up");
  m = q->add_matchers();
  m->set_type(prometheus::LabelMatcher::RE);
  m->set_name("job");
  m->set_value("job[01]");
  q->mutable_hints()->set_step_ms(15000);
  q = req.add_queries();
  q->set_start_timestamp_ms(1000000);
  q->set_end_timestamp_ms(2000000);
  m = q->add_matchers();
  m->set_type(prometheus::LabelMatcher::NRE);
  m->set_name("job");
  m->set_value("");
  if (streamed) {
    req.add_accepted_response_types(
        prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  }
  return req.SerializeAsString();
}

std::string Compress(const std::string& raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

}  // namespace

void AddWireSeeds(SeedWriter* out) {
  const std::string v1 = WriteV1(false);
  const std::string v1_ha = WriteV1(true);
  const std::string v2 = WriteV2();
  out->AddWithFlags("remote_write_decode_fuzzer", 0, v1);
  out->AddWithFlags("remote_write_decode_fuzzer", 2, v1_ha);
  out->AddWithFlags("remote_write_decode_fuzzer", 1, v2);
  out->AddWithFlags("remote_write_fuzzer", kCompressHere | kSnappyHeader, v1);
  out->AddWithFlags("remote_write_fuzzer", kCompressHere | kHa, v1_ha);
  out->AddWithFlags("remote_write_fuzzer", kCompressHere | kV2, v2);
  out->AddWithFlags("remote_write_fuzzer", kSnappyHeader, Compress(v1));
  out->AddWithFlags("remote_write_fuzzer", kV2, Compress(v2));
  const std::string otlp = OtlpProtobufRequest();
  out->AddWithFlags("otlp_fuzzer", 0, otlp);
  out->AddWithFlags("otlp_fuzzer", kOtlpGzipHere | kOtlpGzipHeader, otlp);
  out->AddWithFlags("otlp_fuzzer", kOtlpJson, kOtlpJsonRequest);
  out->AddWithFlags("otlp_fuzzer", kOtlpJson | kOtlpGzipHere | kOtlpGzipHeader,
                    kOtlpJsonRequest);
  for (bool streamed : {false, true}) {
    const std::string read = Read(streamed);
    out->AddWithFlags("remote_read_fuzzer", kReadCompressHere, read);
    out->AddWithFlags("remote_read_fuzzer", 0, Compress(read));
  }
}

}  // namespace strata::fuzz
