// ChunkMerger over native histogram chunks: overlapping histogram and float
// histogram chunks merged and re-encoded (120 samples a chunk, a new chunk
// at a counter reset or a schema change), a deleted range cut out of a
// histogram chunk, and a series switching between floats and histograms.
// Before the merger decoded histograms, each of these failed with
// NotSupported ("cannot re-encode chunk encoding 2").
#include "block/chunk_merger.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "chunk/chunk_decoding.h"
#include "chunk/cut_policy.h"
#include "chunk/histogram_series.h"
#include "histogram_text.h"

namespace strata {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kTwoHours = 2 * 3600 * kSecond;

// Chunks held in memory; a meta's ref is the chunk's index.
class MemChunks : public ChunkReader {
 public:
  ChunkMeta Add(uint8_t encoding, std::string data, int64_t mint,
                int64_t maxt) {
    chunks_.push_back({encoding, std::move(data)});
    return {chunks_.size() - 1, mint, maxt};
  }
  StatusOr<ChunkBytes> Chunk(const ChunkMeta& meta) const override {
    const auto& [encoding, data] = chunks_[meta.ref];
    return ChunkBytes{encoding, data, nullptr};
  }

 private:
  std::deque<std::pair<uint8_t, std::string>> chunks_;
};

// One sample of any kind.
struct TestSample {
  int64_t t = 0;
  SampleValueType kind = SampleValueType::kFloat;
  double v = 0;
  Histogram h;
  FloatHistogram fh;
};

std::string Describe(const TestSample& s) {
  std::string value;
  switch (s.kind) {
    case SampleValueType::kHistogram:
      value = testing::HistogramText(s.h);
      break;
    case SampleValueType::kFloatHistogram:
      value = testing::HistogramText(s.fh);
      break;
    case SampleValueType::kFloat:
      value = testing::FloatText(s.v);
      break;
  }
  return std::to_string(s.t) + " " + value;
}

// A counter: grows with k, a third bucket from k = 120 on (a recode), a
// counter reset at k = 250, schema 1 instead of 0 from k = 350.
Histogram CounterAt(int k, double sum_offset = 0) {
  const int m = k >= 250 ? k - 250 : k;
  Histogram h;
  h.schema = k >= 350 ? 1 : 0;
  h.zero_threshold = 1e-128;
  h.zero_count = static_cast<uint64_t>(m);
  const int64_t b1 = m + 1, b2 = 2 * m + 1;
  if (k >= 120) {
    h.positive_spans = {{0, 3}};
    h.positive_buckets = {b1, b2 - b1, 3 - b2};
    h.count = h.zero_count + static_cast<uint64_t>(b1 + b2 + 3);
  } else {
    h.positive_spans = {{0, 2}};
    h.positive_buckets = {b1, b2 - b1};
    h.count = h.zero_count + static_cast<uint64_t>(b1 + b2);
  }
  h.sum = 0.5 * k + sum_offset;
  return h;
}

// A gauge float histogram going up and down.
FloatHistogram GaugeAt(int k) {
  FloatHistogram h;
  h.counter_reset_hint = CounterResetHint::kGauge;
  h.schema = 2;
  h.zero_threshold = 0.001;
  h.positive_spans = {{-1, 2}};
  const double b = (k * 7) % 11;
  h.positive_buckets = {b, 1};
  h.count = b + 1;
  h.sum = b * 0.25;
  return h;
}

TestSample Float(int64_t t, double v) {
  return {.t = t, .kind = SampleValueType::kFloat, .v = v, .h = {}, .fh = {}};
}
TestSample Int(int64_t t, Histogram h) {
  return {.t = t,
          .kind = SampleValueType::kHistogram,
          .v = 0,
          .h = std::move(h),
          .fh = {}};
}
TestSample FloatH(int64_t t, FloatHistogram fh) {
  return {.t = t,
          .kind = SampleValueType::kFloatHistogram,
          .v = 0,
          .h = {},
          .fh = std::move(fh)};
}

template <typename Appender>
void AddHistogramChunks(Appender* app, uint8_t encoding, int source,
                        const Intervals* deleted, MemChunks* mem,
                        std::vector<SourceChunk>* out) {
  std::vector<chunk::ClosedHistogramChunk> chunks;
  app->TakeAll(&chunks);
  for (chunk::ClosedHistogramChunk& c : chunks) {
    out->push_back({source,
                    mem->Add(encoding, std::move(c.data), c.mint, c.maxt), mem,
                    deleted});
  }
}

// The chunks a head would hold for `samples` (time order; one kind a run).
std::vector<SourceChunk> Chunks(const std::vector<TestSample>& samples,
                                int source, MemChunks* mem,
                                const Intervals* deleted = nullptr) {
  std::vector<SourceChunk> out;
  for (size_t begin = 0, end; begin < samples.size(); begin = end) {
    const SampleValueType kind = samples[begin].kind;
    for (end = begin; end < samples.size() && samples[end].kind == kind;) {
      ++end;
    }
    if (kind == SampleValueType::kFloat) {
      std::vector<int64_t> ts;
      std::vector<double> vs;
      for (size_t i = begin; i < end; ++i) {
        ts.push_back(samples[i].t);
        vs.push_back(samples[i].v);
      }
      out.push_back(
          {source,
           mem->Add(1, chunk::EncodeXorChunk(ts, vs), ts.front(), ts.back()),
           mem, deleted});
    } else if (kind == SampleValueType::kHistogram) {
      chunk::HistogramSeriesAppender app(kTwoHours);
      for (size_t i = begin; i < end; ++i) {
        EXPECT_TRUE(app.Append(samples[i].t, samples[i].h));
      }
      AddHistogramChunks(&app, 2, source, deleted, mem, &out);
    } else {
      chunk::FloatHistogramSeriesAppender app(kTwoHours);
      for (size_t i = begin; i < end; ++i) {
        EXPECT_TRUE(app.Append(samples[i].t, samples[i].fh));
      }
      AddHistogramChunks(&app, 3, source, deleted, mem, &out);
    }
  }
  return out;
}

// The samples of the merged chunks, described, after checking each chunk
// against its OutputChunk fields and the chunks' order.
std::vector<std::string> Decode(const std::vector<OutputChunk>& out) {
  std::vector<std::string> got;
  int64_t previous_maxt = INT64_MIN;
  for (const OutputChunk& o : out) {
    EXPECT_GT(o.mint, previous_maxt);
    previous_maxt = o.maxt;
    chunk::ChunkSampleIterator it;
    it.Reset(o.encoding, o.data());
    int n = 0;
    int64_t first = 0, last = 0;
    while (it.Next()) {
      TestSample s;
      s.t = it.t();
      if (o.encoding == 2) {
        s = Int(it.t(), it.histogram());
      } else if (o.encoding == 3) {
        s = FloatH(it.t(), it.float_histogram());
      } else {
        s.v = it.v();
      }
      got.push_back(Describe(s));
      if (n++ == 0) first = s.t;
      last = s.t;
    }
    EXPECT_FALSE(it.error()) << it.error_message();
    EXPECT_EQ(n, o.num_samples);
    EXPECT_EQ(first, o.mint);
    EXPECT_EQ(last, o.maxt);
    if (chunk::IsHistogramEncoding(o.encoding)) {
      EXPECT_LE(n, chunk::kSamplesPerChunk);
    }
  }
  return got;
}

// What the merge must give: by time, `sources` earlier in the list win.
std::vector<std::string> Expected(
    const std::vector<std::vector<TestSample>>& sources,
    const Intervals& deleted = {}) {
  std::map<int64_t, std::string> by_time;
  for (const std::vector<TestSample>& source : sources) {
    for (const TestSample& s : source) {
      bool gone = false;
      for (const Interval& d : deleted) gone = gone || d.Contains(s.t);
      if (!gone) by_time.emplace(s.t, Describe(s));
    }
  }
  std::vector<std::string> out;
  for (auto& [t, d] : by_time) out.push_back(std::move(d));
  return out;
}

std::vector<SourceChunk> Concat(std::vector<SourceChunk> a,
                                const std::vector<SourceChunk>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The counter-reset header of a histogram chunk's bytes.
chunk::CounterResetHeader HeaderOf(const OutputChunk& o) {
  return chunk::ReadCounterResetHeader(o.data());
}

class ChunkMergerTest : public ::testing::Test {
 protected:
  // Merges a's and b's chunks (a wins at equal timestamps) over [0, 2h).
  std::vector<OutputChunk> MergeTwo(const std::vector<TestSample>& a,
                                    const std::vector<TestSample>& b) {
    ChunkMerger merger(0, kTwoHours - 1, kTwoHours);
    std::vector<OutputChunk> out;
    const Status st =
        merger.Merge(Concat(Chunks(a, 0, &mem_), Chunks(b, 1, &mem_)), &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  MemChunks mem_;  // Copied output chunks point into it.
};

TEST_F(ChunkMergerTest, MergesOverlappingHistogramChunks) {
  // a: every second k below 300; b: every odd k in [100, 400), and a few
  // even ones that collide with a's (a wins).
  std::vector<TestSample> a, b;
  for (int k = 0; k < 300; k += 2) a.push_back(Int(k * kSecond, CounterAt(k)));
  for (int k = 100; k < 400; ++k) {
    if (k % 2 == 1) b.push_back(Int(k * kSecond, CounterAt(k)));
    if (k % 2 == 0 && k % 10 == 0 && k < 300) {
      b.push_back(Int(k * kSecond, CounterAt(k, 1000)));
    }
  }
  std::vector<OutputChunk> out = MergeTwo(a, b);
  EXPECT_EQ(Decode(out), Expected({a, b}));
  // 50 samples below k = 100, 150 up to the reset at 250: chunks of 120
  // and 80 (the recode at 120 stays in its chunk); a chunk from the reset;
  // b's chunk from its schema change at 351 overlaps nothing and is copied.
  std::vector<int64_t> starts;
  for (const OutputChunk& o : out) {
    EXPECT_EQ(o.encoding, 2);
    starts.push_back(o.mint / kSecond);
  }
  const std::vector<int64_t> want_starts = {0, 170, 250, 351};
  EXPECT_EQ(starts, want_starts);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_FALSE(out[2].copied);
  EXPECT_TRUE(out[3].copied);
  EXPECT_EQ(HeaderOf(out[1]), chunk::CounterResetHeader::kNotCounterReset);
  EXPECT_EQ(HeaderOf(out[2]), chunk::CounterResetHeader::kCounterReset);
  EXPECT_EQ(HeaderOf(out[3]), chunk::CounterResetHeader::kUnknown);
}

TEST_F(ChunkMergerTest, MergesOverlappingFloatAndGaugeHistogramChunks) {
  std::vector<TestSample> a, b, ga, gb;
  for (int k = 0; k < 200; ++k) {
    FloatHistogram fh = ToFloatHistogram(CounterAt(k));
    fh.sum += 0.125;
    (k % 3 == 0 ? b : a).push_back(FloatH(k * kSecond, fh));
    (k < 150 ? ga : gb).push_back(FloatH(k * kSecond, GaugeAt(k)));
  }
  b.push_back(FloatH(1 * kSecond, ToFloatHistogram(CounterAt(7))));  // Lost.
  std::sort(b.begin(), b.end(),
            [](const TestSample& x, const TestSample& y) { return x.t < y.t; });
  gb.insert(gb.begin(), FloatH(100 * kSecond, GaugeAt(3)));  // Lost.
  std::vector<OutputChunk> out = MergeTwo(a, b);
  EXPECT_EQ(Decode(out), Expected({a, b}));
  for (const OutputChunk& o : out) EXPECT_EQ(o.encoding, 3);

  out = MergeTwo(ga, gb);
  EXPECT_EQ(Decode(out), Expected({ga, gb}));
  ASSERT_EQ(out.size(), 2u);  // 120 + 80, never cut by a gauge's fall.
  for (const OutputChunk& o : out) {
    EXPECT_EQ(HeaderOf(o), chunk::CounterResetHeader::kGauge);
  }
}

TEST_F(ChunkMergerTest, CutsDeletedRangeOutOfHistogramChunk) {
  std::vector<TestSample> a;
  for (int k = 0; k < 100; ++k) a.push_back(Int(k * kSecond, CounterAt(k)));
  const Intervals deleted = {{30 * kSecond, 50 * kSecond}};
  const std::vector<SourceChunk> in = Chunks(a, 0, &mem_, &deleted);
  ASSERT_EQ(in.size(), 1u);
  ChunkMerger merger(0, kTwoHours - 1, kTwoHours);
  std::vector<OutputChunk> out;
  ASSERT_TRUE(merger.Merge(in, &out).ok());
  EXPECT_EQ(Decode(out), Expected({a}, deleted));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].num_samples, 79);
  EXPECT_FALSE(out[0].copied);

  // Clipped by the block's range, and without deletions copied as is.
  ChunkMerger clipping(20 * kSecond, 60 * kSecond, kTwoHours);
  ASSERT_TRUE(clipping.Merge(Chunks(a, 0, &mem_), &out).ok());
  std::vector<TestSample> kept(a.begin() + 20, a.begin() + 61);
  EXPECT_EQ(Decode(out), Expected({kept}));
  ASSERT_TRUE(merger.Merge(Chunks(a, 0, &mem_), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].copied);
  EXPECT_EQ(Decode(out), Expected({a}));
}

TEST_F(ChunkMergerTest, SwitchesBetweenFloatsAndHistograms) {
  // a: floats [0, 100), float histograms [250, 300); b: histograms
  // [50, 260). Merged: floats to 99, histograms to 249, float histograms.
  std::vector<TestSample> a, b;
  for (int k = 0; k < 100; ++k) a.push_back(Float(k * kSecond, k * 1.5));
  for (int k = 250; k < 300; ++k) {
    a.push_back(FloatH(k * kSecond, ToFloatHistogram(CounterAt(k))));
  }
  for (int k = 50; k < 260; ++k) b.push_back(Int(k * kSecond, CounterAt(k)));
  std::vector<OutputChunk> out = MergeTwo(a, b);
  EXPECT_EQ(Decode(out), Expected({a, b}));
  std::vector<int> encodings, counts;
  for (const OutputChunk& o : out) {
    encodings.push_back(o.encoding);
    counts.push_back(o.num_samples);
  }
  // Two clusters of overlapping chunks, each merged on its own: a's
  // floats with b's first histogram chunk (to k = 167, where the head's
  // time rule cut b), then b's second with a's float histograms.
  EXPECT_EQ(encodings, (std::vector<int>{1, 2, 2, 3}));
  EXPECT_EQ(counts, (std::vector<int>{100, 68, 82, 50}));
}

}  // namespace
}  // namespace strata
