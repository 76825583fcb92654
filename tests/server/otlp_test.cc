// The OTLP metrics receiver: Prometheus's name translation (the cases of
// github.com/prometheus/otlptranslator's own tests for Prometheus's default
// configuration), the translation of each metric type into stored series
// over a real DB, and hostile input.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "otlp_handler_fixture.h"
#include "otlp_test_proto.h"
#include "remote_test_util.h"
#include "server/http/gunzip.h"
#include "server/metrics/metrics.h"
#include "server/remote/metadata_store.h"
#include "server/remote/otlp_decoder.h"
#include "server/remote/otlp_handler.h"
#include "server/remote/otlp_names.h"
#include "strata/appender.h"
#include "util/strings.h"

namespace strata::server {
namespace {

using ::strata::server::testing::AllSeries;
using ::strata::server::testing::At;
using ::strata::server::testing::Bits;
using ::strata::server::testing::Gzip;
using ::strata::server::testing::kT;
using ::strata::server::testing::kTMs;
using ::strata::server::testing::OtlpHandlerTest;
using ::strata::server::testing::ReadAll;
using ::strata::server::testing::SampleMap;
using ::strata::server::testing::Samples;
using ::strata::server::testing::TempDB;
using namespace ::strata::testing::otlp;  // NOLINT: the message builders.

// ---- Names ----

struct MetricNameCase {
  const char* name;
  const char* unit;
  OtlpNameKind kind;
  bool add_suffixes;
  const char* want;
  const char* want_error;
};

// otlptranslator's metric_namer_test.go, the cases of its escaping
// strategies without a namespace.
constexpr MetricNameCase kMetricNameCases[] = {
    {"simple_metric", "", OtlpNameKind::kGauge, false, "simple_metric", ""},
    {"metric@with#special$chars", "", OtlpNameKind::kGauge, false,
     "metric_with_special_chars", ""},
    {"123metric", "", OtlpNameKind::kGauge, false, "_123metric", ""},
    {"", "", OtlpNameKind::kGauge, false, "",
     "normalization for metric \"\" resulted in empty name"},
    {"metric@@##$$name", "", OtlpNameKind::kGauge, false, "metric_name", ""},
    {"@#$%", "", OtlpNameKind::kGauge, false, "",
     "normalization for metric \"@#$%\" resulted in empty name"},
    {"@_#_$_%", "", OtlpNameKind::kGauge, false, "",
     "normalization for metric \"@_#_$_%\" resulted in invalid name \"_____\""},
    {"requests", "", OtlpNameKind::kMonotonicCounter, true, "requests_total",
     ""},
    {"cpu_usage", "1", OtlpNameKind::kGauge, true, "cpu_usage_ratio", ""},
    {"items", "1", OtlpNameKind::kMonotonicCounter, true, "items_total", ""},
    {"response_time", "ms", OtlpNameKind::kGauge, true,
     "response_time_milliseconds", ""},
    {"memory_usage", "By", OtlpNameKind::kGauge, true, "memory_usage_bytes",
     ""},
    {"requests", "1/s", OtlpNameKind::kGauge, true, "requests_per_second", ""},
    {"throughput", "By/s", OtlpNameKind::kGauge, true,
     "throughput_bytes_per_second", ""},
    {"custom_metric", "custom_unit", OtlpNameKind::kGauge, true,
     "custom_metric_custom_unit", ""},
    {"custom_metric", "{custom}", OtlpNameKind::kGauge, true, "custom_metric",
     ""},
    {"custom_metric", "By/{custom}", OtlpNameKind::kGauge, true,
     "custom_metric_bytes", ""},
    {"requests_total", "", OtlpNameKind::kMonotonicCounter, true,
     "requests_total", ""},
    {"cpu_usage_ratio", "1", OtlpNameKind::kGauge, true, "cpu_usage_ratio", ""},
    {"response_time_seconds", "s", OtlpNameKind::kGauge, true,
     "response_time_seconds", ""},
    {"___", "", OtlpNameKind::kGauge, false, "___", ""},
    {"metric__with__multiple__underscores", "unit__multiple__underscores",
     OtlpNameKind::kGauge, true,
     "metric_with_multiple_underscores_unit_multiple_underscores", ""},
    {"custom_metric", "unit@with#special/chars", OtlpNameKind::kGauge, true,
     "custom_metric_unit_with_special_per_chars", ""},
    {"@#$%", "", OtlpNameKind::kGauge, true, "",
     "normalization for metric \"@#$%\" resulted in empty name"},
    {"request_duration", "s", OtlpNameKind::kHistogram, true,
     "request_duration_seconds", ""},
    {"request_size", "By", OtlpNameKind::kExponentialHistogram, true,
     "request_size_bytes", ""},
    {"response_time", "ms", OtlpNameKind::kSummary, true,
     "response_time_milliseconds", ""},
    {"active_connections", "", OtlpNameKind::kNonMonotonicCounter, true,
     "active_connections", ""},
    {"unknown_metric", "", OtlpNameKind::kUnknown, true, "unknown_metric", ""},
    {"uptime", "d", OtlpNameKind::kGauge, true, "uptime_days", ""},
    {"duration", "h", OtlpNameKind::kGauge, true, "duration_hours", ""},
    {"timeout", "min", OtlpNameKind::kGauge, true, "timeout_minutes", ""},
    {"latency", "us", OtlpNameKind::kGauge, true, "latency_microseconds", ""},
    {"precision_time", "ns", OtlpNameKind::kGauge, true,
     "precision_time_nanoseconds", ""},
    {"cache_size", "KiBy", OtlpNameKind::kGauge, true, "cache_size_kibibytes",
     ""},
    {"memory", "MiBy", OtlpNameKind::kGauge, true, "memory_mebibytes", ""},
    {"storage", "GiBy", OtlpNameKind::kGauge, true, "storage_gibibytes", ""},
    {"capacity", "TiBy", OtlpNameKind::kGauge, true, "capacity_tibibytes", ""},
    {"transfer", "KBy", OtlpNameKind::kGauge, true, "transfer_kilobytes", ""},
    {"download", "MBy", OtlpNameKind::kGauge, true, "download_megabytes", ""},
    {"backup", "GBy", OtlpNameKind::kGauge, true, "backup_gigabytes", ""},
    {"archive", "TBy", OtlpNameKind::kGauge, true, "archive_terabytes", ""},
    {"distance", "m", OtlpNameKind::kGauge, true, "distance_meters", ""},
    {"voltage", "V", OtlpNameKind::kGauge, true, "voltage_volts", ""},
    {"current", "A", OtlpNameKind::kGauge, true, "current_amperes", ""},
    {"energy", "J", OtlpNameKind::kGauge, true, "energy_joules", ""},
    {"power", "W", OtlpNameKind::kGauge, true, "power_watts", ""},
    {"weight", "g", OtlpNameKind::kGauge, true, "weight_grams", ""},
    {"temperature", "Cel", OtlpNameKind::kGauge, true, "temperature_celsius",
     ""},
    {"frequency", "Hz", OtlpNameKind::kGauge, true, "frequency_hertz", ""},
    {"cpu_usage", "%", OtlpNameKind::kGauge, true, "cpu_usage_percent", ""},
    {"requests", "1/m", OtlpNameKind::kGauge, true, "requests_per_minute", ""},
    {"events", "1/h", OtlpNameKind::kGauge, true, "events_per_hour", ""},
    {"transactions", "1/d", OtlpNameKind::kGauge, true, "transactions_per_day",
     ""},
    {"reports", "1/w", OtlpNameKind::kGauge, true, "reports_per_week", ""},
    {"invoices", "1/mo", OtlpNameKind::kGauge, true, "invoices_per_month", ""},
    {"renewals", "1/y", OtlpNameKind::kGauge, true, "renewals_per_year", ""},
    {"custom", "1/custom_unit", OtlpNameKind::kGauge, true,
     "custom_per_custom_unit", ""},
    {"metric", "By/", OtlpNameKind::kGauge, true, "metric_bytes", ""},
    {"metric", " By / s ", OtlpNameKind::kGauge, true,
     "metric_bytes_per_second", ""},
    {"metric", "/", OtlpNameKind::kGauge, true, "metric", ""},
    {"http.request.duration", "ms", OtlpNameKind::kHistogram, true,
     "http_request_duration_milliseconds", ""},
    {"http.requests", "1", OtlpNameKind::kMonotonicCounter, true,
     "http_requests_total", ""},
    // Strata's own, from the OpenTelemetry specification's examples.
    {"system.io", "By", OtlpNameKind::kMonotonicCounter, true,
     "system_io_bytes_total", ""},
    {"http.server.duration", "s", OtlpNameKind::kHistogram, false,
     "http_server_duration", ""},
    {"2xx.responses", "", OtlpNameKind::kGauge, true, "_2xx_responses", ""},
    {"total.requests", "", OtlpNameKind::kMonotonicCounter, true,
     "requests_total", ""},
};

TEST(OtlpNamesTest, MetricNamesAsOtlptranslator) {
  for (const MetricNameCase& c : kMetricNameCases) {
    SCOPED_TRACE(Cat(c.name, " unit=", c.unit));
    StatusOr<std::string> got =
        OtlpMetricName(c.name, c.unit, c.kind, c.add_suffixes);
    if (*c.want_error != '\0') {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().message(), c.want_error);
    } else {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, c.want);
    }
  }
}

