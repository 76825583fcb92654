// The native-histogram series of the histogram chunk tests: every rule of
// the appender (new buckets, vanished buckets, counter resets in the count,
// the zero bucket and single buckets, schema and zero-threshold changes,
// gauges with buckets coming and going, explicit reset hints, stale
// markers, time-based cuts) and the varbit extremes. The golden test
// remote-writes exactly these into Prometheus 2.42; all are valid for its
// ValidateHistogram.
#ifndef STRATA_TESTS_CHUNK_HISTOGRAM_TEST_DATA_H_
#define STRATA_TESTS_CHUNK_HISTOGRAM_TEST_DATA_H_

#include <bit>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "chunk/histogram.h"

namespace strata::chunk::testing {

struct HistogramSample {
  int64_t t = 0;
  Histogram h;
};

struct HistogramSeries {
  std::string name;  // The `series` label; sorts like the list.
  std::vector<HistogramSample> samples;
};

struct FloatHistogramSample {
  int64_t t = 0;
  FloatHistogram h;
};

struct FloatHistogramSeries {
  std::string name;  // Sorts after every HistogramSeries name.
  std::vector<FloatHistogramSample> samples;
};

// 2h-aligned, so that the time-based cut happens where the rules say.
inline constexpr int64_t kHistogramT0 = 1700006400000;
inline constexpr int64_t kHistogramStep = 15000;
// The closing sample of every series (see HistogramTestSeries).
inline constexpr int64_t kHistogramClosingT = kHistogramT0 + 2 * 3600 * 1000;
// client_golang's default zero threshold, 2^-128.
inline constexpr double kDefaultZeroThreshold = 2.938735877055719e-39;

// A histogram from absolute bucket counts; count is their total plus the
// zero bucket plus `extra` (observations of NaN).
inline Histogram MakeHistogram(int32_t schema, double zero_threshold,
                               uint64_t zero_count,
                               std::vector<HistogramSpan> pos_spans,
                               const std::vector<uint64_t>& pos_counts,
                               std::vector<HistogramSpan> neg_spans,
                               const std::vector<uint64_t>& neg_counts,
                               double sum, uint64_t extra = 0) {
  Histogram h;
  h.schema = schema;
  h.zero_threshold = zero_threshold;
  h.zero_count = zero_count;
  h.sum = sum;
  h.count = zero_count + extra;
  h.positive_spans = std::move(pos_spans);
  h.negative_spans = std::move(neg_spans);
  auto deltas = [&h](const std::vector<uint64_t>& counts,
                     std::vector<int64_t>* out) {
    uint64_t prev = 0;
    for (uint64_t c : counts) {
      out->push_back(static_cast<int64_t>(c - prev));
      prev = c;
      h.count += c;
    }
  };
  deltas(pos_counts, &h.positive_buckets);
  deltas(neg_counts, &h.negative_buckets);
  return h;
}

// Deterministic on every platform (no std distributions).
class TestRandom {
 public:
  explicit TestRandom(uint64_t seed) : g_(seed) {}
  uint64_t Below(uint64_t n) { return g_() % n; }
  double Sum() {
    return static_cast<double>(Below(1000000)) / 1000.0 +
           static_cast<double>(Below(7)) * 0.1;
  }

