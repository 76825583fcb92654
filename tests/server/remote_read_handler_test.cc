// RemoteReadHandler over a real DB: SAMPLES and STREAMED_XOR_CHUNKS
// answers, response type negotiation, Prometheus's framing (uvarint size,
// CRC32C, size limit), sorted series, chunk pass-through, errors.
#include "server/remote/remote_read_handler.h"

#include <cmath>

#include "chunk/xor_iterator.h"
#include "gtest/gtest.h"
#include "remote_test_util.h"
#include "server/metrics/metrics.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace strata::server {
namespace {

using testing::Bits;
using testing::TempDB;

constexpr int64_t kT0 = 1795620000000;

class CollectingWriter : public BodyWriter {
 public:
  Status Write(std::string_view data) override {
    out.append(data);
    return Status::OK();
  }
  Status Flush() override {
    ++flushes;
    return Status::OK();
  }
  std::string out;
  int flushes = 0;
};

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
  ASSERT_TRUE(snappy::Uncompress(resp.body.data(), resp.body.size(), &raw));
  prometheus::ReadResponse read;
  ASSERT_TRUE(read.ParseFromString(raw));
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
  CollectingWriter writer;
  ASSERT_TRUE(resp.stream(&writer).ok());
  std::vector<Frame> frames = ParseFrames(writer.out);
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

TEST_F(RemoteReadHandlerTest, SmallFrameLimitSplitsSeriesAcrossFrames) {
  options_.max_bytes_in_frame = 400;
  Remake();
  prometheus::ReadRequest read = QueryM(kT0, kT0 + 499000);
  read.add_accepted_response_types(
      prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  Request r = ReadRequestOf(read);
  Response resp = handler_->Handle(r);
  ASSERT_TRUE(resp.stream);
  CollectingWriter writer;
  ASSERT_TRUE(resp.stream(&writer).ok());
  std::vector<Frame> frames = ParseFrames(writer.out);
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
  EXPECT_FALSE(resp.stream);

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
  ASSERT_TRUE(snappy::Uncompress(resp.body.data(), resp.body.size(), &raw));
  prometheus::ReadResponse read;
  ASSERT_TRUE(read.ParseFromString(raw));
  ASSERT_EQ(read.results_size(), 1);
  EXPECT_EQ(read.results(0).timeseries_size(), 0);
}

}  // namespace
}  // namespace strata::server
