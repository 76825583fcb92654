// The query API's pieces on their own: parameter parsing, JSON encoding,
// the concurrency gate, and the handlers over a real DB. The comparison
// with a live Prometheus is tests/e2e/query_api_test.cc.
#include "server/api/query_api.h"

#include <zlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api_request.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/api/api_params.h"
#include "server/api/query_gate.h"
#include "server/api/query_json.h"
#include "server/http/gzip_body_writer.h"
#include "server/http/router.h"
#include "server/metrics/metrics.h"
#include "strata/appender.h"
#include "strata/db.h"
#include "streamed_body.h"
#include "temp_dir.h"
#include "util/memory_budget.h"
#include "util/strings.h"

namespace strata::server {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kT0 = 1795620000000;

using testing::Get;

TEST(ApiParamsTest, TimesAsPrometheusParsesThem) {
  EXPECT_EQ(ParseApiTime("1435781451.781").value(), 1435781451781);
  EXPECT_EQ(ParseApiTime("1.0006").value(), 1001);
  EXPECT_EQ(ParseApiTime("-1.5").value(), -1500);
  EXPECT_EQ(ParseApiTime("2015-07-01T20:10:51.781Z").value(), 1435781451781);
  EXPECT_EQ(ParseApiTime("2015-07-01T22:10:51+02:00").value(), 1435781451000);
  EXPECT_EQ(ParseApiTime("-292273086-05-16T16:47:06Z").value(), kApiMinTimeMs);
  EXPECT_EQ(ParseApiTime("292277025-08-18T07:12:54.999999999Z").value(),
            kApiMaxTimeMs);
  EXPECT_EQ(ParseApiTime("x").status().message(),
            "cannot parse \"x\" to a valid timestamp");
  EXPECT_FALSE(ParseApiTime("").ok());
}

TEST(ApiParamsTest, DurationsAsPrometheusParsesThem) {
  EXPECT_EQ(ParseApiDuration("15").value(), 15'000'000'000);
  EXPECT_EQ(ParseApiDuration("0.5").value(), 500'000'000);
  EXPECT_EQ(ParseApiDuration("1m30s").value(), 90'000'000'000);
  EXPECT_EQ(ParseApiDuration("1e30").status().message(),
            "cannot parse \"1e30\" to a valid duration. It overflows int64");
  EXPECT_EQ(ParseApiDuration("soon").status().message(),
            "cannot parse \"soon\" to a valid duration");
}

TEST(ApiParamsTest, MatchersNeedOneNonEmptyMatcher) {
  Request r = Get("/api/v1/series", "match[]=up&match[]={job=~\"a|b\"}");
  auto sets = MatchersParam(r);
  ASSERT_TRUE(sets.ok()) << sets.status().ToString();
  EXPECT_EQ(sets->size(), 2u);
  EXPECT_EQ(MatchersParam(Get("/", "match[]={a=~\".*\"}")).status().message(),
            "match[] must contain at least one non-empty matcher");
  EXPECT_FALSE(MatchersParam(Get("/", "match[]=up{")).ok());
}

TEST(QueryJsonTest, TimestampsAndValuesAsPrometheusWritesThem) {
  std::string out;
  AppendJsonTimestamp(&out, 1435781451781);
  out += ' ';
  AppendJsonTimestamp(&out, 1500);
  out += ' ';
  AppendJsonTimestamp(&out, -1005);
  out += ' ';
  AppendJsonTimestamp(&out, 7);
  out += ' ';
  AppendJsonTimestamp(&out, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(out, "1435781451.781 1.500 -1.005 0.007 -9223372036854775.808");
  out.clear();
  // What Prometheus 2.42 writes for vector(<v>): Go's 'f' form, 'e' below
  // 1e-6 and from 1e21 on in magnitude.
  for (double v : {1.0, 0.1 + 0.2, 1e21, 1e20, 5.51e-07, -5.51e-07, 1e-06,
                   123456789.0, 1.5e300, 4.9406564584124654e-324, -0.0,
                   std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN()}) {
    AppendJsonSampleValue(&out, v);
    out += ' ';
  }
  EXPECT_EQ(out,
            "\"1\" \"0.30000000000000004\" \"1e+21\" "
            "\"100000000000000000000\" \"5.51e-07\" \"-5.51e-07\" "
            "\"0.000001\" \"123456789\" \"1.5e+300\" \"5e-324\" \"-0\" "
            "\"+Inf\" \"-Inf\" \"NaN\" ");
}

TEST(QueryJsonTest, EncodesEveryResultType) {
  promql::Result vector;
  vector.type = promql::ValueType::kVector;
  vector.vector.push_back(
      {Labels::Of({{"__name__", "up"}, {"job", "a<b"}}), 1500, 1});
  promql::Result matrix;
  matrix.type = promql::ValueType::kMatrix;
  matrix.matrix.push_back(
      {Labels::Of({{"x", "1"}}), {{1000, 0.5}, {2000, 2}}, {}});
  promql::Result scalar;
  scalar.type = promql::ValueType::kScalar;
  scalar.t = 1500;
  scalar.scalar = 3;
  promql::Result string;
  string.type = promql::ValueType::kString;
  string.t = 2000;
  string.string = "s\"";
  const std::pair<const promql::Result*, std::string> cases[] = {
      {&vector,
       R"({"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a\u003cb"},"value":[1.500,"1"]}]})"},
      {&matrix,
       R"({"resultType":"matrix","result":[{"metric":{"x":"1"},"values":[[1,"0.5"],[2,"2"]]}]})"},
      {&scalar, R"({"resultType":"scalar","result":[1.5,"3"]})"},
      {&string, R"({"resultType":"string","result":[2,"s\""]})"},
  };
  for (const auto& [result, want] : cases) {
    StringWriter w;
    // A tiny threshold exercises the piecewise flushing.
    StreamBuffer out(&w, 8);
    ASSERT_TRUE(WriteQueryData(*result, &out).ok());
    ASSERT_TRUE(out.Finish().ok());
    EXPECT_EQ(w.body, want);
  }
}

// Native histograms as 2.42's marshalSampleJSON and marshalSeriesJSON
// write them: "histogram" in place of "value"; a series' floats as
// "values", then its histograms as "histograms", each left out if empty.
TEST(QueryJsonTest, EncodesNativeHistograms) {
  FloatHistogram h;
  h.count = 3;
  h.sum = 1.5;
  h.positive_spans = {{0, 1}};
  h.positive_buckets = {3};
  const std::string hj =
      R"({"count":"3","sum":"1.5","buckets":[[0,"0.5","1","3"]]})";
  promql::Result vector;
  vector.type = promql::ValueType::kVector;
  vector.vector.push_back({Labels::Of({{"a", "1"}}), 1500, 0, &h});
  vector.vector.push_back({Labels::Of({{"a", "2"}}), 1500, 2});
  promql::Result matrix;
  matrix.type = promql::ValueType::kMatrix;
  promql::Series x1{Labels::Of({{"x", "1"}}), {}, {}};
  x1.Add(1000, 0, &h);
  x1.Add(2000, 2, nullptr);
  x1.Add(3000, 0, &h);
  matrix.matrix.push_back(std::move(x1));
  promql::Series x2{Labels::Of({{"x", "2"}}), {}, {}};
  x2.Add(1000, 0, &h);
  matrix.matrix.push_back(std::move(x2));
  const std::pair<const promql::Result*, std::string> cases[] = {
      {&vector, R"({"resultType":"vector","result":[{"metric":{"a":"1"},)"
                R"("histogram":[1.500,)" +
                    hj + R"(]},{"metric":{"a":"2"},"value":[1.500,"2"]}]})"},
      {&matrix, R"({"resultType":"matrix","result":[{"metric":{"x":"1"},)"
                R"("values":[[2,"2"]],"histograms":[[1,)" +
                    hj + "],[3," + hj +
                    R"(]]},{"metric":{"x":"2"},"histograms":[[1,)" + hj +
                    "]]}]}"},
  };
  for (const auto& [result, want] : cases) {
    StringWriter w;
    StreamBuffer out(&w, 8);
    ASSERT_TRUE(WriteQueryData(*result, &out).ok());
    ASSERT_TRUE(out.Finish().ok());
    EXPECT_EQ(w.body, want);
  }
}

std::string Gunzip(const std::string& gz) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[4096];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
  } while (rc == Z_OK);
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

TEST(GzipBodyWriterTest, RoundTripsAcrossWritesAndFlushes) {
  StringWriter raw;
  GzipBodyWriter gz(&raw);
  std::string want;
  for (int i = 0; i < 20000; ++i) {
    const std::string piece = "{\"metric\":" + std::to_string(i * 7919) + "},";
    want += piece;
    ASSERT_TRUE(gz.Write(piece).ok());
    if (i % 5000 == 0) {
      ASSERT_TRUE(gz.Flush().ok());
    }
  }
  ASSERT_TRUE(gz.Finish().ok());
  EXPECT_LT(raw.body.size(), want.size() / 3);
  EXPECT_EQ(Gunzip(raw.body), want);
}

// server::Gzip: a whole body in memory, replacing what *out held, read
// back by zlib itself.
TEST(GzipBodyWriterTest, GzipCompressesAWholeBody) {
  const std::string raw(100000, 'x');
  std::string gz = "stale";
  ASSERT_TRUE(Gzip(raw, &gz).ok());
  EXPECT_LT(gz.size(), raw.size() / 10);
  EXPECT_EQ(Gunzip(gz), raw);
  ASSERT_TRUE(Gzip("", &gz).ok());
  EXPECT_FALSE(gz.empty());  // A gzip header and trailer.
  EXPECT_EQ(Gunzip(gz), "");
}

TEST(GzipBodyWriterTest, AcceptEncodingNegotiation) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=0.8"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("xgzip"));
}

