// HistogramSamples (7) and FloatHistogramSamples (8) records: golden bytes
// derived by hand from Prometheus 2.42's tsdb/record Encoder (a line-by-line
// transcription of Encoder.HistogramSamples/FloatHistogramSamples and
// encoding.Encbuf), round trips and malformed input.
#include "wal/histogram_record.h"

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "util/coding.h"
#include "wal/record.h"

namespace strata::wal {
namespace {

// The bytes of a C string literal with embedded NULs.
template <size_t N>
std::string Literal(const char (&s)[N]) {
  return std::string(s, N - 1);
}

bool SameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof(double)) == 0;
}

bool SameBits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameBits(a[i], b[i])) return false;
  }
  return true;
}

template <typename H>
void ExpectSameCommonFields(const H& got, const H& want) {
  EXPECT_EQ(got.counter_reset_hint, want.counter_reset_hint);
  EXPECT_EQ(got.schema, want.schema);
  EXPECT_TRUE(SameBits(got.zero_threshold, want.zero_threshold));
  EXPECT_TRUE(SameBits(got.sum, want.sum));
  EXPECT_EQ(got.positive_spans, want.positive_spans);
  EXPECT_EQ(got.negative_spans, want.negative_spans);
}

void ExpectSame(const Histogram& got, const Histogram& want) {
  ExpectSameCommonFields(got, want);
  EXPECT_EQ(got.zero_count, want.zero_count);
  EXPECT_EQ(got.count, want.count);
  EXPECT_EQ(got.positive_buckets, want.positive_buckets);
  EXPECT_EQ(got.negative_buckets, want.negative_buckets);
}

void ExpectSame(const FloatHistogram& got, const FloatHistogram& want) {
  ExpectSameCommonFields(got, want);
  EXPECT_TRUE(SameBits(got.zero_count, want.zero_count));
  EXPECT_TRUE(SameBits(got.count, want.count));
  EXPECT_TRUE(SameBits(got.positive_buckets, want.positive_buckets));
  EXPECT_TRUE(SameBits(got.negative_buckets, want.negative_buckets));
}

std::vector<RefHistogramSample> IntegerSamples() {
  Histogram a;
  a.counter_reset_hint = CounterResetHint::kNotCounterReset;
  a.schema = 1;
  a.zero_threshold = 0.001;
  a.zero_count = 2;
  a.count = 10;
  a.sum = 23.5;
  a.positive_spans = {{0, 2}, {1, 1}};
  a.negative_spans = {{-2, 1}};
  a.positive_buckets = {1, 2, -1};
  a.negative_buckets = {2};
  Histogram b;
  b.counter_reset_hint = CounterResetHint::kGauge;
  b.schema = -2;
  return {{3, 1000, a}, {5, 1015, b}};
}

std::vector<RefFloatHistogramSample> FloatSamples() {
  FloatHistogram a;
  a.counter_reset_hint = CounterResetHint::kCounterReset;
  a.schema = 3;
  a.zero_threshold = 0x1p-128;
  a.zero_count = 0.5;
  a.count = 7.25;
  a.sum = -1.5;
  a.positive_spans = {{-3, 1}, {2, 2}};
  a.negative_spans = {{70000, 1}};
  a.positive_buckets = {1.25, 0, 5.5};
  a.negative_buckets = {0.5};
  FloatHistogram b;
  b.count = std::numeric_limits<double>::infinity();
  b.sum = std::numeric_limits<double>::quiet_NaN();
  return {{7, -5, a}, {2, 1000000000000, b}};
}

// Encoder.HistogramSamples(IntegerSamples()) in Prometheus 2.42.
const std::string kIntegerGolden = Literal(
    "\x07\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x03\xe8"
    "\x00\x00\x02\x02\x3f\x50\x62\x4d\xd2\xf1\xa9\xfc\x02\x0a\x40\x37\x80"
    "\x00\x00\x00\x00\x00\x02\x00\x02\x02\x01\x01\x03\x01\x03\x02\x04\x01"
    "\x01\x04\x04\x1e\x03\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00");

