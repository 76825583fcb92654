// Native histograms in remote write 1.0 and 2.0: decoded into the public
// Histogram/FloatHistogram (strata/histogram.h) from messages the protobuf
// library encodes, integer vs float decided as each version's receiver
// does, and malformed messages refused.
#include <string>

#include "gtest/gtest.h"
#include "remote_test_util.h"
#include "server/remote/remote_write_decoder.h"

namespace strata::server {
namespace {

using testing::AddSeries;
using testing::V2Builder;

// Fills `h` (either version's message) with an integer histogram.
template <typename Proto>
void FillInteger(Proto* h) {
  h->set_count_int(12);
  h->set_sum(-3.25);
  h->set_schema(-2);
  h->set_zero_threshold(0.001);
  h->set_zero_count_int(3);
  auto* p1 = h->add_positive_spans();
  p1->set_offset(-1);
  p1->set_length(2);
  auto* p2 = h->add_positive_spans();
  p2->set_offset(3);
  p2->set_length(1);
  h->add_positive_deltas(4);
  h->add_positive_deltas(-2);
  h->add_positive_deltas(1);
  auto* n1 = h->add_negative_spans();
  n1->set_offset(0);
  n1->set_length(1);
  h->add_negative_deltas(1);
  h->set_timestamp(1700000000123);
}

void ExpectInteger(const WireHistogram& w) {
  ASSERT_FALSE(w.is_float);
  const ::strata::Histogram& h = w.integer;
  EXPECT_EQ(w.timestamp, 1700000000123);
  EXPECT_EQ(h.count, 12u);
  EXPECT_EQ(h.sum, -3.25);
  EXPECT_EQ(h.schema, -2);
  EXPECT_EQ(h.zero_threshold, 0.001);
  EXPECT_EQ(h.zero_count, 3u);
  EXPECT_EQ(h.positive_spans, (std::vector<HistogramSpan>{{-1, 2}, {3, 1}}));
  EXPECT_EQ(h.positive_buckets, (std::vector<int64_t>{4, -2, 1}));
  EXPECT_EQ(h.negative_spans, (std::vector<HistogramSpan>{{0, 1}}));
  EXPECT_EQ(h.negative_buckets, (std::vector<int64_t>{1}));
  EXPECT_TRUE(ValidateHistogram(h).ok());
}

TEST(RemoteWriteHistogramTest, V1IntegerHistogramDecodesEveryField) {
  prometheus::WriteRequest req;
  auto* ts = AddSeries(&req, {{"__name__", "lat"}}, {});
  auto* h = ts->add_histograms();
  FillInteger(h);
  h->set_reset_hint(prometheus::Histogram::NO);
  const std::string data = req.SerializeAsString();
  WriteBatch batch;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV1, data, &batch).ok());
  ASSERT_EQ(batch.series.size(), 1u);
  ASSERT_EQ(batch.HistogramsOf(batch.series[0]).size(), 1u);
  const WireHistogram& w = batch.HistogramsOf(batch.series[0])[0];
  ExpectInteger(w);
  EXPECT_EQ(w.integer.counter_reset_hint, CounterResetHint::kNotCounterReset);
  EXPECT_EQ(batch.histograms, 1);
}

TEST(RemoteWriteHistogramTest, V1FloatHistogramAsPrometheus242Decides) {
  prometheus::WriteRequest req;
  auto* ts = AddSeries(&req, {{"__name__", "lat"}}, {});
  auto* f = ts->add_histograms();
  f->set_count_float(7.5);
  f->set_zero_count_float(0.5);
  f->set_sum(10);
  f->set_reset_hint(prometheus::Histogram::GAUGE);
  auto* s = f->add_positive_spans();
  s->set_offset(2);
  s->set_length(2);
  f->add_positive_counts(1.5);
  f->add_positive_counts(5.5);
  // count_float and zero_count_float 0: 2.42 takes it for an integer
  // histogram (with count 0, the float counts unused).
  auto* zero = ts->add_histograms();
  zero->set_count_float(0);
  zero->set_zero_count_float(0);
  zero->add_positive_counts(1);
  // Only zero_count_float > 0 also makes a float histogram.
  ts->add_histograms()->set_zero_count_float(2);
  const std::string data = req.SerializeAsString();
  WriteBatch batch;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV1, data, &batch).ok());
  const auto hs = batch.HistogramsOf(batch.series[0]);
  ASSERT_EQ(hs.size(), 3u);
  ASSERT_TRUE(hs[0].is_float);
  const ::strata::FloatHistogram& fh = hs[0].floating;
  EXPECT_EQ(fh.count, 7.5);
  EXPECT_EQ(fh.zero_count, 0.5);
  EXPECT_EQ(fh.sum, 10);
  EXPECT_EQ(fh.counter_reset_hint, CounterResetHint::kGauge);
  EXPECT_EQ(fh.positive_spans, (std::vector<HistogramSpan>{{2, 2}}));
  EXPECT_EQ(fh.positive_buckets, (std::vector<double>{1.5, 5.5}));
  EXPECT_TRUE(ValidateFloatHistogram(fh).ok());
  ASSERT_FALSE(hs[1].is_float);
  EXPECT_EQ(hs[1].integer.count, 0u);
  EXPECT_TRUE(hs[1].integer.positive_buckets.empty());
  EXPECT_TRUE(hs[2].is_float);
  EXPECT_EQ(hs[2].floating.zero_count, 2);
}