TEST(OtlpNamesTest, LabelNamesAsPrometheusDefaults) {
  // otlptranslator's label_namer_test.go with PreserveMultipleUnderscores
  // and UnderscoreLabelSanitization, as Prometheus configures it.
  const std::pair<const char*, const char*> cases[] = {
      {"label:with:colons", "label_with_colons"},
      {"LabelWithCapitalLetters", "LabelWithCapitalLetters"},
      {"label!with&special$chars)", "label_with_special_chars_"},
      {"label_with_foreign_characters_字符",
       "label_with_foreign_characters___"},
      {"label.with.dots", "label_with_dots"},
      {".foo", "key_foo"},
      {"123label", "key_123label"},
      {"_label_starting_with_underscore", "key_label_starting_with_underscore"},
      {"__label_starting_with_2underscores",
       "__label_starting_with_2underscores"},
      {"label__with__double__underscores", "label__with__double__underscores"},
      {"label.name__with&&special##chars", "label_name__with__special__chars"},
      {"__reserved__label__name__", "__reserved__label__name__"},
      {"trailing_underscores___", "trailing_underscores___"},
      {"http.method", "http_method"},
  };
  for (const auto& [key, want] : cases) {
    StatusOr<std::string> got = OtlpLabelName(key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status().ToString();
    EXPECT_EQ(*got, want) << key;
  }
  const std::pair<const char*, const char*> errors[] = {
      {"", "label name is empty"},
      {"ようこそ",
       "normalization for label name \"ようこそ\" resulted in invalid name "
       "\"____\""},
      {"__",
       "normalization for label name \"__\" resulted in invalid name \"__\""},
  };
  for (const auto& [key, want] : errors) {
    StatusOr<std::string> got = OtlpLabelName(key);
    ASSERT_FALSE(got.ok()) << key;
    EXPECT_EQ(got.status().message(), want);
  }
}

TEST(OtlpNamesTest, UnitNamesForMetadata) {
  EXPECT_EQ(OtlpUnitName("s"), "seconds");
  EXPECT_EQ(OtlpUnitName("By/s"), "bytes_per_second");
  EXPECT_EQ(OtlpUnitName("{request}"), "");
  EXPECT_EQ(OtlpUnitName("1"), "");
  EXPECT_EQ(OtlpUnitName("1/s"), "per_second");
  EXPECT_EQ(OtlpUnitName("custom_unit"), "custom_unit");
}

TEST(OtlpDecoderTest, AttributeValuesAsPrometheusText) {
  const auto text = [](const Msg& any_value) {
    std::string out;
    EXPECT_TRUE(AnyValueText(any_value.str(), &out).ok());
    return out;
  };
  EXPECT_EQ(text(StringValue("a b")), "a b");
  EXPECT_EQ(text(BoolValue(true)), "true");
  EXPECT_EQ(text(IntValue(-42)), "-42");
  EXPECT_EQ(text(DoubleValue(0.5)), "0.5");
  EXPECT_EQ(text(DoubleValue(1e21)), "1e+21");
  EXPECT_EQ(text(DoubleValue(1e-7)), "1e-7");
  EXPECT_EQ(text(DoubleValue(123456789)), "123456789");
  EXPECT_EQ(text(BytesValue("hi!")), "aGkh");
  EXPECT_EQ(text(ArrayValue({StringValue("x"), IntValue(1), BoolValue(false)})),
            "[\"x\",1,false]");
  EXPECT_EQ(text(KvListValue({Attr("b", IntValue(2)), Attr("a", "<&>")})),
            "{\"a\":\"\\u003c\\u0026\\u003e\",\"b\":2}");
  EXPECT_EQ(text(Msg()), "");
}

TEST(OtlpDecoderTest, MalformedInputIsAnErrorNeverACrash) {
  const std::string good = ExportRequest({ResourceMetrics(
      {Attr("service.name", "svc")},
      {GaugeMetric("g", "", {NumberPoint(1000000, 1, {Attr("a", "b")})}),
       HistogramMetric(
           "h", "s", kCumulative,
           {HistogramPoint(1000000, 1, nullptr, {1, 0}, {1.0})})})});
  OtlpRequest decoded;
  ASSERT_TRUE(DecodeOtlpMetricsRequest(good, &decoded).ok());
  EXPECT_EQ(decoded.metrics.size(), 2u);
  // Every truncation of a valid request, and random bytes: decoded or
  // refused with InvalidArgument, within bounds (ASan checks the reads).
  for (size_t n = 0; n < good.size(); ++n) {
    Status st = DecodeOtlpMetricsRequest(good.substr(0, n), &decoded);
    if (!st.ok()) {
      EXPECT_TRUE(st.Is(StatusCode::kInvalidArgument));
    }
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string noise = good;
    noise[rng() % noise.size()] = static_cast<char>(rng());
    Status st = DecodeOtlpMetricsRequest(noise, &decoded);
    if (!st.ok()) {
      EXPECT_TRUE(st.Is(StatusCode::kInvalidArgument));
    }
  }
  Status st = DecodeOtlpMetricsRequest("\x0a\x05\x0a", &decoded);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("malformed OTLP"), std::string_view::npos);
}

