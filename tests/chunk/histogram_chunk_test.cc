// Histogram chunks (encoding 2): varbit fields, the layout, the span
// arithmetic of Prometheus's appendability rules (with the examples of
// Prometheus's own comments and tests), round trips of every test series,
// counter-reset hints, resuming an adopted chunk, and damaged bytes.
#include "chunk/histogram_chunk.h"

#include <bit>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"
#include "chunk/histogram.h"
#include "chunk/histogram_iterator.h"
#include "chunk/histogram_layout.h"
#include "chunk/histogram_series.h"
#include "chunk/varbit.h"
#include "gtest/gtest.h"
#include "histogram_test_data.h"

namespace strata::chunk {
namespace {

using testing::HistogramSeries;
using testing::HistogramTestSeries;
using testing::MeaningOf;
using S = std::vector<HistogramSpan>;

constexpr int64_t kTwoHours = 2 * 3600 * 1000;

TEST(VarbitTest, RoundTripsAndWidthsAtEveryBoundary) {
  // {value, bits written} at both ends of every bucket.
  const std::vector<std::pair<int64_t, int>> ints = {
      {0, 1},
      {1, 5},
      {-3, 5},
      {4, 5},
      {5, 9},
      {-4, 9},
      {32, 9},
      {-31, 9},
      {33, 13},
      {256, 13},
      {-255, 13},
      {257, 17},
      {2048, 17},
      {2049, 24},
      {131072, 24},
      {131073, 32},
      {-16777215, 32},
      {16777216, 32},
      {16777217, 64},
      {int64_t{1} << 55, 64},
      {(int64_t{1} << 55) + 1, 72},
      {-(int64_t{1} << 55) + 1, 64},
      {-(int64_t{1} << 55), 72},
      {std::numeric_limits<int64_t>::min(), 72},
      {std::numeric_limits<int64_t>::max(), 72},
  };
  for (const auto& [v, bits] : ints) {
    BitWriter w;
    PutVarbitInt(w, v);
    EXPECT_EQ(w.bit_size(), static_cast<size_t>(bits)) << v;
    BitReader r(w.bytes());
    EXPECT_EQ(ReadVarbitInt(r), v);
    EXPECT_FALSE(r.overrun());
  }
  const std::vector<std::pair<uint64_t, int>> uints = {
      {0, 1},
      {7, 5},
      {8, 9},
      {63, 9},
      {64, 13},
      {4095, 17},
      {4096, 24},
      {262143, 24},
      {262144, 32},
      {33554431, 32},
      {33554432, 64},
      {(uint64_t{1} << 56) - 1, 64},
      {uint64_t{1} << 56, 72},
      {~uint64_t{0}, 72},
  };
  for (const auto& [v, bits] : uints) {
    BitWriter w;
    PutVarbitUint(w, v);
    EXPECT_EQ(w.bit_size(), static_cast<size_t>(bits)) << v;
    BitReader r(w.bytes());
    EXPECT_EQ(ReadVarbitUint(r), v);
  }
}

TEST(HistogramLayoutTest, ZeroThresholdForms) {
  // {threshold, bytes}: 0, a power of two in range (one byte), others.
  const std::vector<std::pair<double, size_t>> cases = {
      {0, 1},
      {testing::kDefaultZeroThreshold, 1},
      {1024, 1},
      {2048, 9},
      {std::ldexp(1, -243), 1},
      {std::ldexp(1, -244), 9},
      {0.001, 9},
      {-0.5, 9},
  };
  BitWriter ref;  // The same layout with threshold 0 (one byte).
  WriteHistogramLayout(ref, 3, 0, S{{-5, 2}, {0, 0}, {7, 1}}, S{});
  for (const auto& [zt, bytes] : cases) {
    BitWriter w;
    WriteHistogramLayout(w, 3, zt, S{{-5, 2}, {0, 0}, {7, 1}}, S{});
    EXPECT_EQ(w.bit_size() - ref.bit_size(), (bytes - 1) * 8) << zt;
    BitReader r(w.bytes());
    HistogramLayout l;
    ASSERT_EQ(ReadHistogramLayout(r, &l), nullptr);
    EXPECT_EQ(std::bit_cast<uint64_t>(l.zero_threshold),
              std::bit_cast<uint64_t>(zt));
    EXPECT_EQ(l.schema, 3);
    EXPECT_EQ(l.positive_spans, (S{{-5, 2}, {0, 0}, {7, 1}}));
    EXPECT_TRUE(l.negative_spans.empty());
  }
  // The default threshold is the byte 116, as Prometheus documents.
  BitWriter w;
  WriteHistogramLayout(w, 0, testing::kDefaultZeroThreshold, S{}, S{});
  EXPECT_EQ(static_cast<uint8_t>(w.bytes()[0]), 116);
}

// The example in the comment of Prometheus's expandSpansForward: a span
// appended, one unchanged, one prepended, two merged.
TEST(HistogramLayoutTest, ExpandSpansForwardAndInsertDeltas) {
  const S old_spans = {{0, 2}, {2, 1}, {3, 2}, {3, 1}, {1, 1}};
  const S new_spans = {{0, 3}, {1, 1}, {1, 4}, {3, 3}};
  std::vector<BucketInsert> inserts;
  ASSERT_TRUE(ExpandSpansForward(old_spans, new_spans, &inserts));
  EXPECT_EQ(inserts, (std::vector<BucketInsert>{{2, 1}, {3, 2}, {6, 1}}));
  const std::vector<int64_t> deltas = {6, -3, 0, -1, 2, 1, -4};
  EXPECT_EQ(InsertBuckets(deltas, inserts),
            (std::vector<int64_t>{6, -3, -3, 3, -3, 0, 2, 2, 1, -5, 1}));
  const std::vector<double> absolute = {6, 3, 3, 2, 4, 5, 1};
  EXPECT_EQ(InsertBuckets(absolute, inserts),
            (std::vector<double>{6, 3, 0, 3, 0, 0, 2, 4, 5, 0, 1}));
  // Removing a bucket is not an expansion.
  EXPECT_FALSE(ExpandSpansForward(new_spans, old_spans, &inserts));
}

// Cases of Prometheus's TestInsert: inserts at the end, and only there.
TEST(HistogramLayoutTest, InsertAtTheEnd) {
  EXPECT_EQ(InsertBuckets(std::vector<int64_t>{1, 2},
                          std::vector<BucketInsert>{{2, 2}}),
            (std::vector<int64_t>{1, 2, -3, 0}));
  EXPECT_EQ(
      InsertBuckets(std::vector<int64_t>{}, std::vector<BucketInsert>{{0, 3}}),
      (std::vector<int64_t>{0, 0, 0}));
}

TEST(HistogramLayoutTest, ExpandSpansBothWays) {
  // a: buckets 0,1,5; b: buckets 1,2,5,9.
  const S a = {{0, 2}, {3, 1}};
  const S b = {{1, 2}, {2, 1}, {3, 1}};
  std::vector<BucketInsert> fwd, bwd;
  S merged;
  ExpandSpansBothWays(a, b, &fwd, &bwd, &merged);
  EXPECT_EQ(merged, (S{{0, 3}, {2, 1}, {3, 1}}));  // 0,1,2,5,9
  EXPECT_EQ(fwd, (std::vector<BucketInsert>{{2, 1}, {3, 1}}));
  EXPECT_EQ(bwd, (std::vector<BucketInsert>{{0, 1}}));
}

TEST(HistogramLayoutTest, CounterResetInAnyBucket) {
  const S old_spans = {{0, 2}, {1, 1}};  // 0,1,3
  const S new_spans = {{0, 4}};          // 0,1,2,3
  // Counts 5,7,2 -> 5,7,0,2: no reset; 5,7,0,1: bucket 3 went down.
  EXPECT_FALSE(CounterResetInAnyBucket(std::vector<int64_t>{5, 2, -5},
                                       std::vector<int64_t>{5, 2, -7, 2},
                                       old_spans, new_spans));
  EXPECT_TRUE(CounterResetInAnyBucket(std::vector<int64_t>{5, 2, -5},
                                      std::vector<int64_t>{5, 2, -7, 1},
                                      old_spans, new_spans));
  EXPECT_TRUE(CounterResetInAnyBucket(std::vector<double>{5, 7, 2},
                                      std::vector<double>{4, 7, 0, 2},
                                      old_spans, new_spans));
}

// Decodes a chunk, failing the test on corruption.
std::vector<testing::HistogramSample> Decode(std::string_view bytes) {
  std::vector<testing::HistogramSample> out;
  HistogramIterator it(bytes);
  while (it.Next()) out.push_back({it.t(), it.AtHistogram()});
  EXPECT_FALSE(it.error()) << it.error_message();
  EXPECT_EQ(static_cast<int>(out.size()), HistogramNumSamples(bytes));
  return out;
}

std::vector<HistogramChunk> Encode(const HistogramSeries& s) {
  HistogramSeriesAppender app(kTwoHours);
  for (const testing::HistogramSample& x : s.samples) {
    EXPECT_TRUE(app.Append(x.t, x.h));
  }
  return app.chunks();
}

TEST(HistogramChunkTest, EverySeriesRoundTrips) {
  for (const HistogramSeries& s : HistogramTestSeries()) {
    SCOPED_TRACE(s.name);
    std::vector<testing::HistogramSample> decoded;
    for (const HistogramChunk& c : Encode(s)) {
      for (auto& x : Decode(c.Bytes())) decoded.push_back(std::move(x));
    }
    ASSERT_EQ(decoded.size(), s.samples.size());
    for (size_t i = 0; i < decoded.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(decoded[i].t, s.samples[i].t);
      EXPECT_TRUE(MeaningOf(decoded[i].h) == MeaningOf(s.samples[i].h));
    }
  }
}

const HistogramSeries& Find(const std::vector<HistogramSeries>& all,
                            std::string_view suffix) {
  for (const HistogramSeries& s : all) {
    if (s.name.ends_with(suffix)) return s;
  }
  ADD_FAILURE() << suffix;
  return all.front();
}

std::vector<CounterResetHeader> Headers(const std::vector<HistogramChunk>& cs) {
  std::vector<CounterResetHeader> out;
  for (const HistogramChunk& c : cs) out.push_back(c.counter_reset_header());
  return out;
}

TEST(HistogramChunkTest, CounterResetHeadersAndHints) {
  using H = CounterResetHeader;
  const std::vector<HistogramSeries> all = HistogramTestSeries();
  // Every series ends with a sample 2h later: a time-based cut, which
  // keeps the knowledge that nothing was reset (kNotCounterReset).
  const H kCut = H::kNotCounterReset;
  EXPECT_EQ(Headers(Encode(Find(all, "steady"))),
            (std::vector<H>{H::kUnknown, kCut}));
  // New buckets recode the chunk instead of cutting it.
  EXPECT_EQ(Headers(Encode(Find(all, "new_buckets"))),
            (std::vector<H>{H::kUnknown, kCut}));
  EXPECT_EQ(Headers(Encode(Find(all, "layout_change"))),
            (std::vector<H>{H::kUnknown, H::kUnknown, H::kUnknown, kCut}));
  // A vanished bucket, the zero bucket and one bucket going down.
  EXPECT_EQ(Headers(Encode(Find(all, "bucket_reset"))),
            (std::vector<H>{H::kUnknown, H::kCounterReset, H::kCounterReset,
                            H::kCounterReset, kCut}));
  EXPECT_EQ(
      Headers(Encode(Find(all, "reset_hints"))),
      (std::vector<H>{H::kUnknown, H::kCounterReset, H::kCounterReset, kCut}));
  EXPECT_EQ(Headers(Encode(Find(all, "gauge"))),
            (std::vector<H>{H::kGauge, H::kGauge, H::kGauge}));
  // 200 samples 15s apart: cut after 30 minutes.
  EXPECT_EQ(Headers(Encode(Find(all, "long"))),
            (std::vector<H>{H::kUnknown, kCut, kCut}));
  // Stale markers end a chunk for the next real sample.
  EXPECT_EQ(Headers(Encode(Find(all, "stale"))),
            (std::vector<H>{H::kUnknown, H::kUnknown, H::kUnknown, kCut}));

  const std::vector<HistogramChunk> resets = Encode(Find(all, "count_reset"));
  ASSERT_EQ(Headers(resets),
            (std::vector<H>{H::kUnknown, H::kCounterReset, kCut}));
  HistogramIterator it(resets[1].Bytes());
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.AtHistogram().counter_reset_hint,
            CounterResetHint::kCounterReset);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.AtHistogram().counter_reset_hint,
            CounterResetHint::kNotCounterReset);
  HistogramIterator first(resets[0].Bytes());
  ASSERT_TRUE(first.Next());
  EXPECT_EQ(first.AtHistogram().counter_reset_hint, CounterResetHint::kUnknown);
  const std::vector<HistogramChunk> gauges = Encode(Find(all, "gauge"));
  HistogramIterator gauge(gauges[0].Bytes());
  ASSERT_TRUE(gauge.Next());
  EXPECT_EQ(gauge.AtHistogram().counter_reset_hint, CounterResetHint::kGauge);
}