TEST(QueryGateTest, BoundsConcurrencyWithTimeoutAndCancel) {
  QueryGate gate(1);
  ASSERT_TRUE(gate.Acquire(std::nullopt, nullptr).ok());
  const auto start = std::chrono::steady_clock::now();
  Status timed_out = gate.Acquire(
      std::chrono::steady_clock::now() + milliseconds(50), nullptr);
  EXPECT_EQ(timed_out.code(), StatusCode::kDeadlineExceeded);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(50));
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(30));
    cancel = true;
  });
  EXPECT_EQ(gate.Acquire(std::nullopt, &cancel).code(), StatusCode::kCancelled);
  canceller.join();
  // A released slot goes to a waiter.
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(30));
    gate.Release();
  });
  EXPECT_TRUE(
      gate.Acquire(std::chrono::steady_clock::now() + milliseconds(5000),
                   nullptr)
          .ok());
  releaser.join();
  EXPECT_EQ(gate.active(), 1);
  gate.Release();
}

TEST(QueryGateTest, CountsQueuedWaiters) {
  QueryGate gate(1);
  EXPECT_EQ(gate.limit(), 1);
  ASSERT_TRUE(gate.Acquire(std::nullopt, nullptr).ok());
  EXPECT_EQ(gate.queued(), 0);
  std::thread waiter([&] {
    EXPECT_TRUE(gate.Acquire(std::nullopt, nullptr).ok());
    gate.Release();
  });
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
  while (gate.queued() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(gate.queued(), 1);
  EXPECT_EQ(gate.active(), 1);
  gate.Release();
  waiter.join();
  EXPECT_EQ(gate.queued(), 0);
  EXPECT_EQ(gate.active(), 0);
}

class QueryApiHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.background_compaction = false;
    auto db = DB::Open(options, dir_.Join("data"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    std::unique_ptr<Appender> app = db_->NewAppender();
    for (int i = 0; i < 3; ++i) {
      Labels labels = Labels::Of({{"__name__", "http_requests_total"},
                                  {"job", "api"},
                                  {"instance", "host" + std::to_string(i)}});
      for (int s = 0; s <= 40; ++s) {
        ASSERT_TRUE(app->Append(labels, kT0 + s * 15000, s * (i + 1)).ok());
      }
    }
    ASSERT_TRUE(
        app->Append(Labels::Of({{"__name__", "up"}, {"job", "node"}}), kT0, 1)
            .ok());
    ASSERT_TRUE(app->Commit().ok());
    QueryApiOptions options_api;
    options_api.now_ms = [] { return kT0 + 60000; };
    options_api.flags = {{"query.timeout", "2m"}, {"a.flag", "x"}};
    options_api.engine.max_samples = 100;
    api_ = std::make_unique<QueryApi>(std::move(options_api));
    api_->SetDB(db_.get());
  }
  void TearDown() override {
    api_.reset();
    if (db_) (void)db_->Close();
  }

  // Persists the first two hours (all of SetUp's samples) into a block: a
  // sample 5 h later makes that range complete.
  void PersistFirstBlock() {
    std::unique_ptr<Appender> app = db_->NewAppender();
    ASSERT_TRUE(
        app->Append(Labels::Of({{"__name__", "late"}}), kT0 + 5 * 3600000, 1)
            .ok());
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE(db_->Compact().ok());
  }

  strata::testing::TempDir dir_{"strata-query-api-test"};
  std::unique_ptr<DB> db_;
  std::unique_ptr<QueryApi> api_;
};

TEST_F(QueryApiHandlerTest, InstantQueryDefaultsToNow) {
  Response r = api_->Query(Get("/api/v1/query", "query=sum(up)"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(
      BodyOf(r),
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1795620060,"1"]}]}})");
}

