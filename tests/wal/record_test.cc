#include "wal/record.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::wal {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

TEST(RecordTest, RecordTypes) {
  EXPECT_EQ(GetRecordType(""), RecordType::kUnknown);
  EXPECT_EQ(GetRecordType(Bytes({1})), RecordType::kSeries);
  EXPECT_EQ(GetRecordType(Bytes({2, 0})), RecordType::kSamples);
  EXPECT_EQ(GetRecordType(Bytes({3})), RecordType::kTombstones);
  EXPECT_EQ(GetRecordType(Bytes({0})), RecordType::kUnknown);
  EXPECT_EQ(GetRecordType(Bytes({99})), RecordType::kUnknown);
}

TEST(RecordTest, SeriesGoldenBytes) {
  std::vector<RefSeries> series = {
      {1, Labels::Of({{"__name__", "up"}, {"job", "a"}})}};
  std::string rec;
  EncodeSeries(series, &rec);
  const std::string want = Bytes({1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 8}) +
                           "__name__" + Bytes({2}) + "up" + Bytes({3}) + "job" +
                           Bytes({1}) + "a";
  EXPECT_EQ(rec, want);
  std::vector<RefSeries> got;
  ASSERT_TRUE(DecodeSeries(rec, &got).ok());
  EXPECT_EQ(got, series);
}