TEST(GunzipTest, DecompressesBoundsAndRejects) {
  const std::string raw(300000, 'x');
  std::string out;
  ASSERT_TRUE(Gunzip(Gzip(raw), 1 << 20, &out).ok());
  EXPECT_EQ(out, raw);
  // Two members, as concatenated gzip files.
  ASSERT_TRUE(Gunzip(Gzip("ab") + Gzip("cd"), 100, &out).ok());
  EXPECT_EQ(out, "abcd");
  EXPECT_TRUE(Gunzip(Gzip(raw), raw.size() - 1, &out)
                  .Is(StatusCode::kResourceExhausted));
  EXPECT_TRUE(Gunzip(Gzip(raw), raw.size(), &out).ok());
  const std::string gz = Gzip(raw);
  EXPECT_TRUE(Gunzip(gz.substr(0, gz.size() / 2), 1 << 20, &out)
                  .Is(StatusCode::kInvalidArgument));
  EXPECT_TRUE(
      Gunzip("not gzip", 1 << 20, &out).Is(StatusCode::kInvalidArgument));
  EXPECT_TRUE(Gunzip("", 1 << 20, &out).Is(StatusCode::kInvalidArgument));
}

// ---- The handler over a real DB ----

TEST_F(OtlpHandlerTest, GaugesAndSumsWithJobInstanceAndTargetInfo) {
  const std::string body = ExportRequest({ResourceMetrics(
      {Attr("service.name", "api"), Attr("service.namespace", "shop"),
       Attr("service.instance.id", "pod-1"), Attr("host.name", "h1"),
       Attr("k8s.pod.uid", IntValue(7))},
      {GaugeMetric("memory.usage", "By",
                   {NumberPoint(kT, 1024, {Attr("pool", "heap")})}, "Memory."),
       SumMetric("http.requests", "{request}", /*monotonic=*/true, kCumulative,
                 {IntPoint(kT, 5, {Attr("http.method", "GET")})}),
       SumMetric("queue.size", "{item}", /*monotonic=*/false, kCumulative,
                 {NumberPoint(kT, -3)}),
       GaugeMetric("cpu.utilization", "1", {NumberPoint(kT, 0.5)})})});
  const Response r = Post(body);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "");
  const SampleMap want = {
      {R"(cpu_utilization_ratio{instance="pod-1", job="shop/api"})", At(0.5)},
      {R"(http_requests_total{http_method="GET", instance="pod-1", job="shop/api"})",
       At(5)},
      {R"(memory_usage_bytes{instance="pod-1", job="shop/api", pool="heap"})",
       At(1024)},
      {R"(queue_size{instance="pod-1", job="shop/api"})", At(-3)},
      {R"(target_info{host_name="h1", instance="pod-1", job="shop/api", k8s_pod_uid="7"})",
       At(1)},
  };
  EXPECT_EQ(Stored(), want);
  const auto memory = metadata_->List("memory_usage_bytes", -1, -1);
  ASSERT_EQ(memory.size(), 1u);
  EXPECT_EQ(memory[0].second,
            std::vector<MetadataEntry>({{"gauge", "Memory.", "bytes"}}));
  const auto requests = metadata_->List("http_requests_total", -1, -1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].second,
            std::vector<MetadataEntry>({{"counter", "", ""}}));
}

