// RemoteReadHandler over a real DB: SAMPLES and STREAMED_XOR_CHUNKS
// answers, response type negotiation, Prometheus's framing (uvarint size,
// CRC32C, size limit), sorted series, chunk pass-through, errors.
#include "server/remote/remote_read_handler.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "chunk/histogram_iterator.h"
#include "chunk/xor_iterator.h"
#include "gtest/gtest.h"
#include "remote_test_util.h"
#include "server/metrics/metrics.h"
#include "streamed_body.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "util/memory_budget.h"
#include "wait_for.h"

namespace strata::server {
namespace {

using testing::Bits;
using testing::TempDB;

constexpr int64_t kT0 = 1795620000000;

// The ReadResponse of a SAMPLES answer.
prometheus::ReadResponse SamplesOf(Response& resp, std::string* raw_out) {
  const std::string body = BodyOf(resp);
  std::string raw;
  EXPECT_TRUE(snappy::Uncompress(body.data(), body.size(), &raw));
  prometheus::ReadResponse read;
  EXPECT_TRUE(read.ParseFromString(raw));
  if (raw_out != nullptr) *raw_out = raw;
  return read;
}

struct Frame {
  prometheus::ChunkedReadResponse message;
  size_t message_bytes = 0;
};

// Splits a streamed body into frames, checking each CRC.
std::vector<Frame> ParseFrames(std::string_view body) {
  std::vector<Frame> frames;
  while (!body.empty()) {
    uint64_t size;
    EXPECT_TRUE(GetUvarint(&body, &size));
    uint32_t crc;
    EXPECT_TRUE(GetBE32(&body, &crc));
    EXPECT_LE(size, body.size());
    if (size > body.size()) break;
    const std::string_view data = body.substr(0, size);
    EXPECT_EQ(crc, crc32c::Value(data));
    Frame f;
    EXPECT_TRUE(
        f.message.ParseFromArray(data.data(), static_cast<int>(data.size())));
    f.message_bytes = size;
    frames.push_back(std::move(f));
    body.remove_prefix(size);
  }
  return frames;
}

std::string LabelsText(
    const google::protobuf::RepeatedPtrField<prometheus::Label>& labels) {
  std::string out;
  for (const auto& l : labels) out += l.name() + "=" + l.value() + ",";
  return out;
}

class RemoteReadHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 3 series x 500 samples (several chunks each), one with a stale
    // marker; appended in an order unlike their sort order.
    std::unique_ptr<Appender> app = tmp_.db()->NewAppender();
    for (const char* job : {"zeta", "alpha", "mid"}) {
      const Labels labels = Labels::Of({{"__name__", "m"}, {"job", job}});
      for (int i = 0; i < 500; ++i) {
        double v = std::sin(i) * 100;
        if (std::string(job) == "mid" && i == 499) {
          v = std::bit_cast<double>(kStaleNaNBits);
        }
        ASSERT_TRUE(app->Append(labels, kT0 + i * 1000, v).ok());
      }
    }
    ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "other"}}), kT0, 1).ok());
    ASSERT_TRUE(app->Commit().ok());
    Remake();
  }

  // A handler with the current options_ (and a fresh metrics registry).
  void Remake() {
    handler_.reset();
    registry_ = std::make_unique<MetricsRegistry>();
    handler_ = std::make_unique<RemoteReadHandler>(options_, registry_.get());
    handler_->SetDB(tmp_.db());
  }

  Request ReadRequestOf(const prometheus::ReadRequest& read) {
    Request r;
    r.method = "POST";
    r.path = "/api/v1/read";
    r.headers.Add("Content-Type", "application/x-protobuf");
    r.headers.Add("Content-Encoding", "snappy");
    r.body = testing::Snappy(read.SerializeAsString());
    return r;
  }

  static prometheus::ReadRequest QueryM(int64_t start, int64_t end) {
    prometheus::ReadRequest read;
    prometheus::Query* q = read.add_queries();
    q->set_start_timestamp_ms(start);
    q->set_end_timestamp_ms(end);
    auto* m = q->add_matchers();
    m->set_type(prometheus::LabelMatcher::EQ);
    m->set_name("__name__");
    m->set_value("m");
    return read;
  }

  TempDB tmp_;
  std::unique_ptr<MetricsRegistry> registry_;
  RemoteReadOptions options_;
  std::unique_ptr<RemoteReadHandler> handler_;
};