// Prometheus 2.42 prints a point's value in Go's 'e' form below 1e-6 and
// from 1e21 on, but a scalar always in 'f' form (checked against a live
// Prometheus: vector(5.51e-07) gives "5.51e-07", 5.51e-07 gives
// "0.000000551").
TEST_F(QueryApiHandlerTest, SmallAndLargeValuesAsPrometheusPrintsThem) {
  std::unique_ptr<Appender> app = db_->NewAppender();
  ASSERT_TRUE(
      app->Append(Labels::Of({{"__name__", "tiny"}}), kT0, 5.51e-07).ok());
  ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "huge"}}), kT0, 1e21).ok());
  ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "big"}}), kT0, 1e20).ok());
  ASSERT_TRUE(app->Commit().ok());
  const std::pair<std::string, std::string> cases[] = {
      {"tiny",
       R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"tiny"},"value":[1795620000,"5.51e-07"]}]}})"},
      {"huge",
       R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"huge"},"value":[1795620000,"1e+21"]}]}})"},
      {"big",
       R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"big"},"value":[1795620000,"100000000000000000000"]}]}})"},
      {"scalar(tiny)",
       R"({"status":"success","data":{"resultType":"scalar","result":[1795620000,"0.000000551"]}})"},
  };
  for (const auto& [query, want] : cases) {
    Response r = api_->Query(Get(
        "/api/v1/query", "query=" + GoQueryEscape(query) + "&time=1795620000"));
    EXPECT_EQ(r.status, 200) << query;
    EXPECT_EQ(BodyOf(r), want) << query;
  }
}