TEST(RecordTest, SamplesGoldenBytes) {
  std::vector<RefSample> samples = {{5, 1000, 1.5}, {7, 990, -2.0}};
  std::string rec;
  EncodeSamples(samples, &rec);
  const std::string want =
      Bytes({2}) + Bytes({0, 0, 0, 0, 0, 0, 0, 5}) +
      Bytes({0, 0, 0, 0, 0, 0, 0x03, 0xe8}) + Bytes({0, 0}) +
      Bytes({0x3f, 0xf8, 0, 0, 0, 0, 0, 0}) +
      // ref +2 and t -10, zig-zag encoded; then -2.0.
      Bytes({0x04, 0x13}) + Bytes({0xc0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(rec, want);
}

TEST(RecordTest, TombstonesGoldenBytes) {
  std::vector<Stone> stones = {{3, {{-5, 10}}}};
  std::string rec;
  EncodeTombstones(stones, &rec);
  EXPECT_EQ(rec, Bytes({3, 0, 0, 0, 0, 0, 0, 0, 3, 0x09, 0x14}));
}

TEST(RecordTest, SeriesRoundTrip) {
  std::vector<RefSeries> series;
  for (uint64_t i = 0; i < 200; ++i) {
    series.push_back({i * 3 + (uint64_t{1} << 40),
                      Labels::Of({{"__name__", "http_requests_total"},
                                  {"instance", "host-" + std::to_string(i)},
                                  {"path", std::string(i % 50, 'p')},
                                  {"unicode", "\xc3\xa9t\xc3\xa9"}})});
  }
  series.push_back({0, Labels()});  // No labels at all.
  std::string rec;
  EncodeSeries(series, &rec);
  std::vector<RefSeries> got;
  ASSERT_TRUE(DecodeSeries(rec, &got).ok());
  EXPECT_EQ(got, series);
}

TEST(RecordTest, SamplesRoundTripIncludingExtremes) {
  std::mt19937_64 rng(7);
  std::vector<RefSample> samples;
  for (int i = 0; i < 1000; ++i) {
    samples.push_back({rng() % 100000,
                       static_cast<int64_t>(rng() % 10000000) - 5000000,
                       static_cast<double>(rng() % 1000) / 7.0});
  }
  // Deltas that overflow int64 still round-trip (Go wraps too).
  samples.push_back({std::numeric_limits<uint64_t>::max(),
                     std::numeric_limits<int64_t>::min(),
                     std::numeric_limits<double>::infinity()});
  samples.push_back({0, std::numeric_limits<int64_t>::max(), -0.0});
  samples.push_back({1, 0, std::numeric_limits<double>::quiet_NaN()});
  std::string rec;
  EncodeSamples(samples, &rec);
  std::vector<RefSample> got;
  ASSERT_TRUE(DecodeSamples(rec, &got).ok());
  ASSERT_EQ(got.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(got[i].ref, samples[i].ref) << i;
    EXPECT_EQ(got[i].t, samples[i].t) << i;
    // Bit-exact, so NaN payloads and -0 survive.
    EXPECT_EQ(std::memcmp(&got[i].v, &samples[i].v, 8), 0) << i;
  }
}

TEST(RecordTest, SamplesOfTheLongestEncodingAppendAfterExistingBytes) {
  // Every delta a 10-byte varint: 28 bytes a sample, more than the encoder
  // first makes room for, so the string grows while encoding.
  std::vector<RefSample> samples = {{0, 0, 0.0}};
  for (int i = 1; i < 500; ++i) {
    samples.push_back({uint64_t{1} << 62, std::numeric_limits<int64_t>::min(),
                       static_cast<double>(i)});
  }
  std::string rec = "kept";
  EncodeSamples(samples, &rec);
  ASSERT_EQ(rec.substr(0, 4), "kept");
  std::vector<RefSample> got;
  ASSERT_TRUE(DecodeSamples(std::string_view(rec).substr(4), &got).ok());
  ASSERT_EQ(got.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(got[i].ref, samples[i].ref) << i;
    EXPECT_EQ(got[i].t, samples[i].t) << i;
    EXPECT_EQ(got[i].v, samples[i].v) << i;
  }
  // Type byte, two 8-byte bases, then 10 + 10 + 8 bytes for every sample
  // but the first (whose deltas are 0: one byte each).
  EXPECT_EQ(rec.size(), 4 + 1 + 16 + 10 + 499 * 28u);
}

TEST(RecordTest, EmptyRecords) {
  std::string rec;
  EncodeSamples({}, &rec);
  EXPECT_EQ(rec, Bytes({2}));
  std::vector<RefSample> samples;
  EXPECT_TRUE(DecodeSamples(rec, &samples).ok());
  EXPECT_TRUE(samples.empty());

  rec.clear();
  EncodeSeries({}, &rec);
  std::vector<RefSeries> series;
  EXPECT_TRUE(DecodeSeries(rec, &series).ok());
  EXPECT_TRUE(series.empty());

  rec.clear();
  EncodeTombstones({}, &rec);
  std::vector<Stone> stones;
  EXPECT_TRUE(DecodeTombstones(rec, &stones).ok());
  EXPECT_TRUE(stones.empty());
}

TEST(RecordTest, TombstonesRoundTripMergingIntervalsPerRef) {
  std::vector<Stone> stones = {{1, {{0, 10}, {20, 30}}},
                               {2, {{-100, -50}}},
                               {1,
                                {{std::numeric_limits<int64_t>::min(),
                                  std::numeric_limits<int64_t>::max()}}}};
  std::string rec;
  EncodeTombstones(stones, &rec);
  std::vector<Stone> got;
  ASSERT_TRUE(DecodeTombstones(rec, &got).ok());
  EXPECT_EQ(got, stones);
}

// Prometheus 2.42's record.Encoder.Exemplars: the samples' header and
// deltas, each exemplar followed by its labels as a series record's.
TEST(RecordTest, ExemplarsGoldenBytesAndRoundTrip) {
  std::vector<RefExemplar> exemplars = {
      {5, 1000, 1.5, Labels::Of({{"trace_id", "ab"}})},
      {7, 990, -2.0, Labels()}};
  std::string rec;
  EncodeExemplars(exemplars, &rec);
  const std::string want =
      Bytes({4}) + Bytes({0, 0, 0, 0, 0, 0, 0, 5}) +
      Bytes({0, 0, 0, 0, 0, 0, 0x03, 0xe8}) + Bytes({0, 0}) +
      Bytes({0x3f, 0xf8, 0, 0, 0, 0, 0, 0}) + Bytes({1, 8}) + "trace_id" +
      Bytes({2}) + "ab" + Bytes({0x04, 0x13}) +
      Bytes({0xc0, 0, 0, 0, 0, 0, 0, 0}) + Bytes({0});
  EXPECT_EQ(rec, want);
  EXPECT_EQ(GetRecordType(rec), RecordType::kExemplars);
  std::vector<RefExemplar> got;
  ASSERT_TRUE(DecodeExemplars(rec, &got).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].ref, 5u);
  EXPECT_EQ(got[0].t, 1000);
  EXPECT_EQ(got[0].v, 1.5);
  EXPECT_EQ(got[0].labels, exemplars[0].labels);
  EXPECT_EQ(got[1].ref, 7u);
  EXPECT_EQ(got[1].t, 990);
  EXPECT_TRUE(got[1].labels.empty());
  // Every cut inside an entry is corruption; an empty list is the type.
  for (size_t n = 2; n < rec.size(); ++n) {
    if (n == 17 || n == 17 + 23) continue;  // Whole entries: valid.
    std::vector<RefExemplar> out;
    EXPECT_TRUE(DecodeExemplars(rec.substr(0, n), &out).IsCorruption()) << n;
  }
  std::string empty;
  EncodeExemplars({}, &empty);
  EXPECT_EQ(empty, Bytes({4}));
  std::vector<RefSample> wrong;
  EXPECT_TRUE(DecodeSamples(rec, &wrong).IsCorruption());
}

TEST(RecordTest, DecodersRejectTruncationAndWrongType) {
  std::string series, samples, stones;
  EncodeSeries({{{42, Labels::Of({{"a", "b"}, {"c", "d"}})}}}, &series);
  EncodeSamples({{{1, 2, 3.0}, {4, 5, 6.0}}}, &samples);
  EncodeTombstones({{{9, {{1, 2}, {3, 4}}}}}, &stones);

  // Every proper prefix longer than the type byte is malformed, except those
  // ending exactly between entries.
  for (size_t n = 2; n < series.size(); ++n) {
    std::vector<RefSeries> out;
    EXPECT_TRUE(DecodeSeries(series.substr(0, n), &out).IsCorruption()) << n;
  }
  for (size_t n = 2; n < samples.size(); ++n) {
    if (n == 1 + 16 || n == 1 + 16 + 10) continue;  // Whole samples: valid.
    std::vector<RefSample> out;
    EXPECT_TRUE(DecodeSamples(samples.substr(0, n), &out).IsCorruption()) << n;
  }
  for (size_t n = 2; n < stones.size(); ++n) {
    if (n == 11) continue;  // One whole entry: valid.
    std::vector<Stone> out;
    EXPECT_TRUE(DecodeTombstones(stones.substr(0, n), &out).IsCorruption())
        << n;
  }

  std::vector<RefSeries> s;
  std::vector<RefSample> m;
  std::vector<Stone> t;
  EXPECT_TRUE(DecodeSeries(samples, &s).IsCorruption());
  EXPECT_TRUE(DecodeSamples(series, &m).IsCorruption());
  EXPECT_TRUE(DecodeTombstones(samples, &t).IsCorruption());
  EXPECT_TRUE(DecodeSamples("", &m).IsCorruption());

  // A label count larger than the record can hold is rejected before any
  // allocation.
  std::string huge =
      Bytes({1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f});
  EXPECT_TRUE(DecodeSeries(huge, &s).IsCorruption());
}

}  // namespace
}  // namespace strata::wal