TEST_F(RemoteReadHandlerTest, SamplesResponseHasEverySampleSorted) {
  Request r = ReadRequestOf(QueryM(kT0 + 100000, kT0 + 499000));
  Response resp = handler_->Handle(r);
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.headers.Get("Content-Type"), "application/x-protobuf");
  EXPECT_EQ(resp.headers.Get("Content-Encoding"), "snappy");
  std::string raw;
  const prometheus::ReadResponse read = SamplesOf(resp, &raw);
  // Encoded without message objects, byte for byte as protobuf would.
  EXPECT_EQ(read.SerializeAsString(), raw);
  ASSERT_EQ(read.results_size(), 1);
  const auto& series = read.results(0).timeseries();
  ASSERT_EQ(series.size(), 3);
  EXPECT_EQ(LabelsText(series[0].labels()), "__name__=m,job=alpha,");
  EXPECT_EQ(LabelsText(series[1].labels()), "__name__=m,job=mid,");
  EXPECT_EQ(LabelsText(series[2].labels()), "__name__=m,job=zeta,");
  for (const auto& ts : series) {
    ASSERT_EQ(ts.samples_size(), 400);
    for (int i = 0; i < 400; ++i) {
      EXPECT_EQ(ts.samples(i).timestamp(), kT0 + (100 + i) * 1000);
    }
  }
  EXPECT_EQ(Bits(series[1].samples(399).value()), kStaleNaNBits);
  EXPECT_EQ(series[0].samples(0).value(), std::sin(100) * 100);
}

TEST_F(RemoteReadHandlerTest, StreamedFramesFollowPrometheusFraming) {
  prometheus::ReadRequest read = QueryM(kT0, kT0 + 499000);
  read.add_accepted_response_types(
      prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  read.add_accepted_response_types(prometheus::ReadRequest::SAMPLES);
  // A second query, for query_index.
  prometheus::Query* q2 = read.add_queries();
  q2->set_start_timestamp_ms(kT0);
  q2->set_end_timestamp_ms(kT0 + 1000000);
  auto* m = q2->add_matchers();
  m->set_type(prometheus::LabelMatcher::RE);
  m->set_name("__name__");
  m->set_value("oth.*");
  Request r = ReadRequestOf(read);
  Response resp = handler_->Handle(r);
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.headers.Get("Content-Type"),
            "application/x-streamed-protobuf; "
            "proto=prometheus.ChunkedReadResponse");
  ASSERT_TRUE(resp.stream);
  StringWriter writer;
  ASSERT_TRUE(resp.stream(&writer).ok());
  std::vector<Frame> frames = ParseFrames(writer.body);
  ASSERT_EQ(frames.size(), 4u);  // Each series fits one 1 MiB frame.
  EXPECT_EQ(writer.flushes, 4);

  // Chunks, decoded, give back every sample; the bytes are the stored
  // chunks' bytes.
  StatusOr<std::unique_ptr<Querier>> q =
      tmp_.db()->NewQuerier(kT0, kT0 + 499000);
  ASSERT_TRUE(q.ok());
  std::unique_ptr<SeriesSet> set =
      (*q)->Select({Matcher::Equal("__name__", "m")});
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(set->Next());
    const auto& cs = frames[i].message.chunked_series(0);
    EXPECT_EQ(frames[i].message.query_index(), 0);
    EXPECT_EQ(cs.labels(1).value(), std::string(set->At().labels().Get("job")));
    std::unique_ptr<ChunkIterator> chunks = set->At().NewChunkIterator();
    int n = 0;
    int samples = 0;
    for (const auto& chunk : cs.chunks()) {
      ASSERT_TRUE(chunks->Next());
      EXPECT_EQ(chunk.data(), std::string(chunks->At().data));
      EXPECT_EQ(chunk.min_time_ms(), chunks->At().mint);
      EXPECT_EQ(chunk.max_time_ms(), chunks->At().maxt);
      EXPECT_EQ(chunk.type(), prometheus::Chunk::XOR);
      chunk::XorIterator it(chunk.data());
      while (it.Next()) {
        EXPECT_EQ(it.t(), kT0 + samples * 1000);
        ++samples;
      }
      EXPECT_FALSE(it.error());
      ++n;
    }
    EXPECT_FALSE(chunks->Next());
    EXPECT_GE(n, 2);
    EXPECT_EQ(samples, 500);
  }
  EXPECT_EQ(frames[3].message.query_index(), 1);
  EXPECT_EQ(frames[3].message.chunked_series(0).labels(0).value(), "other");
}