TEST_F(QueryApiHandlerTest, RangeQueryReturnsMatrix) {
  Response r = api_->QueryRange(
      Get("/api/v1/query_range",
          "query=sum(rate(http_requests_total[1m]))&start=1795620300&end="
          "1795620360&step=60"));
  EXPECT_EQ(r.status, 200);
  // Counters rising by 1, 2 and 3 per 15 s: 6/15 per second in total.
  EXPECT_EQ(
      BodyOf(r),
      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1795620300,"0.4"],[1795620360,"0.4"]]}]}})");
}

TEST_F(QueryApiHandlerTest, SampleLimitFailsWithExecutionError) {
  Response r = api_->Query(
      Get("/api/v1/query", "query=http_requests_total[10m]&time=1795620600"));
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(BodyOf(r).find(R"("errorType":"execution")"), std::string::npos);
}

TEST_F(QueryApiHandlerTest, CancelledQueryStops) {
  auto gone = std::make_shared<std::atomic<bool>>(true);
  Request req = Get("/api/v1/query", "query=up");
  req.client_gone = gone;
  Response r = api_->Query(req);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(BodyOf(r).find(R"("errorType":"canceled")"), std::string::npos);
}

TEST_F(QueryApiHandlerTest, SeriesLabelsAndValues) {
  EXPECT_EQ(BodyOf(api_->Series(Get("/api/v1/series", "match[]=up"))),
            R"({"status":"success","data":[{"__name__":"up","job":"node"}]})");
  EXPECT_EQ(BodyOf(api_->LabelNames(Get("/api/v1/labels"))),
            R"({"status":"success","data":["__name__","instance","job"]})");
  Request values = Get("/api/v1/label/job/values");
  values.path_params.Add("name", "job");
  EXPECT_EQ(BodyOf(api_->LabelValues(values)),
            R"({"status":"success","data":["api","node"]})");
  Request limited = Get("/api/v1/label/instance/values", "limit=2");
  limited.path_params.Add("name", "instance");
  EXPECT_EQ(
      BodyOf(api_->LabelValues(limited)),
      R"({"status":"success","data":["host0","host1"],"warnings":["results truncated due to limit"]})");
}

