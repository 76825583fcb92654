// Float histogram chunks (encoding 3): round trips of every float test
// series, counter-reset headers, resuming an adopted chunk (with
// Prometheus's XOR windows after one sample), damaged bytes.
#include "chunk/float_histogram_chunk.h"

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chunk/bit_writer.h"
#include "chunk/float_histogram_iterator.h"
#include "chunk/histogram_layout.h"
#include "chunk/histogram_series.h"
#include "gtest/gtest.h"
#include "histogram_test_data.h"

namespace strata::chunk {
namespace {

using testing::FloatHistogramSample;
using testing::FloatHistogramSeries;
using testing::FloatHistogramTestSeries;
using testing::MeaningOf;

constexpr int64_t kTwoHours = 2 * 3600 * 1000;

std::vector<FloatHistogramSample> Decode(std::string_view bytes) {
  std::vector<FloatHistogramSample> out;
  FloatHistogramIterator it(bytes);
  while (it.Next()) out.push_back({it.t(), it.AtFloatHistogram()});
  EXPECT_FALSE(it.error()) << it.error_message();
  EXPECT_EQ(static_cast<int>(out.size()), HistogramNumSamples(bytes));
  return out;
}

std::vector<FloatHistogramChunk> Encode(const FloatHistogramSeries& s) {
  FloatHistogramSeriesAppender app(kTwoHours);
  for (const FloatHistogramSample& x : s.samples) {
    EXPECT_TRUE(app.Append(x.t, x.h));
  }
  return app.chunks();
}

TEST(FloatHistogramChunkTest, EverySeriesRoundTrips) {
  for (const FloatHistogramSeries& s : FloatHistogramTestSeries()) {
    SCOPED_TRACE(s.name);
    std::vector<FloatHistogramSample> decoded;
    for (const FloatHistogramChunk& c : Encode(s)) {
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

// The same rules as integer chunks: the same cuts and headers.
TEST(FloatHistogramChunkTest, SameCutsAsIntegerChunks) {
  const std::vector<FloatHistogramSeries> floats = FloatHistogramTestSeries();
  size_t compared = 0;
  for (const testing::HistogramSeries& s : testing::HistogramTestSeries()) {
    for (const FloatHistogramSeries& f : floats) {
      if (f.name != "f" + s.name) continue;
      HistogramSeriesAppender app(kTwoHours);
      for (const testing::HistogramSample& x : s.samples) app.Append(x.t, x.h);
      const std::vector<FloatHistogramChunk> fc = Encode(f);
      ASSERT_EQ(fc.size(), app.chunks().size()) << s.name;
      for (size_t i = 0; i < fc.size(); ++i) {
        EXPECT_EQ(fc[i].counter_reset_header(),
                  app.chunks()[i].counter_reset_header());
        EXPECT_EQ(fc[i].NumSamples(), app.chunks()[i].NumSamples());
      }
      ++compared;
    }
  }
  EXPECT_EQ(compared, floats.size());
}

// Appending the rest of a chunk to an adopted prefix decodes the same.
// The bytes may differ: a field whose value never changed since the first
// sample has no XOR window in a continuous encoder but (0, 0) in a resumed
// one, as in Prometheus (its Appender() takes the decoder's windows).
TEST(FloatHistogramChunkTest, ResumeAppending) {
  size_t checked = 0;
  for (const FloatHistogramSeries& s : FloatHistogramTestSeries()) {
    for (const FloatHistogramChunk& c : Encode(s)) {
      const std::vector<FloatHistogramSample> samples = Decode(c.Bytes());
      for (size_t k = 0; k <= samples.size(); k += 2) {
        FloatHistogramChunk prefix;
        prefix.SetCounterResetHeader(c.counter_reset_header());
        for (size_t i = 0; i < k; ++i) {
          prefix.Append(samples[i].t, samples[i].h);
        }
        FloatHistogramChunk adopted(prefix.Bytes());
        ASSERT_TRUE(adopted.ResumeAppending()) << s.name;
        for (size_t i = k; i < samples.size(); ++i) {
          adopted.Append(samples[i].t, samples[i].h);
        }
        if (k == 0 || k == samples.size()) {
          ASSERT_EQ(adopted.Bytes(), c.Bytes()) << s.name << " " << k;
        }
        const std::vector<FloatHistogramSample> back = Decode(adopted.Bytes());
        ASSERT_EQ(back.size(), samples.size());
        for (size_t i = 0; i < back.size(); ++i) {
          EXPECT_TRUE(MeaningOf(back[i].h) == MeaningOf(samples[i].h));
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100u);
}

// With the saved windows, a resumed chunk writes exactly the bytes the
// continuous encoder writes (which ResumeAppending does not promise).
TEST(FloatHistogramChunkTest, ResumeWithWindowsWritesTheSameBytes) {
  size_t checked = 0;
  for (const FloatHistogramSeries& s : FloatHistogramTestSeries()) {
    for (const FloatHistogramChunk& c : Encode(s)) {
      const std::vector<FloatHistogramSample> samples = Decode(c.Bytes());
      for (size_t k = 1; k <= samples.size(); ++k) {
        FloatHistogramChunk prefix;
        prefix.SetCounterResetHeader(c.counter_reset_header());
        for (size_t i = 0; i < k; ++i) {
          prefix.Append(samples[i].t, samples[i].h);
        }
        const std::vector<XorWindow> windows = prefix.XorWindows();
        std::optional<FloatHistogramChunk> resumed =
            FloatHistogramChunk::Resume(prefix.Bytes(), windows);
        ASSERT_TRUE(resumed.has_value()) << s.name << " " << k;
        EXPECT_EQ(resumed->last_t(), samples[k - 1].t);
        for (size_t i = k; i < samples.size(); ++i) {
          resumed->Append(samples[i].t, samples[i].h);
        }
        ASSERT_EQ(resumed->Bytes(), c.Bytes()) << s.name << " " << k;
        // One window too few or too many does not fit.
        std::vector<XorWindow> fewer(windows.begin(), windows.end() - 1);
        EXPECT_FALSE(
            FloatHistogramChunk::Resume(prefix.Bytes(), fewer).has_value());
        std::vector<XorWindow> more = windows;
        more.push_back({});
        EXPECT_FALSE(
            FloatHistogramChunk::Resume(prefix.Bytes(), more).has_value());
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 200u);
}

TEST(FloatHistogramChunkTest, StaleMarkers) {
  FloatHistogramChunk c;
  FloatHistogram h = ToFloatHistogram(
      testing::MakeHistogram(0, 0, 1, {{0, 2}}, {3, 4}, {}, {}, 2.5));
  c.Append(1000, h);
  FloatHistogram stale;
  stale.sum = std::bit_cast<double>(kStaleNaNBits);
  EXPECT_TRUE(c.Appendable(stale).ok);
  c.Append(2000, stale);
  EXPECT_FALSE(c.Appendable(h).ok);  // Only stale markers follow one.
  EXPECT_TRUE(c.Appendable(stale).ok);
  c.Append(3000, stale);
  const std::vector<FloatHistogramSample> back = Decode(c.Bytes());
  ASSERT_EQ(back.size(), 3u);
  EXPECT_TRUE(IsStaleNaN(back[1].h.sum));
  EXPECT_TRUE(IsStaleNaN(back[2].h.sum));
  EXPECT_TRUE(MeaningOf(back[0].h) == MeaningOf(h));
}

TEST(FloatHistogramChunkTest, DamagedChunksFailCleanly) {
  for (const FloatHistogramSeries& s : FloatHistogramTestSeries()) {
    for (const FloatHistogramChunk& c : Encode(s)) {
      const std::string bytes(c.Bytes());
      for (size_t n = 0; n < bytes.size(); ++n) {
        const std::string cut = bytes.substr(0, n);
        FloatHistogramIterator it(cut);
        while (it.Next()) {
        }
        if (n + 1 < bytes.size()) {
          EXPECT_TRUE(it.error())
              << n << " of " << bytes.size() << " read " << it.num_read()
              << " of " << it.num_total() << " bits " << it.bits_consumed();
        }
      }
      for (size_t i = 0; i < bytes.size() && i < 40; ++i) {
        std::string flipped = bytes;
        flipped[i] = static_cast<char>(flipped[i] ^ 0xa5);
        FloatHistogramIterator it(flipped);
        while (it.Next()) {
        }
        FloatHistogramChunk adopted(flipped);
        (void)adopted.ResumeAppending();
      }
    }
  }
}

TEST(FloatHistogramChunkTest, HugeBucketCountIsCorruption) {
  BitWriter w;
  w.WriteBits(0x000100, 24);
  WriteHistogramLayout(w, 0, 0, {{{0, 1u << 20}}}, {});
  w.WriteBits(0, 64);
  FloatHistogramIterator it(w.bytes());
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.error());
}

}  // namespace
}  // namespace strata::chunk