// Issue 19: over blocks with dense chunks (the cold tier) the streamed
// answer is byte for byte the one over Prometheus-format (XOR) blocks: each
// dense chunk is converted back into the XOR chunk it came from.
TEST_F(RemoteReadHandlerTest, StreamedChunksOverDenseBlocksAreTheXorChunks) {
  constexpr int64_t kHour = 3600 * 1000;
  std::string answers[2];
  for (int dense = 0; dense < 2; ++dense) {
    strata::testing::TempDir dir("strata-remote-dense");
    Options o;
    o.background_compaction = false;
    o.retention_ms = 0;
    o.dense_chunks = dense == 1;
    o.dense_after_ms = 2 * kHour;
    auto db = DB::Open(o, dir.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::unique_ptr<Appender> app = (*db)->NewAppender();
    for (int64_t t = 0; t < 12 * kHour; t += 15000) {
      for (const char* job : {"a", "b"}) {
        ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "m"}, {"job", job}}),
                                kT0 + t, static_cast<double>(t / 15000) * 0.5)
                        .ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
    for (int pass = 0; pass < 4; ++pass) {  // One cold rewrite per pass.
      ASSERT_TRUE((*db)->Compact().ok());
    }
    int dense_blocks = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      std::ifstream meta(e.path() / "meta.json");
      std::string text((std::istreambuf_iterator<char>(meta)), {});
      dense_blocks += text.find("strata-dense-chunks") != std::string::npos;
    }
    EXPECT_EQ(dense_blocks > 0, dense == 1);
    MetricsRegistry registry;
    RemoteReadHandler handler(RemoteReadOptions{}, &registry);
    handler.SetDB(db->get());
    prometheus::ReadRequest read = QueryM(kT0, kT0 + 12 * kHour);
    read.add_accepted_response_types(
        prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
    Request r = ReadRequestOf(read);
    Response resp = handler.Handle(r);
    ASSERT_EQ(resp.status, 200) << resp.body;
    answers[dense] = BodyOf(resp);
    int chunks = 0;
    for (const Frame& f : ParseFrames(answers[dense])) {
      for (const auto& cs : f.message.chunked_series()) {
        for (const auto& chunk : cs.chunks()) {
          EXPECT_EQ(chunk.type(), prometheus::Chunk::XOR);
          chunk::XorIterator it(chunk.data());
          while (it.Next()) {
          }
          EXPECT_FALSE(it.error());
          ++chunks;
        }
      }
    }
    EXPECT_GT(chunks, 2 * 12 * kHour / (120 * 15000) - 2);
    ASSERT_TRUE((*db)->Close().ok());
  }
  EXPECT_TRUE(answers[0] == answers[1]);
}