TEST_F(QueryApiHandlerTest, TsdbStatusCountsTheHead) {
  const std::string body = BodyOf(api_->TsdbStatus(Get("/api/v1/status/tsdb")));
  EXPECT_NE(body.find(R"("numSeries":4)"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("numLabelPairs":7)"), std::string::npos) << body;
  EXPECT_NE(
      body.find(
          R"("seriesCountByMetricName":[{"name":"http_requests_total","value":3},{"name":"up","value":1}])"),
      std::string::npos)
      << body;
  EXPECT_NE(body.find(R"({"name":"job=api","value":3})"), std::string::npos)
      << body;
}

// Prometheus 2.42's shape: headStats and the four lists, nothing else
// without match[]; `limit` (a later Prometheus's) shortens the lists.
TEST_F(QueryApiHandlerTest, TsdbStatusHasPrometheusShapeAndLimit) {
  const nlohmann::json json = nlohmann::json::parse(
      BodyOf(api_->TsdbStatus(Get("/api/v1/status/tsdb", "limit=1"))));
  const nlohmann::json& data = json["data"];
  std::vector<std::string> keys;
  for (const auto& [key, value] : data.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "headStats", "labelValueCountByLabelName",
                      "memoryInBytesByLabelName", "seriesCountByLabelValuePair",
                      "seriesCountByMetricName"}));
  for (const char* field :
       {"numSeries", "numLabelPairs", "chunkCount", "minTime", "maxTime"}) {
    EXPECT_TRUE(data["headStats"][field].is_number()) << field;
  }
  EXPECT_EQ(data["seriesCountByMetricName"].size(), 1u);
  EXPECT_EQ(data["seriesCountByMetricName"][0]["name"], "http_requests_total");
  EXPECT_EQ(
      BodyOf(api_->TsdbStatus(Get("/api/v1/status/tsdb", "limit=0"))),
      R"({"status":"error","errorType":"bad_data","error":"limit must be a positive number"})");
}

// Counts /api/v1/series's answer for `query` as the selection counts.
struct SeriesCounts {
  size_t series = 0;
  std::map<std::string, uint64_t> by_metric;
  std::map<std::string, uint64_t> by_pair;
};
SeriesCounts CountSeriesAnswer(QueryApi& api, const std::string& query) {
  const nlohmann::json series = nlohmann::json::parse(
      BodyOf(api.Series(Get("/api/v1/series", query))))["data"];
  SeriesCounts counts;
  counts.series = series.size();
  for (const nlohmann::json& labels : series) {
    ++counts.by_metric[labels["__name__"].get<std::string>()];
    for (const auto& [name, value] : labels.items()) {
      ++counts.by_pair[name + "=" + value.get<std::string>()];
    }
  }
  return counts;
}

void ExpectSelectionMatchesSeries(QueryApi& api, const std::string& query) {
  const SeriesCounts want = CountSeriesAnswer(api, query);
  const nlohmann::json json = nlohmann::json::parse(BodyOf(
      api.TsdbStatus(Get("/api/v1/status/tsdb", query + "&limit=1000"))));
  const nlohmann::json& sel = json["data"]["selection"];
  ASSERT_TRUE(sel.is_object()) << json.dump();
  EXPECT_EQ(sel["numSeries"], want.series) << query;
  EXPECT_EQ(sel["numMetricNames"], want.by_metric.size()) << query;
  EXPECT_EQ(sel["numLabelPairs"], want.by_pair.size()) << query;
  std::map<std::string, uint64_t> by_metric;
  for (const nlohmann::json& s : sel["seriesCountByMetricName"]) {
    by_metric[s["name"]] = s["value"];
  }
  EXPECT_EQ(by_metric, want.by_metric) << query;
  std::map<std::string, uint64_t> by_pair;
  for (const nlohmann::json& s : sel["seriesCountByLabelValuePair"]) {
    by_pair[s["name"]] = s["value"];
  }
  EXPECT_EQ(by_pair, want.by_pair) << query;
}