// Encoder.FloatHistogramSamples(FloatSamples()) in Prometheus 2.42.
const std::string kFloatGolden = Literal(
    "\x08\x00\x00\x00\x00\x00\x00\x00\x07\xff\xff\xff\xff\xff\xff\xff\xfb"
    "\x00\x00\x01\x06\x37\xf0\x00\x00\x00\x00\x00\x00\x3f\xe0\x00\x00\x00"
    "\x00\x00\x00\x40\x1d\x00\x00\x00\x00\x00\x00\xbf\xf8\x00\x00\x00\x00"
    "\x00\x00\x02\x05\x01\x04\x02\x01\xe0\xc5\x08\x01\x03\x3f\xf4\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x16\x00\x00\x00"
    "\x00\x00\x00\x01\x3f\xe0\x00\x00\x00\x00\x00\x00\x09\x8a\xc0\xa8\xca"
    "\x9a\x3a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x7f\xf0\x00\x00\x00\x00\x00\x00\x7f\xf8\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00");

TEST(HistogramRecordTest, IntegerGoldenBytesAndRoundTrip) {
  const std::vector<RefHistogramSample> samples = IntegerSamples();
  std::string rec;
  EncodeHistogramSamples(samples, &rec);
  EXPECT_EQ(rec, kIntegerGolden);
  EXPECT_EQ(GetRecordType(rec), RecordType::kHistogramSamples);
  std::vector<RefHistogramSample> got;
  ASSERT_TRUE(DecodeHistogramSamples(kIntegerGolden, &got).ok());
  ASSERT_EQ(got.size(), samples.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].ref, samples[i].ref);
    EXPECT_EQ(got[i].t, samples[i].t);
    ExpectSame(got[i].h, samples[i].h);
  }
}

TEST(HistogramRecordTest, FloatGoldenBytesAndRoundTrip) {
  const std::vector<RefFloatHistogramSample> samples = FloatSamples();
  std::string rec;
  EncodeFloatHistogramSamples(samples, &rec);
  EXPECT_EQ(rec, kFloatGolden);
  EXPECT_EQ(GetRecordType(rec), RecordType::kFloatHistogramSamples);
  std::vector<RefFloatHistogramSample> got;
  ASSERT_TRUE(DecodeFloatHistogramSamples(kFloatGolden, &got).ok());
  ASSERT_EQ(got.size(), samples.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].ref, samples[i].ref);
    EXPECT_EQ(got[i].t, samples[i].t);
    ExpectSame(got[i].fh, samples[i].fh);
  }
}

TEST(HistogramRecordTest, EmptyRecordsAreTheTypeByteAlone) {
  std::string rec;
  EncodeHistogramSamples({}, &rec);
  EXPECT_EQ(rec, "\x07");
  std::vector<RefHistogramSample> got;
  EXPECT_TRUE(DecodeHistogramSamples(rec, &got).ok());
  EXPECT_TRUE(got.empty());
  rec.clear();
  EncodeFloatHistogramSamples({}, &rec);
  EXPECT_EQ(rec, "\x08");
  std::vector<RefFloatHistogramSample> fgot;
  EXPECT_TRUE(DecodeFloatHistogramSamples(rec, &fgot).ok());
  EXPECT_TRUE(fgot.empty());
}