// An adopted chunk resumes where its bytes end: appending the rest of a
// chunk's samples to a prefix of it gives the same bytes.
TEST(HistogramChunkTest, ResumeAppendingRebuildsTheSameBytes) {
  size_t checked = 0;
  for (const HistogramSeries& s : HistogramTestSeries()) {
    for (const HistogramChunk& c : Encode(s)) {
      const std::vector<testing::HistogramSample> samples = Decode(c.Bytes());
      for (size_t k = 0; k <= samples.size(); k += 3) {
        HistogramChunk prefix;
        prefix.SetCounterResetHeader(c.counter_reset_header());
        for (size_t i = 0; i < k; ++i) {
          prefix.Append(samples[i].t, samples[i].h);
        }
        HistogramChunk adopted(prefix.Bytes());
        ASSERT_TRUE(adopted.ResumeAppending()) << s.name;
        for (size_t i = k; i < samples.size(); ++i) {
          adopted.Append(samples[i].t, samples[i].h);
        }
        ASSERT_EQ(adopted.Bytes(), c.Bytes()) << s.name << " " << k;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100u);
}

// Resume with the encoder's saved windows (the head's shutdown snapshot)
// continues exactly as the chunk would have, from any prefix.
TEST(HistogramChunkTest, ResumeWithWindowsWritesTheSameBytes) {
  size_t checked = 0;
  for (const HistogramSeries& s : HistogramTestSeries()) {
    for (const HistogramChunk& c : Encode(s)) {
      const std::vector<testing::HistogramSample> samples = Decode(c.Bytes());
      for (size_t k = 1; k <= samples.size(); ++k) {
        HistogramChunk prefix;
        prefix.SetCounterResetHeader(c.counter_reset_header());
        for (size_t i = 0; i < k; ++i) {
          prefix.Append(samples[i].t, samples[i].h);
        }
        std::optional<HistogramChunk> resumed =
            HistogramChunk::Resume(prefix.Bytes(), prefix.XorWindows());
        ASSERT_TRUE(resumed.has_value()) << s.name << " " << k;
        EXPECT_EQ(resumed->last_t(), samples[k - 1].t);
        EXPECT_EQ(resumed->XorWindows(), prefix.XorWindows());
        for (size_t i = k; i < samples.size(); ++i) {
          resumed->Append(samples[i].t, samples[i].h);
        }
        ASSERT_EQ(resumed->Bytes(), c.Bytes()) << s.name << " " << k;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 300u);
}

TEST(HistogramChunkTest, ResumeRefusesWhatDoesNotFit) {
  HistogramChunk c;
  const Histogram h =
      testing::MakeHistogram(0, 0, 1, {{0, 2}}, {3, 4}, {}, {}, 2.5);
  c.Append(1000, h);
  Histogram h2 = h;
  h2.sum = 7;
  c.Append(2000, h2);
  const std::vector<XorWindow> windows = c.XorWindows();
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_NE(windows[0].leading, xor_format::kNoWindow);
  EXPECT_TRUE(HistogramChunk::Resume(c.Bytes(), windows).has_value());
  // Window count, ranges, no sample, damaged bytes.
  EXPECT_FALSE(HistogramChunk::Resume(c.Bytes(), {}).has_value());
  const std::vector<XorWindow> two = {windows[0], windows[0]};
  EXPECT_FALSE(HistogramChunk::Resume(c.Bytes(), two).has_value());
  const std::vector<XorWindow> wide = {{32, 0}};
  EXPECT_FALSE(HistogramChunk::Resume(c.Bytes(), wide).has_value());
  const std::vector<XorWindow> no_bits = {{10, 54}};
  EXPECT_FALSE(HistogramChunk::Resume(c.Bytes(), no_bits).has_value());
  EXPECT_FALSE(
      HistogramChunk::Resume(HistogramChunk().Bytes(), windows).has_value());
  const std::string_view bytes = c.Bytes();
  EXPECT_FALSE(
      HistogramChunk::Resume(bytes.substr(0, bytes.size() / 2), windows)
          .has_value());
}

TEST(HistogramChunkTest, FloatViewHasAbsoluteCounts) {
  HistogramChunk c;
  c.Append(1000, testing::MakeHistogram(0, 0, 2, S{{0, 2}, {1, 1}}, {3, 1, 4},
                                        S{{-1, 1}}, {5}, 9.5));
  HistogramIterator it(c.Bytes());
  ASSERT_TRUE(it.Next());
  const FloatHistogram f = it.AtFloatHistogram();
  EXPECT_EQ(f.count, 15);
  EXPECT_EQ(f.zero_count, 2);
  EXPECT_EQ(f.positive_buckets, (std::vector<double>{3, 1, 4}));
  EXPECT_EQ(f.negative_buckets, (std::vector<double>{5}));
  EXPECT_EQ(f.sum, 9.5);
}

TEST(HistogramChunkTest, SeekFindsTheFirstSampleAtOrAfter) {
  const std::vector<HistogramChunk> cs =
      Encode(Find(HistogramTestSeries(), "steady"));
  HistogramIterator it(cs[0].Bytes());
  ASSERT_TRUE(it.Seek(testing::kHistogramT0 + 1));
  EXPECT_EQ(it.t(), testing::kHistogramT0 + testing::kHistogramStep);
  ASSERT_TRUE(it.Seek(0));  // Stays.
  EXPECT_EQ(it.t(), testing::kHistogramT0 + testing::kHistogramStep);
  EXPECT_FALSE(it.Seek(testing::kHistogramT0 + 1000 * testing::kHistogramStep));
  EXPECT_FALSE(it.error());
}

// Every truncation, and every single-byte change, of real chunks decodes
// to an error or to samples, never past the bytes (ASan) or forever.
TEST(HistogramChunkTest, DamagedChunksFailCleanly) {
  for (const HistogramSeries& s : HistogramTestSeries()) {
    for (const HistogramChunk& c : Encode(s)) {
      const std::string bytes(c.Bytes());
      for (size_t n = 0; n < bytes.size(); ++n) {
        const std::string cut = bytes.substr(0, n);
        HistogramIterator it(cut);
        int read = 0;
        while (it.Next()) ++read;
        EXPECT_LE(read, it.num_total());
        if (n + 1 < bytes.size() && n >= 3) {
          EXPECT_TRUE(it.error()) << n;
        }
      }
      for (size_t i = 0; i < bytes.size() && i < 40; ++i) {
        std::string flipped = bytes;
        flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
        HistogramIterator it(flipped);
        while (it.Next()) {
        }
        HistogramChunk adopted(flipped);
        (void)adopted.ResumeAppending();
      }
    }
  }
}

// A layout claiming 2^60 buckets is refused before allocating them.
TEST(HistogramChunkTest, HugeBucketCountIsCorruption) {
  BitWriter w;
  w.WriteBits(0x000100, 24);  // One sample, unknown header.
  WriteHistogramLayout(w, 0, 0, S{{0, 1u << 31}, {0, 1u << 31}}, S{});
  HistogramIterator it(w.bytes());
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.error());
}

}  // namespace
}  // namespace strata::chunk