 private:
  std::mt19937_64 g_;
};

inline std::vector<uint64_t> Grow(TestRandom& r, std::vector<uint64_t> v,
                                  uint64_t max_step) {
  for (uint64_t& c : v) c += r.Below(max_step + 1);
  return v;
}

inline std::vector<HistogramSeries> HistogramTestSeries() {
  using S = std::vector<HistogramSpan>;
  std::vector<HistogramSeries> all;
  auto series = [&all](const char* what) -> std::vector<HistogramSample>& {
    char name[64];
    std::snprintf(name, sizeof name, "%02zu_%s", all.size(), what);
    all.push_back({name, {}});
    return all.back().samples;
  };
  auto t_of = [](int i) { return kHistogramT0 + i * kHistogramStep; };

  {  // One layout throughout: dods only.
    auto& s = series("steady");
    TestRandom r(1);
    std::vector<uint64_t> p = {1, 4, 9, 3, 2}, n = {2, 1};
    uint64_t zero = 3;
    double sum = 10;
    for (int i = 0; i < 25; ++i) {
      p = Grow(r, p, 6);
      n = Grow(r, n, 2);
      zero += r.Below(3);
      sum += r.Sum();
      s.push_back(
          {t_of(i), MakeHistogram(3, kDefaultZeroThreshold, zero,
                                  S{{-2, 3}, {4, 2}}, p, S{{1, 2}}, n, sum)});
    }
  }
  {  // New buckets: inside a span, a new span, a new negative side.
    auto& s = series("new_buckets");
    TestRandom r(2);
    double sum = 0;
    for (int i = 0; i < 20; ++i) {
      sum += r.Sum();
      const uint64_t k = static_cast<uint64_t>(i) * 3;
      Histogram h;
      if (i < 5) {
        h = MakeHistogram(0, kDefaultZeroThreshold, k, S{{0, 2}, {2, 1}},
                          {k + 1, 2 * k, k}, {}, {}, sum);
      } else if (i < 10) {
        h = MakeHistogram(0, kDefaultZeroThreshold, k, S{{0, 3}, {1, 1}},
                          {k + 1, 2 * k, 1, k}, {}, {}, sum);
      } else if (i < 14) {
        h = MakeHistogram(0, kDefaultZeroThreshold, k,
                          S{{0, 3}, {1, 1}, {3, 2}}, {k + 1, 2 * k, 1, k, k, 2},
                          {}, {}, sum);
      } else {
        h = MakeHistogram(
            0, kDefaultZeroThreshold, k, S{{-1, 4}, {1, 1}, {1, 1}, {1, 2}},
            {5, k + 1, 2 * k, 1, k, 7, k, 2}, S{{-3, 2}}, {k, 1}, sum);
      }
      s.push_back({t_of(i), h});
    }
  }
  {  // The count goes down.
    auto& s = series("count_reset");
    for (int i = 0; i < 16; ++i) {
      const uint64_t k = i < 8 ? 10 + i * 5 : (i - 8) * 2;
      s.push_back(
          {t_of(i), MakeHistogram(1, kDefaultZeroThreshold, k / 3, S{{2, 3}},
                                  {k, k / 2, k / 4}, {}, {}, k * 1.5)});
    }
  }
  {  // A bucket vanishes, then the zero bucket goes down, then one bucket.
    auto& s = series("bucket_reset");
    for (int i = 0; i < 24; ++i) {
      const uint64_t k = 10 + static_cast<uint64_t>(i) * 4;
      Histogram h;
      if (i < 6) {
        h = MakeHistogram(2, kDefaultZeroThreshold, k, S{{0, 3}}, {k, k, k}, {},
                          {}, k);
      } else if (i < 12) {
        h = MakeHistogram(2, kDefaultZeroThreshold, k, S{{0, 1}, {1, 1}},
                          {k, 3 * k}, {}, {}, k);
      } else if (i < 18) {
        h = MakeHistogram(2, kDefaultZeroThreshold, i == 12 ? 1 : k,
                          S{{0, 1}, {1, 1}}, {4 * k, 4 * k}, {}, {}, k);
      } else {
        h = MakeHistogram(2, kDefaultZeroThreshold, k, S{{0, 1}, {1, 1}},
                          {i == 18 ? 5 : 6 * k, 8 * k}, {}, {}, k, 1000);
      }
      s.push_back({t_of(i), h});
    }
  }
  {  // Schema and zero-threshold changes (one not a power of two).
    auto& s = series("layout_change");
    for (int i = 0; i < 21; ++i) {
      const uint64_t k = 1 + static_cast<uint64_t>(i);
      const int32_t schema = i < 7 ? 5 : -4;
      const double zt = i < 14 ? kDefaultZeroThreshold : 0.001;
      s.push_back({t_of(i), MakeHistogram(schema, zt, k, S{{3, 2}}, {k, k},
                                          S{{0, 1}}, {k}, -2.5 * k)});
    }
  }
  {  // A gauge: values go up and down, buckets come and go.
    auto& s = series("gauge");
    TestRandom r(7);
    for (int i = 0; i < 24; ++i) {
      const S spans = i % 3 == 0   ? S{{0, 2}, {3, 1}}
                      : i % 3 == 1 ? S{{1, 3}}
                                   : S{{-2, 1}, {2, 1}, {2, 1}};
      std::vector<uint64_t> counts;
      for (uint64_t b = CountBuckets(spans); b > 0; --b) {
        counts.push_back(r.Below(40));
      }
      const S neg = i % 4 < 2 ? S{} : S{{0, 1}};
      std::vector<uint64_t> neg_counts;
      if (!neg.empty()) neg_counts.push_back(r.Below(9));
      Histogram h =
          MakeHistogram(i < 18 ? 0 : 1, kDefaultZeroThreshold, r.Below(5),
                        spans, counts, neg, neg_counts, r.Sum() - 300);
      h.counter_reset_hint = CounterResetHint::kGauge;
      s.push_back({t_of(i), h});
    }
  }
  {  // Explicit hints: NO throughout, YES twice.
    auto& s = series("reset_hints");
    for (int i = 0; i < 18; ++i) {
      const uint64_t k = 5 + static_cast<uint64_t>(i) * 2;
      Histogram h = MakeHistogram(0, kDefaultZeroThreshold, 1, S{{0, 2}},
                                  {k, k + 1}, {}, {}, k * 0.25);
      h.counter_reset_hint = i == 9 || i == 13
                                 ? CounterResetHint::kCounterReset
                                 : CounterResetHint::kNotCounterReset;
      s.push_back({t_of(i), h});
    }
  }
  {  // Stale markers: after samples, twice in a row, first in a chunk.
    auto& s = series("stale");
    const double stale = std::bit_cast<double>(kStaleNaNBits);
    for (int i = 0; i < 16; ++i) {
      const uint64_t k = 3 + static_cast<uint64_t>(i);
      Histogram h = MakeHistogram(1, kDefaultZeroThreshold, k, S{{0, 2}},
                                  {k, k}, {}, {}, k * 0.5);
      if (i == 5 || i == 6 || i == 10) {
        h = Histogram();
        h.sum = stale;
      }
      s.push_back({t_of(i), h});
    }
  }
  {  // 200 samples 15s apart: a time-based cut after 30 minutes.
    auto& s = series("long");
    TestRandom r(9);
    std::vector<uint64_t> p = {0, 0, 0, 0};
    double sum = 0;
    for (int i = 0; i < 200; ++i) {
      p = Grow(r, p, 20);
      sum += r.Sum();
      s.push_back({t_of(i), MakeHistogram(4, kDefaultZeroThreshold, 0,
                                          S{{10, 4}}, p, {}, {}, sum)});
    }
  }
  {  // Varbit extremes: big counts and deltas, odd timestamps, a zero-only
     // histogram, special sums.
    auto& s = series("extremes");
    const uint64_t big = uint64_t{1} << 61;
    const std::vector<uint64_t> steps = {
        0,        1,       4,    5,      32,     33,      256,
        257,      2048,    2049, 131072, 131073, 1 << 24, (1 << 24) + 1,
        big >> 6, big >> 2};
    const std::vector<double> sums = {
        0.0, -0.0,   1e308, -1e-308, std::bit_cast<double>(uint64_t{1}),
        0.1, 1.0 / 3};
    int64_t t = kHistogramT0 + 7;
    uint64_t c = 0;
    for (size_t i = 0; i < steps.size() * 2; ++i) {
      c += steps[i % steps.size()];
      t += 1 + static_cast<int64_t>(steps[(i * 5) % steps.size()] % 9000);
      Histogram h = i == 3 ? MakeHistogram(-2, 0, c, {}, {}, {}, {}, 0)
                           : MakeHistogram(8, 0, 0, S{{-1000, 1}, {70000, 2}},
                                           {c, c / 3, 2 * c}, {}, {},
                                           sums[i % sums.size()]);
      s.push_back({t, h});
    }
  }
  // Each series ends with a copy of its last histogram 2h later, alone in
  // a chunk of its own: Prometheus 2.42 re-encodes a series' open head
  // chunk when it writes a block (and loses its counter-reset header), so
  // only the closed chunks before it are compared byte for byte.
  for (HistogramSeries& s : all) {
    HistogramSample last = s.samples.back();
    last.t = kHistogramClosingT;
    s.samples.push_back(std::move(last));
  }
  return all;
}

// Float versions of the integer series: halved buckets and a count a
// quarter above their total, so that no count is integral or zero (remote
// write tells float histograms by a non-zero float count). Series with
// stale markers are left out: a stale marker's counts are zero, so it
// would arrive as an integer histogram.
inline std::vector<FloatHistogramSeries> FloatHistogramTestSeries() {
  std::vector<FloatHistogramSeries> out;
  for (const HistogramSeries& s : HistogramTestSeries()) {
    if (s.name.ends_with("stale")) continue;
    FloatHistogramSeries f{"f" + s.name, {}};
    for (const HistogramSample& x : s.samples) {
      FloatHistogram h = IteratorFloatHistogram(x.h);
      for (double& b : h.positive_buckets) b *= 0.5;
      for (double& b : h.negative_buckets) b *= 0.5;
      h.count += 0.25;
      f.samples.push_back({x.t, std::move(h)});
    }
    out.push_back(std::move(f));
  }
  return out;
}

// What a histogram means, independent of its layout: the non-empty buckets
// by index (recoding adds empty ones), counts, sum bits. A stale marker is
// its sum alone.
struct HistogramMeaning {
  bool stale = false;
  int32_t schema = 0;
  uint64_t zero_threshold_bits = 0;
  uint64_t zero_count = 0;
  uint64_t count = 0;
  uint64_t sum_bits = 0;
  std::map<int64_t, int64_t> positive;
  std::map<int64_t, int64_t> negative;
  bool operator==(const HistogramMeaning&) const = default;
};

// The non-empty buckets by index: integer buckets (deltas) as counts,
// float buckets (absolute) as their bits.
template <typename V>
std::map<int64_t, std::conditional_t<std::is_integral_v<V>, int64_t, uint64_t>>
NonEmptyBuckets(const std::vector<HistogramSpan>& spans,
                const std::vector<V>& values) {
  std::map<int64_t,
           std::conditional_t<std::is_integral_v<V>, int64_t, uint64_t>>
      out;
  int64_t index = 0;
  uint64_t count = 0;  // Integer buckets' running count.
  size_t b = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    index += spans[i].offset;
    for (uint32_t j = 0; j < spans[i].length && b < values.size(); ++j) {
      if constexpr (std::is_integral_v<V>) {
        count += static_cast<uint64_t>(values[b++]);
        if (count != 0) out[index] = static_cast<int64_t>(count);
      } else {
        const double c = values[b++];
        if (c != 0) out[index] = std::bit_cast<uint64_t>(c);
      }
      ++index;
    }
  }
  return out;
}