// Go keeps every byte of the hint and the low 32 bits of schema and
// offsets (int32(dec.Varint64())).
TEST(HistogramRecordTest, DecodingKeepsUnknownHintsAndTruncatesAsGo) {
  std::string rec = Literal("\x07");
  PutBE64(&rec, 1);
  PutBE64(&rec, 0);
  PutVarint(&rec, 0);
  PutVarint(&rec, 0);
  rec.push_back('\x09');                    // Hint 9: no such hint.
  PutVarint(&rec, (int64_t{1} << 32) + 5);  // Schema 5 after truncation.
  PutBE64(&rec, 0);
  PutUvarint(&rec, 0);
  PutUvarint(&rec, 0);
  PutBE64(&rec, 0);
  PutUvarint(&rec, 1);
  PutVarint(&rec, -(int64_t{1} << 32) - 3);  // Offset -3.
  PutUvarint(&rec, 0);
  rec.append("\x00\x00\x00", 3);
  std::vector<RefHistogramSample> got;
  ASSERT_TRUE(DecodeHistogramSamples(rec, &got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(static_cast<int>(got[0].h.counter_reset_hint), 9);
  EXPECT_EQ(got[0].h.schema, 5);
  ASSERT_EQ(got[0].h.positive_spans.size(), 1u);
  EXPECT_EQ(got[0].h.positive_spans[0].offset, -3);
}

TEST(HistogramRecordTest, DecodersRejectMalformedRecords) {
  constexpr size_t kBaseBytes = 1 + 8 + 8;  // Type, base ref, base time.
  std::vector<RefHistogramSample> ints;
  std::vector<RefFloatHistogramSample> floats;
  // Wrong type, either way.
  EXPECT_FALSE(DecodeHistogramSamples(kFloatGolden, &ints).ok());
  EXPECT_FALSE(DecodeFloatHistogramSamples(kIntegerGolden, &floats).ok());
  EXPECT_FALSE(DecodeHistogramSamples("", &ints).ok());
  // Every truncation of a valid record (past the type byte) fails, keeping
  // what was decoded before, except two that end where a sample could
  // start: after the base ref and time (no samples, as Go decodes it) and
  // after the first sample.
  int boundaries = 0;
  for (size_t n = 2; n < kIntegerGolden.size(); ++n) {
    ints.clear();
    const Status s = DecodeHistogramSamples(kIntegerGolden.substr(0, n), &ints);
    EXPECT_LE(ints.size(), 1u);
    if (s.ok()) {
      EXPECT_EQ(ints.size(), n == kBaseBytes ? 0u : 1u) << n;
      ++boundaries;
      continue;
    }
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << n;
  }
  EXPECT_EQ(boundaries, 2);
  boundaries = 0;
  for (size_t n = 2; n < kFloatGolden.size(); ++n) {
    floats.clear();
    if (DecodeFloatHistogramSamples(kFloatGolden.substr(0, n), &floats).ok()) {
      EXPECT_EQ(floats.size(), n == kBaseBytes ? 0u : 1u) << n;
      ++boundaries;
    }
  }
  EXPECT_EQ(boundaries, 2);
  // Trailing garbage is a truncated next sample.
  ints.clear();
  EXPECT_FALSE(DecodeHistogramSamples(kIntegerGolden + "\x01", &ints).ok());
  EXPECT_EQ(ints.size(), 2u);
}

// Counts the record cannot hold are refused before anything is allocated,
// and span lengths past 32 bits as Decbuf.Uvarint32 refuses them.
TEST(HistogramRecordTest, DecodersRejectImpossibleCounts) {
  std::string head = Literal("\x08");
  PutBE64(&head, 1);
  PutBE64(&head, 0);
  PutVarint(&head, 0);
  PutVarint(&head, 0);
  head.push_back('\x00');
  PutVarint(&head, 0);
  for (int i = 0; i < 4; ++i) PutBE64(&head, 0);
  std::string huge_spans = head;
  PutUvarint(&huge_spans, uint64_t{1} << 60);
  std::vector<RefFloatHistogramSample> floats;
  EXPECT_FALSE(DecodeFloatHistogramSamples(huge_spans, &floats).ok());
  std::string huge_buckets = head;
  PutUvarint(&huge_buckets, 0);
  PutUvarint(&huge_buckets, 0);
  PutUvarint(&huge_buckets, 3);  // Three float buckets need 24 bytes.
  huge_buckets.append(16, '\0');
  EXPECT_FALSE(DecodeFloatHistogramSamples(huge_buckets, &floats).ok());
  std::string long_span = head;
  PutUvarint(&long_span, 1);
  PutVarint(&long_span, 0);
  PutUvarint(&long_span, uint64_t{1} << 32);
  PutUvarint(&long_span, 0);
  PutUvarint(&long_span, 0);
  PutUvarint(&long_span, 0);
  EXPECT_FALSE(DecodeFloatHistogramSamples(long_span, &floats).ok());
  EXPECT_TRUE(floats.empty());
}

}  // namespace
}  // namespace strata::wal