// A series with floats then native histograms: SAMPLES holds the floats up
// to the first histogram, as Prometheus 2.42's ToQueryResult; streamed
// chunks carry the histogram chunks with their encoding, a chunk the range
// clips re-encoded as a histogram chunk (never as floats).
TEST_F(RemoteReadHandlerTest, NativeHistogramsInSamplesAndStreamedChunks) {
  tmp_.EnableNativeHistograms();
  Remake();
  std::unique_ptr<Appender> app = tmp_.db()->NewAppender();
  const Labels labels = Labels::Of({{"__name__", "mix"}});
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(app->Append(labels, kT0 + i * 1000, i).ok());
  }
  for (int i = 10; i < 20; ++i) {
    ::strata::Histogram h;
    h.count = static_cast<uint64_t>(i);
    h.sum = i * 0.5;
    h.positive_spans = {{0, 1}};
    h.positive_buckets = {i};
    ASSERT_TRUE(app->AppendHistogram(labels, kT0 + i * 1000, &h, nullptr).ok());
  }
  ASSERT_TRUE(app->Commit().ok());
  prometheus::ReadRequest read = QueryM(kT0, kT0 + 15000);
  read.mutable_queries(0)->mutable_matchers(0)->set_value("mix");
  Request samples_request = ReadRequestOf(read);
  Response samples = handler_->Handle(samples_request);
  ASSERT_EQ(samples.status, 200) << samples.body;
  std::string raw;
  const prometheus::ReadResponse got = SamplesOf(samples, &raw);
  ASSERT_EQ(got.results(0).timeseries_size(), 1);
  EXPECT_EQ(got.results(0).timeseries(0).samples_size(), 10);

  read.add_accepted_response_types(
      prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  Request streamed_request = ReadRequestOf(read);
  Response streamed = handler_->Handle(streamed_request);
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  std::vector<std::string> seen;
  for (const Frame& f : ParseFrames(BodyOf(streamed))) {
    for (const auto& cs : f.message.chunked_series()) {
      for (const auto& c : cs.chunks()) {
        if (c.type() == prometheus::Chunk::XOR) {
          chunk::XorIterator it(c.data());
          while (it.Next()) seen.push_back("f" + std::to_string(it.v()));
          continue;
        }
        ASSERT_EQ(c.type(), prometheus::Chunk::HISTOGRAM);
        chunk::HistogramIterator it(c.data());
        while (it.Next()) {
          seen.push_back("h" + std::to_string(it.AtHistogram().count));
        }
        EXPECT_FALSE(it.error());
        EXPECT_EQ(c.min_time_ms(), kT0 + 10000);
        EXPECT_EQ(c.max_time_ms(), kT0 + 15000);
      }
    }
  }
  ASSERT_EQ(seen.size(), 16u);
  EXPECT_EQ(seen[9], "f9.000000");
  EXPECT_EQ(seen[10], "h10");
  EXPECT_EQ(seen[15], "h15");
}