// Strata's extension: match[], start and end count the matching series
// server-side, as the cardinality page shows them; the counts equal those
// computed from /api/v1/series, in the head and in persisted blocks.
TEST_F(QueryApiHandlerTest, TsdbStatusSelectionMatchesSeries) {
  const std::string everything = "match[]={__name__=~\".%2B\"}";
  ExpectSelectionMatchesSeries(*api_, everything);
  ExpectSelectionMatchesSeries(*api_, "match[]=up&match[]={job=\"api\"}");
  ExpectSelectionMatchesSeries(
      *api_, "match[]={instance=\"host1\"}&start=1795620000&end=1795620060");
  // The selection counts from the block once the data is persisted.
  PersistFirstBlock();
  ASSERT_FALSE(db_->Blocks().empty());
  ExpectSelectionMatchesSeries(*api_, everything);
  ExpectSelectionMatchesSeries(*api_, everything + "&start=1795620000&end=" +
                                          std::to_string(kT0 / 1000 + 600));
  EXPECT_NE(BodyOf(api_->TsdbStatus(
                       Get("/api/v1/status/tsdb", "match[]=up{&limit=3")))
                .find("bad_data"),
            std::string::npos);
}

// /api/v1/status/blocks: every persisted block with its meta.json facts
// and its size, as DB::Blocks lists them.
TEST_F(QueryApiHandlerTest, StatusBlocksListsPersistedBlocks) {
  EXPECT_EQ(BodyOf(api_->TsdbBlocks(Get("/api/v1/status/blocks"))),
            R"({"status":"success","data":[]})");
  PersistFirstBlock();
  const std::vector<BlockInfo> blocks = db_->Blocks();
  ASSERT_EQ(blocks.size(), 1u);
  const BlockInfo& b = blocks[0];
  EXPECT_EQ(b.num_series, 4);
  EXPECT_EQ(b.num_samples, 3 * 41 + 1);
  EXPECT_GT(b.num_chunks, 0);
  EXPECT_EQ(b.level, 1);
  EXPECT_EQ(b.sources, std::vector<std::string>{b.ulid});
  EXPECT_LE(b.min_time, kT0);
  EXPECT_GT(b.max_time, kT0 + 600000);
  EXPECT_EQ(b.size_bytes, db_->Stats().blocks_bytes);
  const nlohmann::json data = nlohmann::json::parse(
      BodyOf(api_->TsdbBlocks(Get("/api/v1/status/blocks"))))["data"];
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0]["ulid"], b.ulid);
  EXPECT_EQ(data[0]["minTime"], b.min_time);
  EXPECT_EQ(data[0]["maxTime"], b.max_time);
  EXPECT_EQ(data[0]["stats"]["numSeries"], 4);
  EXPECT_EQ(data[0]["stats"]["numSamples"], b.num_samples);
  EXPECT_EQ(data[0]["stats"]["numChunks"], b.num_chunks);
  EXPECT_EQ(data[0]["stats"]["numTombstones"], 0);
  EXPECT_EQ(data[0]["compaction"]["level"], 1);
  EXPECT_EQ(data[0]["compaction"]["sources"][0], b.ulid);
  EXPECT_EQ(data[0]["sizeBytes"], b.size_bytes);
}

TEST_F(QueryApiHandlerTest, FlagsAndFormatQuery) {
  EXPECT_EQ(
      BodyOf(api_->Flags(Get("/api/v1/status/flags"))),
      R"({"status":"success","data":{"a.flag":"x","query.timeout":"2m"}})");
  EXPECT_EQ(BodyOf(api_->FormatQuery(
                Get("/api/v1/format_query", "query=sum(x)by(y)"))),
            R"json({"status":"success","data":"sum by (y) (x)"})json");
}

