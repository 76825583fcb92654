// Helpers for the shutdown-snapshot tests: reproducible workloads (floats;
// native histograms switching kinds), full dumps of a DB's answers and
// chunks, and finding the snapshot directory.
#ifndef STRATA_TESTS_DB_SNAPSHOT_TEST_UTIL_H_
#define STRATA_TESTS_DB_SNAPSHOT_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "db_test_util.h"
#include "strata/db.h"
#include "strata/histogram.h"

namespace strata::testing {

// Series "job=snap, s=<i>", samples every 15 s from `from_step` on; values
// mix counters, random bit patterns (NaNs included) and repeats, so chunks
// exercise every encoder branch. Series 0 is appended 4x as often, so it
// spans several chunks (one every 120 samples, Prometheus's cut rule).
inline void AppendWorkload(DB& db, int series, int from_step, int steps,
                           uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto app = db.NewAppender();
  for (int step = from_step; step < from_step + steps; ++step) {
    for (int s = 0; s < series; ++s) {
      const int per_step = s == 0 ? 4 : 1;
      for (int k = 0; k < per_step; ++k) {
        const int64_t t = int64_t{step} * 15000 + k * 3000;
        double v;
        switch (rng() % 3) {
          case 0:
            v = std::bit_cast<double>(rng());
            break;
          case 1:
            v = step * 1.5 + s;
            break;
          default:
            v = s;
        }
        Labels l = Labels::Of({{"job", "snap"}, {"s", absl::StrCat(s)}});
        const auto appended = app->Append(l, t, v);
        ASSERT_TRUE(appended.ok()) << appended.status().ToString();
      }
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

// Every answer of the DB for the workload's series.
inline std::map<std::string, std::vector<TV>> Dump(DB& db) {
  return ReadAll(db, {Matcher::Equal("job", "snap")});
}

// A native histogram of series `s` at `step`: counts grow and reset every
// 90 steps, a bucket appears every 30 (the chunk is recoded), odd series
// have a negative side, and series s % 3 == 0 keep their sum constant for
// 50 steps at a time (its XOR window stays "none" in the encoder, which
// decoding cannot tell, until it changes; it changes at step 400).
inline Histogram WorkloadHistogram(int s, int step, std::mt19937_64& rng) {
  const uint64_t n = static_cast<uint64_t>(step % 90 + 1);
  const uint32_t buckets = 1 + static_cast<uint32_t>((step % 90) / 30);
  Histogram h;
  h.schema = s % 3;
  h.zero_threshold = 0.001;
  h.zero_count = n;
  h.positive_spans = {{-1, buckets}};
  h.positive_buckets.assign(buckets, 0);
  h.positive_buckets[0] = static_cast<int64_t>(n);
  h.count = n * (buckets + 1);
  if (s % 2 == 1) {
    h.negative_spans = {{2, 1}};
    h.negative_buckets = {static_cast<int64_t>(n)};
    h.count += n;
  }
  h.sum = s % 3 == 0 ? 42.0 + step / 50
                     : step * 1.5 + static_cast<double>(rng() % 7);
  return h;
}

// Series "job=snaph, h=<i>", one sample every 15 s from `from_step` on,
// switching kinds every 37 steps (series shifted): floats, histograms,
// float histograms, gauge histograms. The DB must have native histograms
// on.
inline void AppendHistogramWorkload(DB& db, int series, int from_step,
                                    int steps, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto app = db.NewAppender();
  for (int step = from_step; step < from_step + steps; ++step) {
    for (int s = 0; s < series; ++s) {
      const int64_t t = int64_t{step} * 15000;
      const Labels l = Labels::Of({{"job", "snaph"}, {"h", absl::StrCat(s)}});
      Histogram h = WorkloadHistogram(s, step, rng);
      switch ((step / 37 + s) % 4) {
        case 0:
          ASSERT_TRUE(app->Append(l, t, step * 0.5 + s).ok());
          break;
        case 1:
          ASSERT_TRUE(app->AppendHistogram(l, t, &h, nullptr).ok());
          break;
        case 2: {
          FloatHistogram fh = ToFloatHistogram(h);
          fh.sum += 0.25;
          ASSERT_TRUE(app->AppendHistogram(l, t, nullptr, &fh).ok());
          break;
        }
        default:
          h.counter_reset_hint = CounterResetHint::kGauge;
          h.zero_count = rng() % 5;
          h.count = h.zero_count + h.count;
          ASSERT_TRUE(app->AppendHistogram(l, t, &h, nullptr).ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

// Both workloads over the same steps, in rounds of 20 steps (appending one
// whole workload before the other would put the second's start out of
// the head's appendable window).
inline void AppendBothWorkloads(DB& db, int float_series, int histogram_series,
                                int from_step, int steps, uint64_t seed) {
  constexpr int kRound = 20;
  for (int step = from_step; step < from_step + steps; step += kRound) {
    const int n = std::min(kRound, from_step + steps - step);
    const uint64_t round_seed = seed * 1000003 + static_cast<uint64_t>(step);
    AppendWorkload(db, float_series, step, n, round_seed);
    AppendHistogramWorkload(db, histogram_series, step, n, round_seed);
  }
}

// Every field of a histogram, floats by their bits.
template <typename H>
std::string HistogramFields(const H& h, bool with_hint) {
  std::string out = absl::StrCat(
      with_hint ? static_cast<int>(h.counter_reset_hint) : -1, " ", h.schema,
      " ", std::bit_cast<uint64_t>(static_cast<double>(h.zero_threshold)), " ",
      std::bit_cast<uint64_t>(static_cast<double>(h.zero_count)), " ",
      std::bit_cast<uint64_t>(static_cast<double>(h.count)), " ",
      std::bit_cast<uint64_t>(h.sum), " |");
  for (const HistogramSpan& sp : h.positive_spans)
    absl::StrAppend(&out, " ", sp.offset, ":", sp.length);
  absl::StrAppend(&out, " |");
  for (const HistogramSpan& sp : h.negative_spans)
    absl::StrAppend(&out, " ", sp.offset, ":", sp.length);
  absl::StrAppend(&out, " |");
  for (auto b : h.positive_buckets)
    absl::StrAppend(&out, " ", std::bit_cast<uint64_t>(static_cast<double>(b)));
  absl::StrAppend(&out, " |");
  for (auto b : h.negative_buckets)
    absl::StrAppend(&out, " ", std::bit_cast<uint64_t>(static_cast<double>(b)));
  return out;
}

// Calls fn with every series of the histogram workload.
inline void ForEachHistogramSeries(
    DB& db, const std::function<void(const Series&)>& fn) {
  auto q = db.NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_TRUE(q.ok());
  if (!q.ok()) return;
  auto set = (*q)->Select({Matcher::Equal("job", "snaph")});
  while (set->Next()) fn(set->At());
}

// Every sample of the histogram workload's series as text (kind, time,
// every bit of the value); the counter-reset hints only `with_hints`.
inline std::map<std::string, std::vector<std::string>> DumpHistograms(
    DB& db, bool with_hints = true) {
  std::map<std::string, std::vector<std::string>> out;
  ForEachHistogramSeries(db, [&](const Series& series) {
    auto& samples = out[series.labels().ToString()];
    auto it = series.NewIterator();
    while (it->Next()) {
      switch (it->value_type()) {
        case SampleValueType::kFloat:
          samples.push_back(
              absl::StrCat(it->t(), " f ", std::bit_cast<uint64_t>(it->v())));
          break;
        case SampleValueType::kHistogram:
          samples.push_back(absl::StrCat(
              it->t(), " h ", HistogramFields(it->histogram(), with_hints)));
          break;
        case SampleValueType::kFloatHistogram:
          samples.push_back(
              absl::StrCat(it->t(), " fh ",
                           HistogramFields(it->float_histogram(), with_hints)));
          break;
      }
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  });
  return out;
}

// Every chunk of the histogram workload's series as stored (encoding,
// range, bytes), to check that appends after a restart write what they
// would have written without it.
inline std::map<std::string, std::vector<std::string>> DumpHistogramChunks(
    DB& db) {
  std::map<std::string, std::vector<std::string>> out;
  ForEachHistogramSeries(db, [&](const Series& series) {
    auto& chunks = out[series.labels().ToString()];
    auto it = series.NewChunkIterator();
    while (it->Next()) {
      const RawChunk& c = it->At();
      chunks.push_back(absl::StrCat(c.encoding, " ", c.mint, " ", c.maxt, " ",
                                    absl::BytesToHexString(absl::string_view(
                                        c.data.data(), c.data.size()))));
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  });
  return out;
}

// Snapshot directories in the data dir (complete or partial).
inline std::vector<std::string> SnapshotDirs(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("head_snapshot.")) out.push_back(name);
  }
  return out;
}

// The options of the snapshot and head-chunk tests: no background
// compaction, 64 KiB WAL segments (several of them), head chunks on disk,
// the shutdown snapshot as given.
inline Options HeadChunkTestOptions(bool snapshot_on_shutdown) {
  Options o;
  o.background_compaction = false;
  o.wal_segment_bytes = 64 * 1024;
  o.head_chunks_on_disk = true;
  o.snapshot_on_shutdown = snapshot_on_shutdown;
  o.enable_native_histograms = true;
  return o;
}

inline std::unique_ptr<DB> OpenOrDie(const Options& o, const std::string& dir) {
  auto db = DB::Open(o, dir);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

// The files in a directory (none if it does not exist), sorted.
inline std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The head-chunk files of a data dir, sorted.
inline std::vector<std::string> ChunkFiles(const std::string& data_dir) {
  return FilesIn(data_dir + "/chunks_head");
}

inline void CopyDir(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to,
                        std::filesystem::copy_options::recursive |
                            std::filesystem::copy_options::overwrite_existing);
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_DB_SNAPSHOT_TEST_UTIL_H_