TEST_F(RemoteReadHandlerTest, SmallFrameLimitSplitsSeriesAcrossFrames) {
  options_.max_bytes_in_frame = 400;
  Remake();
  prometheus::ReadRequest read = QueryM(kT0, kT0 + 499000);
  read.add_accepted_response_types(
      prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  Request r = ReadRequestOf(read);
  Response resp = handler_->Handle(r);
  ASSERT_TRUE(resp.stream);
  StringWriter writer;
  ASSERT_TRUE(resp.stream(&writer).ok());
  std::vector<Frame> frames = ParseFrames(writer.body);
  ASSERT_GT(frames.size(), 3u);
  std::string previous;
  std::vector<std::string> series_order;
  int64_t last_max = 0;
  for (const Frame& f : frames) {
    ASSERT_EQ(f.message.chunked_series_size(), 1);
    const auto& cs = f.message.chunked_series(0);
    const std::string labels = LabelsText(cs.labels());
    if (labels != previous) {
      series_order.push_back(labels);
      last_max = INT64_MIN;
    }
    previous = labels;
    // Within the limit unless a single chunk alone exceeds it.
    if (cs.chunks_size() > 1) {
      EXPECT_LE(f.message_bytes, 400u);
    }
    for (const auto& c : cs.chunks()) {
      EXPECT_GT(c.min_time_ms(), last_max);
      last_max = c.max_time_ms();
    }
  }
  // Each series' frames are consecutive and the series sorted.
  EXPECT_EQ(series_order, (std::vector<std::string>{"__name__=m,job=alpha,",
                                                    "__name__=m,job=mid,",
                                                    "__name__=m,job=zeta,"}));
}

TEST_F(RemoteReadHandlerTest, NegotiatesResponseType) {
  prometheus::ReadRequest read = QueryM(kT0, kT0 + 1000);
  read.add_accepted_response_types(prometheus::ReadRequest::SAMPLES);
  read.add_accepted_response_types(
      prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  Request samples_first = ReadRequestOf(read);
  Response resp = handler_->Handle(samples_first);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.headers.Get("Content-Type"), "application/x-protobuf");

  prometheus::ReadRequest unknown = QueryM(kT0, kT0 + 1000);
  unknown.add_accepted_response_types(
      static_cast<prometheus::ReadRequest::ResponseType>(7));
  Request r = ReadRequestOf(unknown);
  Response bad = handler_->Handle(r);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("does not support"), std::string::npos);

  prometheus::ReadRequest unknown_then_streamed = unknown;
  unknown_then_streamed.add_accepted_response_types(
      prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  Request r2 = ReadRequestOf(unknown_then_streamed);
  EXPECT_TRUE(handler_->Handle(r2).stream);
}

TEST_F(RemoteReadHandlerTest, BadRequestsAre400) {
  Request garbage = ReadRequestOf(QueryM(0, 1));
  garbage.body = "definitely not snappy";
  EXPECT_EQ(handler_->Handle(garbage).status, 400);
  Request truncated = ReadRequestOf(QueryM(0, 1));
  truncated.body.resize(truncated.body.size() / 2);
  EXPECT_EQ(handler_->Handle(truncated).status, 400);
  Request not_proto = ReadRequestOf(QueryM(0, 1));
  not_proto.body = testing::Snappy("\x0a\x05\x01");
  EXPECT_EQ(handler_->Handle(not_proto).status, 400);

  prometheus::ReadRequest bad_regex = QueryM(kT0, kT0 + 1000);
  auto* m = bad_regex.mutable_queries(0)->add_matchers();
  m->set_type(prometheus::LabelMatcher::RE);
  m->set_name("job");
  m->set_value("(unclosed");
  Request r = ReadRequestOf(bad_regex);
  EXPECT_EQ(handler_->Handle(r).status, 400);

  handler_->SetDB(nullptr);
  Request later = ReadRequestOf(QueryM(0, 1));
  EXPECT_EQ(handler_->Handle(later).status, 503);
}

TEST_F(RemoteReadHandlerTest, SampleLimitIs400) {
  options_.sample_limit = 100;
  Remake();
  Request r = ReadRequestOf(QueryM(kT0, kT0 + 499000));
  Response resp = handler_->Handle(r);
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(resp.body.find("exceeded sample limit (100)"), std::string::npos);
}

TEST_F(RemoteReadHandlerTest, EmptyOrInvertedRangeGivesNoSeries) {
  Request r = ReadRequestOf(QueryM(kT0 + 10, kT0));
  Response resp = handler_->Handle(r);
  ASSERT_EQ(resp.status, 200);
  std::string raw;
  const prometheus::ReadResponse read = SamplesOf(resp, &raw);
  EXPECT_EQ(read.SerializeAsString(), raw);
  ASSERT_EQ(read.results_size(), 1);
  EXPECT_EQ(read.results(0).timeseries_size(), 0);
}

// Several queries, zero timestamps and values (which proto3 leaves out):
// still what protobuf itself writes.
TEST_F(RemoteReadHandlerTest, SamplesEncodingMatchesProtobufForEdgeValues) {
  TempDB edge_db;
  std::unique_ptr<Appender> app = edge_db.db()->NewAppender();
  const Labels labels = Labels::Of({{"__name__", "edge"}, {"a", "b"}});
  ASSERT_TRUE(app->Append(labels, -5000, 0.0).ok());
  ASSERT_TRUE(app->Append(labels, 0, -0.0).ok());
  ASSERT_TRUE(app->Append(labels, 1, 1e300).ok());
  ASSERT_TRUE(app->Commit().ok());
  handler_->SetDB(edge_db.db());
  prometheus::ReadRequest read = QueryM(kT0, kT0 + 499000);
  prometheus::Query* q = read.add_queries();
  q->set_start_timestamp_ms(-10000);
  q->set_end_timestamp_ms(10);
  auto* m = q->add_matchers();
  m->set_type(prometheus::LabelMatcher::EQ);
  m->set_name("__name__");
  m->set_value("edge");
  Request r = ReadRequestOf(read);
  Response resp = handler_->Handle(r);
  ASSERT_EQ(resp.status, 200);
  std::string raw;
  const prometheus::ReadResponse answer = SamplesOf(resp, &raw);
  EXPECT_EQ(answer.SerializeAsString(), raw);
  ASSERT_EQ(answer.results_size(), 2);
  ASSERT_EQ(answer.results(1).timeseries_size(), 1);
  EXPECT_EQ(answer.results(1).timeseries(0).samples_size(), 3);
  handler_->SetDB(nullptr);
}

// Issue 15: a SAMPLES answer cost about 95 bytes a sample up to the 50M
// sample limit. It is now refused with 422 past its byte budget...
TEST_F(RemoteReadHandlerTest, SamplesOverMemoryBudgetAre422) {
  options_.max_memory_bytes = 16 << 10;  // 1,500 samples need ~30 KB.
  Remake();
  Request r = ReadRequestOf(QueryM(kT0, kT0 + 499000));
  Response resp = handler_->Handle(r);
  EXPECT_EQ(resp.status, 422);
  EXPECT_EQ(resp.body,
            "remote read would use too much memory: the response would hold "
            "more than 16384 bytes (--storage.remote.read-max-memory-bytes); "
            "select fewer series or a shorter range, or use "
            "STREAMED_XOR_CHUNKS\n");
}

// ... and holds about 20 bytes a sample, labels included.
TEST_F(RemoteReadHandlerTest, SamplesHoldAbout20BytesPerSample) {
  options_.max_memory_bytes = 1500 * 25 + 8192;
  Remake();
  Request r = ReadRequestOf(QueryM(kT0, kT0 + 499000));
  Response resp = handler_->Handle(r);
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(SamplesOf(resp, nullptr).results(0).timeseries_size(), 3);
}

TEST_F(RemoteReadHandlerTest, SharedPoolExhaustedIs422) {
  MemoryPool pool(64 << 10);
  ASSERT_TRUE(pool.TryReserve(60 << 10));  // Held by running queries.
  options_.memory_pool = &pool;
  Remake();
  Request r = ReadRequestOf(QueryM(kT0, kT0 + 499000));
  Response resp = handler_->Handle(r);
  EXPECT_EQ(resp.status, 422);
  EXPECT_NE(resp.body.find("the queries and remote reads running at once "
                           "would hold more than 65536 bytes "
                           "(--query.max-total-memory-bytes)"),
            std::string::npos)
      << resp.body;
  EXPECT_EQ(pool.used(), 60 << 10);
  pool.Release(60 << 10);
  Response ok = handler_->Handle(r);
  ASSERT_EQ(ok.status, 200);
  EXPECT_GT(pool.used(), 0);  // Held until the answer is sent.
  BodyOf(ok);
  ok.stream = nullptr;
  EXPECT_EQ(pool.used(), 0);
}

// --storage.remote.read-concurrent-limit: a read holds its slot until its
// answer has been sent; the next one waits for it, as in Prometheus.
TEST_F(RemoteReadHandlerTest, ConcurrencyLimitHoldsUntilTheAnswerIsSent) {
  options_.concurrent_limit = 1;
  Remake();
  Request r = ReadRequestOf(QueryM(kT0, kT0 + 1000));
  auto first = std::make_unique<Response>(handler_->Handle(r));
  ASSERT_EQ(first->status, 200);
  std::atomic<bool> done{false};
  std::thread second([&] {
    Request r2 = ReadRequestOf(QueryM(kT0, kT0 + 1000));
    EXPECT_EQ(handler_->Handle(r2).status, 200);
    done = true;
  });
  // Still waiting while the first answer is unsent.
  EXPECT_FALSE(strata::testing::WaitFor([&] { return done.load(); },
                                        std::chrono::milliseconds(200)));
  BodyOf(*first);
  first.reset();
  EXPECT_TRUE(strata::testing::WaitFor([&] { return done.load(); },
                                       std::chrono::seconds(10)));
  second.join();
}

}  // namespace
}  // namespace strata::server