// Prometheus's `stats` object: timings and samples; per step with
// stats=all.
TEST_F(QueryApiHandlerTest, StatsAllReportsTimingsAndSamples) {
  const std::string body = BodyOf(api_->QueryRange(
      Get("/api/v1/query_range",
          "query=sum(rate(http_requests_total[1m]))&start=1795620300&end="
          "1795620360&step=60&stats=all")));
  const nlohmann::json json = nlohmann::json::parse(body);
  ASSERT_EQ(json["status"], "success") << body;
  const nlohmann::json& stats = json["data"]["stats"];
  ASSERT_TRUE(stats.is_object()) << body;
  for (const char* timing :
       {"evalTotalTime", "resultSortTime", "queryPreparationTime",
        "innerEvalTime", "execQueueTime", "execTotalTime"}) {
    ASSERT_TRUE(stats["timings"][timing].is_number()) << timing;
    EXPECT_GE(stats["timings"][timing].get<double>(), 0) << timing;
  }
  EXPECT_GE(stats["timings"]["execTotalTime"].get<double>(),
            stats["timings"]["execQueueTime"].get<double>());
  const nlohmann::json& samples = stats["samples"];
  const int64_t total = samples["totalQueryableSamples"].get<int64_t>();
  EXPECT_GT(total, 0) << body;
  EXPECT_GT(samples["peakSamples"].get<int64_t>(), 0) << body;
  // One [t, n] per step; together the total.
  const nlohmann::json& per_step = samples["totalQueryableSamplesPerStep"];
  ASSERT_EQ(per_step.size(), 2u) << body;
  EXPECT_EQ(per_step[0][0].get<double>(), 1795620300);
  EXPECT_EQ(per_step[1][0].get<double>(), 1795620360);
  EXPECT_GT(per_step[0][1].get<int64_t>(), 0);
  EXPECT_EQ(per_step[0][1].get<int64_t>() + per_step[1][1].get<int64_t>(),
            total);
  // The result is unchanged, the stats follow it.
  EXPECT_NE(body.find(R"("result":[{"metric":{},"values":[[1795620300,"0.4"],)"
                      R"([1795620360,"0.4"]]}],"stats":{"timings":{)"),
            std::string::npos)
      << body;
}

TEST_F(QueryApiHandlerTest, StatsCountSelectedSamples) {
  // Any value but "all": no per-step figures.
  const std::string body = BodyOf(api_->Query(Get(
      "/api/v1/query", "query=http_requests_total&time=1795620300&stats=1")));
  const nlohmann::json json = nlohmann::json::parse(body);
  const nlohmann::json& samples = json["data"]["stats"]["samples"];
  EXPECT_EQ(samples["totalQueryableSamples"], 3) << body;
  EXPECT_EQ(samples["peakSamples"], 3) << body;
  EXPECT_FALSE(samples.contains("totalQueryableSamplesPerStep")) << body;
  // No stats parameter: no stats.
  EXPECT_EQ(
      BodyOf(api_->Query(Get("/api/v1/query", "query=up"))).find("\"stats\""),
      std::string::npos);
}

// --web.cors.origin: the API used to answer every Origin with "*".
TEST(QueryApiCorsTest, AllowsOnlyConfiguredOriginsAndAnswersPreflight) {
  strata::testing::TempDir dir("strata-query-cors-test");
  auto db = DB::Open(Options{}, dir.Join("data"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const auto serve = [&](const QueryApiOptions& options,
                         const std::string& method, const std::string& path,
                         const std::string& origin) {
    QueryApi api(options);
    api.SetDB(db->get());
    Router router;
    api.RegisterRoutes(&router);
    Request request = Get(path, "query=1");
    request.method = method;
    request.headers.Add("Origin", origin);
    std::string route;
    return router.Dispatch(request, &route);
  };
  QueryApiOptions restrictive;
  Response r = serve(restrictive, "GET", "/api/v1/query", "http://grafana");
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.headers.Has("Access-Control-Allow-Origin"));

  QueryApiOptions grafana;
  grafana.cross_origin = *CrossOriginPolicy::Create("http://grafana");
  r = serve(grafana, "GET", "/api/v1/query", "http://grafana");
  EXPECT_EQ(r.headers.Get("Access-Control-Allow-Origin"), "http://grafana");
  r = serve(grafana, "OPTIONS", "/api/v1/query_range", "http://grafana");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success"})");
  EXPECT_EQ(r.headers.Get("Access-Control-Allow-Origin"), "http://grafana");
  EXPECT_EQ(r.headers.Get("Access-Control-Allow-Methods"),
            "GET, POST, OPTIONS");
  r = serve(grafana, "OPTIONS", "/api/v1/query_range", "http://evil");
  EXPECT_FALSE(r.headers.Has("Access-Control-Allow-Origin"));
  ASSERT_TRUE((*db)->Close().ok());
}