TEST_F(OtlpHandlerTest, HistogramsAreClassicBucketsSumAndCount) {
  const double sum = 3.5;
  const Response r = Post(ExportRequest({ResourceMetrics(
      {Attr("service.name", "api")},
      {HistogramMetric("rpc.duration", "ms", kCumulative,
                       {HistogramPoint(kT, 6, &sum, {1, 2, 0, 3}, {0.5, 1, 2.5},
                                       {Attr("rpc", "get")})}),
       HistogramMetric("no.sum", "", kCumulative,
                       {HistogramPoint(kT, 2, nullptr, {2}, {})})})}));
  EXPECT_EQ(r.status, 200) << r.body;
  const std::string base = R"(job="api", rpc="get")";
  const SampleMap want = {
      {R"(no_sum_bucket{job="api", le="+Inf"})", At(2)},
      {R"(no_sum_count{job="api"})", At(2)},
      {R"(rpc_duration_milliseconds_bucket{job="api", le="+Inf", rpc="get"})",
       At(6)},
      {R"(rpc_duration_milliseconds_bucket{job="api", le="0.5", rpc="get"})",
       At(1)},
      {R"(rpc_duration_milliseconds_bucket{job="api", le="1", rpc="get"})",
       At(3)},
      {R"(rpc_duration_milliseconds_bucket{job="api", le="2.5", rpc="get"})",
       At(3)},
      {Cat(R"(rpc_duration_milliseconds_count{)", base, "}"), At(6)},
      {Cat(R"(rpc_duration_milliseconds_sum{)", base, "}"), At(3.5)},
  };
  // No target_info: the resource has nothing but service.name.
  EXPECT_EQ(Stored(), want);
}