TEST(RemoteWriteHistogramTest, V2DecodesHistogramsAndTheCountOneofDecides) {
  V2Builder b;
  auto* ts = b.AddSeries({{"__name__", "lat"}}, {});
  FillInteger(ts->add_histograms());
  auto* f = ts->add_histograms();
  f->set_count_float(0);  // Set, though 0: a float histogram in 2.0.
  f->set_start_timestamp(1699999999000);
  f->set_reset_hint(io::prometheus::write::v2::Histogram::RESET_HINT_YES);
  const std::string data = b.Serialize();
  WriteBatch batch;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV2, data, &batch).ok());
  const auto hs = batch.HistogramsOf(batch.series[0]);
  ASSERT_EQ(hs.size(), 2u);
  ExpectInteger(hs[0]);
  ASSERT_TRUE(hs[1].is_float);
  EXPECT_EQ(hs[1].floating.counter_reset_hint, CounterResetHint::kCounterReset);
  EXPECT_EQ(hs[1].start_timestamp, 1699999999000);
  EXPECT_EQ(batch.start_timestamps, 1);
}

// Raw bytes: a request holding one series whose only field is one
// histogram message with `histogram` as its bytes.
std::string RequestWithHistogram(const std::string& histogram) {
  std::string series = "\x22";  // TimeSeries.histograms (4), LEN.
  series.push_back(static_cast<char>(histogram.size()));
  series += histogram;
  std::string request = "\x0a";  // WriteRequest.timeseries (1), LEN.
  request.push_back(static_cast<char>(series.size()));
  return request + series;
}

TEST(RemoteWriteHistogramTest, OneofsKeepTheLastFieldAndPackedListsMix) {
  std::string h;
  h += "\x08\x05";  // count_int 5 ...
  h += "\x11";      // ... then count_float 2.0: float wins.
  h += std::string("\x00\x00\x00\x00\x00\x00\x00\x40", 8);
  h += "\x69";  // positive_counts (13), one unpacked double 1.0.
  h += std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8);
  h += "\x6a\x08";  // positive_counts packed: 0.5.
  h += std::string("\x00\x00\x00\x00\x00\x00\xe0\x3f", 8);
  const std::string data = RequestWithHistogram(h);
  WriteBatch batch;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV1, data, &batch).ok());
  const auto hs = batch.HistogramsOf(batch.series[0]);
  ASSERT_EQ(hs.size(), 1u);
  ASSERT_TRUE(hs[0].is_float);
  EXPECT_EQ(hs[0].floating.count, 2);
  EXPECT_EQ(hs[0].floating.positive_buckets, (std::vector<double>{1, 0.5}));
  // sint64 deltas, one unpacked (-1) and a packed run (2, -3).
  std::string deltas = "\x60\x01\x62\x02\x04\x05";
  const std::string d2 = RequestWithHistogram(deltas);
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV1, d2, &batch).ok());
  EXPECT_EQ(batch.HistogramsOf(batch.series[0])[0].integer.positive_buckets,
            (std::vector<int64_t>{-1, 2, -3}));
}

TEST(RemoteWriteHistogramTest, MalformedHistogramsAreRefused) {
  WriteBatch batch;
  // count_int (a varint field) sent as fixed64.
  const std::string wrong_type = RequestWithHistogram(
      std::string("\x09\x00\x00\x00\x00\x00\x00\x00\x00", 9));
  Status s = DecodeWriteRequest(RemoteWriteVersion::kV1, wrong_type, &batch);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "malformed prometheus.Histogram: wrong wire type for varint in "
            "timeseries #0 at byte 9");
  // A BucketSpan whose offset varint is cut off.
  const std::string span = RequestWithHistogram("\x5a\x02\x08\x80");
  s = DecodeWriteRequest(RemoteWriteVersion::kV1, span, &batch);
  EXPECT_EQ(s.message(),
            "malformed prometheus.Histogram: truncated varint in timeseries "
            "#0 at byte 4");
  // Packed doubles that are not a multiple of 8 bytes.
  const std::string packed =
      RequestWithHistogram(std::string("\x6a\x03\x00\x00\x00", 5));
  s = DecodeWriteRequest(RemoteWriteVersion::kV1, packed, &batch);
  EXPECT_EQ(s.message(),
            "malformed prometheus.Histogram: truncated packed fixed64 in "
            "timeseries #0 at byte 5");
  // A length past the end of the histogram.
  const std::string cut = RequestWithHistogram("\x5a\x09\x08\x01");
  s = DecodeWriteRequest(RemoteWriteVersion::kV1, cut, &batch);
  EXPECT_EQ(s.message(),
            "malformed prometheus.Histogram: length past the end of input in "
            "timeseries #0 at byte 2");
}

// Structure is the decoder's business, consistency ValidateHistogram's:
// decoded histograms that Prometheus would refuse say why, in its words.
TEST(RemoteWriteHistogramTest, DecodedHistogramsValidateAsPrometheus) {
  prometheus::WriteRequest req;
  auto* ts = AddSeries(&req, {{"__name__", "lat"}}, {});
  auto* h = ts->add_histograms();
  FillInteger(h);
  h->add_positive_deltas(7);  // One bucket more than the spans say.
  auto* f = ts->add_histograms();
  f->set_count_float(1);
  f->add_negative_counts(-2);
  auto* n = f->add_negative_spans();
  n->set_length(1);
  const std::string data = req.SerializeAsString();
  WriteBatch batch;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV1, data, &batch).ok());
  const auto hs = batch.HistogramsOf(batch.series[0]);
  ASSERT_EQ(hs.size(), 2u);
  EXPECT_EQ(ValidateHistogram(hs[0].integer).message(),
            "positive side: spans need 3 buckets, have 4 buckets: histogram "
            "spans specify different number of buckets than provided");
  EXPECT_EQ(ValidateFloatHistogram(hs[1].floating).message(),
            "negative side: bucket number 1 has observation count of -2: "
            "histogram has a bucket whose observation count is negative");
}

}  // namespace
}  // namespace strata::server