inline HistogramMeaning MeaningOf(const Histogram& h) {
  HistogramMeaning m;
  m.sum_bits = std::bit_cast<uint64_t>(h.sum);
  if (IsStaleNaN(h.sum)) {
    m.stale = true;
    return m;
  }
  m.schema = h.schema;
  m.zero_threshold_bits = std::bit_cast<uint64_t>(h.zero_threshold);
  m.zero_count = h.zero_count;
  m.count = h.count;
  m.positive = NonEmptyBuckets(h.positive_spans, h.positive_buckets);
  m.negative = NonEmptyBuckets(h.negative_spans, h.negative_buckets);
  return m;
}

struct FloatHistogramMeaning {
  bool stale = false;
  int32_t schema = 0;
  uint64_t zero_threshold_bits = 0;
  uint64_t zero_count_bits = 0;
  uint64_t count_bits = 0;
  uint64_t sum_bits = 0;
  std::map<int64_t, uint64_t> positive;  // Bits of non-zero buckets.
  std::map<int64_t, uint64_t> negative;
  bool operator==(const FloatHistogramMeaning&) const = default;
};

inline FloatHistogramMeaning MeaningOf(const FloatHistogram& h) {
  FloatHistogramMeaning m;
  m.sum_bits = std::bit_cast<uint64_t>(h.sum);
  if (IsStaleNaN(h.sum)) {
    m.stale = true;
    return m;
  }
  m.schema = h.schema;
  m.zero_threshold_bits = std::bit_cast<uint64_t>(h.zero_threshold);
  m.zero_count_bits = std::bit_cast<uint64_t>(h.zero_count);
  m.count_bits = std::bit_cast<uint64_t>(h.count);
  m.positive = NonEmptyBuckets(h.positive_spans, h.positive_buckets);
  m.negative = NonEmptyBuckets(h.negative_spans, h.negative_buckets);
  return m;
}

}  // namespace strata::chunk::testing

#endif  // STRATA_TESTS_CHUNK_HISTOGRAM_TEST_DATA_H_