TEST_F(OtlpHandlerTest, SummariesAreQuantilesSumAndCount) {
  const Response r = Post(ExportRequest({ResourceMetrics(
      {Attr("service.instance.id", "i-1")},
      {SummaryMetric(
          "gc.pause", "s",
          {SummaryPoint(kT, 10, 2.5, {{0.5, 0.1}, {0.99, 0.75}})})})}));
  EXPECT_EQ(r.status, 200) << r.body;
  const SampleMap want = {
      {R"(gc_pause_seconds{instance="i-1", quantile="0.5"})", At(0.1)},
      {R"(gc_pause_seconds{instance="i-1", quantile="0.99"})", At(0.75)},
      {R"(gc_pause_seconds_count{instance="i-1"})", At(10)},
      {R"(gc_pause_seconds_sum{instance="i-1"})", At(2.5)},
  };
  EXPECT_EQ(Stored(), want);
}

TEST_F(OtlpHandlerTest, NoRecordedValueIsAStaleMarker) {
  ASSERT_EQ(Post(ExportRequest({ResourceMetrics(
                     {}, {GaugeMetric("g", "", {NumberPoint(kT, 1)})})}))
                .status,
            200);
  const Response r = Post(ExportRequest({ResourceMetrics(
      {}, {GaugeMetric("g", "",
                       {NumberPoint(kT + 15000000000, 7, {},
                                    kOtlpFlagNoRecordedValue)})})}));
  EXPECT_EQ(r.status, 200) << r.body;
  const SampleMap stored = Stored();
  ASSERT_EQ(stored.count("g"), 1u);
  const Samples& s = stored.at("g");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].first, kTMs + 15000);
  EXPECT_EQ(s[1].second, kStaleNaNBits);
}