// strata_query_* through the routes, as strata-server serves them.
TEST(QueryApiMetricsTest, DurationsTimeoutsAndGateGauges) {
  strata::testing::TempDir dir("strata-query-metrics-test");
  Options options;
  options.background_compaction = false;
  auto db = DB::Open(options, dir.Join("data"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  MetricsRegistry registry;
  QueryApiOptions api_options;
  api_options.max_concurrency = 3;
  api_options.registry = &registry;
  QueryApi api(std::move(api_options));
  api.SetDB(db->get());
  Router router;
  api.RegisterRoutes(&router);
  const auto serve = [&](const std::string& path, const std::string& query) {
    Request request = Get(path, query);
    std::string route;
    Response response = router.Dispatch(request, &route);
    return std::make_pair(response.status, BodyOf(response));
  };
  EXPECT_EQ(serve("/api/v1/query", "query=vector(1)").first, 200);
  EXPECT_EQ(serve("/api/v1/labels", "").first, 200);
  // Far more steps than a millisecond allows.
  auto [status, body] = serve(
      "/api/v1/query", "query=count_over_time(vector(1)[1h:1ms])&timeout=1ms");
  EXPECT_EQ(status, 503) << body;
  EXPECT_NE(body.find(R"("errorType":"timeout")"), std::string::npos) << body;

  const std::string text = registry.RenderText();
  for (const char* line : {
           "strata_query_concurrency_limit 3\n",
           "strata_query_inflight 0\n",
           "strata_query_queued 0\n",
           "strata_query_duration_seconds_count{endpoint=\"query\"} 2\n",
           "strata_query_duration_seconds_count{endpoint=\"labels\"} 1\n",
           "strata_query_duration_seconds_count{endpoint=\"query_range\"} 0\n",
           "strata_query_duration_seconds_count{endpoint=\"remote_read\"} 0\n",
           "strata_query_timeouts_total{endpoint=\"query\"} 1\n",
           "strata_query_timeouts_total{endpoint=\"query_range\"} 0\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
  api.SetDB(nullptr);
  ASSERT_TRUE((*db)->Close().ok());
}

// Issue 15: queries that held gigabytes are refused with Prometheus's
// `execution` error (422) by the byte budget, per query and shared.
TEST_F(QueryApiHandlerTest, MemoryBudgetRefusesWith422) {
  MemoryPool pool(96 << 20);
  QueryApiOptions options;
  options.engine.max_memory_bytes = 64 << 20;
  options.engine.memory_pool = &pool;
  QueryApi api(std::move(options));
  api.SetDB(db_.get());
  const auto query = [&](const std::string& q) {
    Response r = api.Query(
        Get("/api/v1/query", "query=" + GoQueryEscape(q) + "&time=1795620600"));
    return std::make_pair(r.status, BodyOf(r));
  };
  const std::string per_query =
      R"json({"status":"error","errorType":"execution","error":"query processing would use too much memory in query execution: more than 67108864 bytes (--query.max-memory-bytes)"})json";
  // One of these peaked at 1.1 GB.
  EXPECT_EQ(query("max_over_time(vector(1)[1y:1ms])"),
            std::make_pair(422, per_query));
  // A 160 MB label: 400 * 400 copies of a 1,000-byte value.
  const std::string x1000(1000, 'x');
  std::string repeat;
  for (int i = 0; i < 400; ++i) repeat += "$1";
  EXPECT_EQ(query("label_replace(label_replace(label_replace(vector(1), "
                  "\"a\", \"" +
                  x1000 + "\", \"\", \"\"), \"b\", \"" + repeat +
                  "\", \"a\", \"(.*)\"), \"c\", \"" + repeat +
                  "\", \"b\", \"(.*)\")"),
            std::make_pair(422, per_query));
  // The pool mostly held by other queries.
  ASSERT_TRUE(pool.TryReserve(80 << 20));
  const auto [status, body] = query("max_over_time(vector(1)[10m:1ms])");
  EXPECT_EQ(status, 422) << body;
  EXPECT_EQ(
      body,
      R"json({"status":"error","errorType":"execution","error":"query processing would use too much memory in query execution: the queries and remote reads running at once would hold more than 100663296 bytes (--query.max-total-memory-bytes)"})json");
  pool.Release(80 << 20);
  EXPECT_EQ(query("max_over_time(vector(1)[10m:1ms])").first, 200);
  EXPECT_EQ(query("sum(http_requests_total)").first, 200);
  EXPECT_EQ(pool.used(), 0);  // Every answer sent and released.
}

}  // namespace
}  // namespace strata::server