TEST_F(OtlpHandlerTest, CollidingAttributesAreJoinedInKeyOrder) {
  const Response r = Post(ExportRequest({ResourceMetrics(
      {}, {GaugeMetric("g", "",
                       {NumberPoint(kT, 1,
                                    {Attr("a.b", "2"), Attr("a_b", "3"),
                                     Attr("a-b", "1"), Attr("empty", ""),
                                     Attr("__name__", "ignored")})})})}));
  EXPECT_EQ(r.status, 200) << r.body;
  const SampleMap want = {{R"(g{a_b="1;2;3"})", At(1)}};
  EXPECT_EQ(Stored(), want);
}

TEST_F(OtlpHandlerTest, DeltaAndExponentialAre400NamingTheMetricRestStored) {
  const Response r = Post(ExportRequest({ResourceMetrics(
      {Attr("service.name", "api")},
      {SumMetric("jobs", "", true, kDelta, {NumberPoint(kT, 1)}),
       HistogramMetric("lat", "s", kDelta,
                       {HistogramPoint(kT, 1, nullptr, {1}, {})}),
       ExponentialHistogramMetric("payload.size", "By",
                                  {ExponentialPoint(kT, 3)}),
       GaugeMetric("ok", "", {NumberPoint(kT, 2)})})}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("3 data points rejected (invalid_temporality: 2, "
                        "exponential_histogram: 1)"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("invalid temporality and type combination for "
                        "metric \"jobs\""),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("exponential histogram \"payload.size\""),
            std::string::npos)
      << r.body;
  const SampleMap want = {{R"(ok{job="api"})", At(2)}};
  EXPECT_EQ(Stored(), want);
  EXPECT_NE(registry_->RenderText().find(
                "\nstrata_otlp_data_points_rejected_total{reason=\""
                "invalid_temporality\"} 2\n"),
            std::string::npos);
}

TEST_F(OtlpHandlerTest, InvalidMetricsAndEmptyPointsAre400) {
  const Response r = Post(ExportRequest({ResourceMetrics(
      {},
      {GaugeMetric("@#$", "", {NumberPoint(kT, 1)}),
       GaugeMetric("empty", "", {}), MetricHeader("nodata", ""),
       GaugeMetric("bad.label", "", {NumberPoint(kT, 1, {Attr("__", "x")})}),
       GaugeMetric("fine", "", {NumberPoint(kT, 1)})})}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("4 data points rejected (invalid_metric: 4)"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("normalization for metric \"@#$\" resulted in "
                        "empty name"),
            std::string::npos)
      << r.body;
  const SampleMap want = {{R"(fine)", At(1)}};
  EXPECT_EQ(Stored(), want);
}

TEST_F(OtlpHandlerTest, OutOfOrderSamplesAre400) {
  ASSERT_EQ(Post(ExportRequest({ResourceMetrics(
                     {}, {GaugeMetric("g", "", {NumberPoint(kT, 1)})})}))
                .status,
            200);
  const Response r = Post(ExportRequest({ResourceMetrics(
      {}, {GaugeMetric("g", "", {NumberPoint(kT - 60000000000, 2)}),
           GaugeMetric("h", "", {NumberPoint(kT, 3)})})}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("out_of_order"), std::string::npos) << r.body;
  EXPECT_EQ(Stored().count(R"(h)"), 1u);
}

TEST_F(OtlpHandlerTest, TargetInfoEveryHalfLookbackDelta) {
  const uint64_t minute = 60000000000;
  const Response r = Post(ExportRequest({ResourceMetrics(
      {Attr("service.name", "api"), Attr("region", "eu")},
      {GaugeMetric("g", "",
                   {NumberPoint(kT, 1), NumberPoint(kT + 6 * minute, 2)})})}));
  EXPECT_EQ(r.status, 200) << r.body;
  // Lookback delta 5m: every 2m30s from the earliest point, and the latest.
  const Samples want = {{kTMs, Bits(1)},
                        {kTMs + 150000, Bits(1)},
                        {kTMs + 300000, Bits(1)},
                        {kTMs + 360000, Bits(1)}};
  EXPECT_EQ(Stored().at(R"(target_info{job="api", region="eu"})"), want);
}

// A point with an ancient (or hostile) timestamp beside a recent one: the
// target_info grid between them is cut to its last 1000 points.
TEST_F(OtlpHandlerTest, TargetInfoSamplesAreBounded) {
  for (const uint64_t earliest : {uint64_t{1000000}, uint64_t{0}}) {
    for (const uint64_t latest : {kT, ~uint64_t{0}}) {
      MakeHandler(Options());
      const Response r = Post(ExportRequest({ResourceMetrics(
          {Attr("service.name", "api"), Attr("region", "eu")},
          {GaugeMetric("g", "",
                       {NumberPoint(earliest, 1), NumberPoint(latest, 2)})})}));
      EXPECT_TRUE(r.status == 200 || r.status == 400) << r.body;
    }
  }
  const SampleMap stored = Stored();
  const auto it = stored.find(R"(target_info{job="api", region="eu"})");
  ASSERT_NE(it, stored.end());
  EXPECT_LE(it->second.size(), 1001u);
  EXPECT_EQ(it->second.back().first, kTMs);
}

TEST_F(OtlpHandlerTest, GzipAndContentNegotiation) {
  const std::string body = ExportRequest(
      {ResourceMetrics({}, {GaugeMetric("g", "", {NumberPoint(kT, 1)})})});
  EXPECT_EQ(Post(Gzip(body), "application/x-protobuf", "gzip").status, 200);
  // A protobuf body declared as JSON is malformed JSON.
  Response r = Post(body, "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind("invalid OTLP/JSON request: ", 0), 0u) << r.body;
  r = Post(body, "text/plain");
  EXPECT_EQ(r.body,
            "unsupported content type: text/plain, supported: "
            "[application/json, application/x-protobuf]\n");
  EXPECT_EQ(Post(body, "").status, 400);
  EXPECT_EQ(Post(body, "text/plain").status, 400);
  r = Post(body, "application/x-protobuf", "br");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "unsupported compression: br. Only \"gzip\" or no compression "
            "supported\n");
  r = Post("\x0a\xff", "application/x-protobuf");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("malformed OTLP"), std::string::npos) << r.body;
  r = Post("garbage", "application/x-protobuf", "gzip");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("gzip"), std::string::npos) << r.body;
}

TEST_F(OtlpHandlerTest, OversizedBodiesAre400) {
  OtlpOptions options = Options();
  options.max_decoded_bytes = 1000;
  MakeHandler(options);
  const std::string big(2000, '\0');
  Response r = Post(Gzip(big), "application/x-protobuf", "gzip");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("exceeds the limit of 1000 bytes"), std::string::npos);
  r = Post(big);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("exceeds the limit of 1000 bytes"), std::string::npos);
}

TEST_F(OtlpHandlerTest, DisabledIs404NamingTheFlagAndDetachedIs503) {
  OtlpOptions options = Options();
  options.enabled = false;
  MakeHandler(options);
  Response r = Post("");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            "otlp write receiver needs to be enabled with "
            "--web.enable-otlp-receiver\n");
  MakeHandler(Options());
  handler_->SetDB(nullptr);
  EXPECT_EQ(Post("").status, 503);
}

TEST_F(OtlpHandlerTest, LabelLimitsOfRemoteWriteApply) {
  OtlpOptions options = Options();
  options.ingest.label_limits.max_label_value_length = 4;
  MakeHandler(options);
  const Response r = Post(ExportRequest({ResourceMetrics(
      {},
      {GaugeMetric("g", "", {NumberPoint(kT, 1, {Attr("a", "toolong")})})})}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("label_value_too_long"), std::string::npos) << r.body;
  EXPECT_TRUE(Stored().empty());
}

}  // namespace
}  // namespace strata::server
