// Golden tests against chunks written by real Prometheus 2.42: the recorded
// block in the shared dataset, and blocks made here with promtool. Our
// encoder must reproduce every chunk byte for byte.
#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "chunk/cut_policy.h"
#include "chunk/encoding.h"
#include "chunk/xor_chunk.h"
#include "chunk/xor_iterator.h"
#include "chunk_test_util.h"
#include "gtest/gtest.h"
#include "temp_dir.h"
#include "test_env.h"
#include "util/crc32c.h"

namespace strata::chunk {
namespace {

using strata::testing::TempDir;
using testing::ChunkSegmentFiles;
using testing::ParseChunkSegment;
using testing::RawChunk;
using testing::ReadWholeFile;
using testing::RunCommand;

struct Sample {
  int64_t t;
  uint64_t bits;
  auto operator<=>(const Sample&) const = default;
};

constexpr uint64_t kCanonicalNaN = 0x7ff8000000000000ull;
// What Go's strconv.ParseFloat (and so promtool) returns for "NaN".
constexpr uint64_t kGoNaN = 0x7ff8000000000001ull;

uint64_t NormalizeNaN(uint64_t bits) {
  return std::isnan(std::bit_cast<double>(bits)) ? kCanonicalNaN : bits;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

std::vector<RawChunk> ReadAllChunks(const std::string& root) {
  std::vector<RawChunk> chunks;
  for (const std::string& file : ChunkSegmentFiles(root)) {
    const std::optional<std::string> data = ReadWholeFile(file);
    EXPECT_TRUE(data.has_value()) << file;
    if (!data) continue;
    std::string error;
    EXPECT_TRUE(ParseChunkSegment(*data, &chunks, &error)) << file << error;
  }
  return chunks;
}

// Decodes a chunk, failing the test on corruption.
std::vector<Sample> DecodeOrFail(std::string_view data) {
  std::vector<Sample> out;
  XorIterator it(data);
  while (it.Next()) out.push_back({it.t(), it.v_bits()});
  EXPECT_FALSE(it.error()) << it.error_message();
  EXPECT_EQ(static_cast<int>(out.size()), XorNumSamples(data));
  return out;
}

std::string EncodeSamples(const std::vector<Sample>& samples) {
  XorChunk c;
  auto app = c.NewAppender();
  for (const Sample& s : samples) {
    app->Append(s.t, std::bit_cast<double>(s.bits));
  }
  return std::string(c.Bytes());
}

// Parses "<seconds>[.<fraction>]" exactly into milliseconds.
bool ParseSecondsToMillis(std::string_view s, int64_t* ms) {
  const size_t dot = s.find('.');
  const std::string whole(s.substr(0, dot));
  std::string frac = dot == std::string_view::npos
                         ? std::string()
                         : std::string(s.substr(dot + 1));
  if (frac.size() > 3) return false;
  frac.resize(3, '0');
  char* end = nullptr;
  const long long w = std::strtoll(whole.c_str(), &end, 10);
  if (end == whole.c_str() || *end != '\0') return false;
  const long long f = std::strtoll(frac.c_str(), &end, 10);
  if (*end != '\0') return false;
  *ms = w * 1000 + (w < 0 ? -f : f);
  return true;
}

// Reads the samples of an OpenMetrics text file with timestamps
// (`name{labels} value ts_seconds` per line).
bool ReadOpenMetricsSamples(const std::string& path, std::vector<Sample>* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    // Label values may hold spaces; value and timestamp are the last two
    // space-separated fields.
    const size_t ts_sep = line.rfind(' ');
    const size_t v_sep = line.rfind(' ', ts_sep - 1);
    if (ts_sep == std::string::npos || v_sep == std::string::npos) {
      return false;
    }
    const std::string value = line.substr(v_sep + 1, ts_sep - v_sep - 1);
    Sample s;
    if (!ParseSecondsToMillis(std::string_view(line).substr(ts_sep + 1),
                              &s.t)) {
      return false;
    }
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (end == value.c_str() || *end != '\0') return false;
    s.bits = std::bit_cast<uint64_t>(v);
    out->push_back(s);
  }
  return true;
}

TEST(XorGoldenTest, RecordedPrometheusBlock) {
  const auto shared = testing::SharedDir();
  if (!shared)
    STRATA_SKIP_OR_FAIL_IF_MISSING("../shared next to the source tree");
  const std::filesystem::path dataset = *shared / "datasets" / "recorded-15s";
  TempDir tmp;
  ASSERT_TRUE(tmp.ok());
  ASSERT_TRUE(RunCommand(
      "zstd -dc " + Quote((dataset / "prometheus-blocks.tar.zst").string()) +
      " | tar -x -C " + Quote(tmp.path())));

  const std::vector<RawChunk> chunks = ReadAllChunks(tmp.path());
  std::vector<Sample> all;
  size_t resumed_checked = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const RawChunk& c = chunks[i];
    SCOPED_TRACE(i);
    ASSERT_EQ(crc32c::Value(c.crc_input), c.stored_crc);
    ASSERT_EQ(c.encoding, static_cast<uint8_t>(Encoding::kXor));
    const std::vector<Sample> samples = DecodeOrFail(c.data);
    ASSERT_FALSE(samples.empty());
    ASSERT_EQ(EncodeSamples(samples), c.data);

    int64_t lo, hi;
    ASSERT_TRUE(XorTimeRange(c.data, &lo, &hi));
    EXPECT_EQ(lo, samples.front().t);
    EXPECT_EQ(hi, samples.back().t);

    // Resuming in the middle of a real chunk rebuilds the same bytes when
    // the first half already set an XOR window (see xor_chunk_test.cc).
    const size_t k = samples.size() / 2;
    bool has_window = false;
    for (size_t j = 1; j < k; ++j) {
      has_window |= samples[j].bits != samples[j - 1].bits;
    }
    if (has_window) {
      XorChunk part{EncodeSamples(
          std::vector<Sample>(samples.begin(), samples.begin() + k))};
      auto app = part.NewAppender();
      ASSERT_TRUE(app.has_value());
      for (size_t j = k; j < samples.size(); ++j) {
        app->Append(samples[j].t, std::bit_cast<double>(samples[j].bits));
      }
      ASSERT_EQ(std::string(part.Bytes()), c.data);
      ++resumed_checked;
    }
    for (const Sample& s : samples) all.push_back({s.t, NormalizeNaN(s.bits)});
  }
  // Totals from the dataset's README (promtool tsdb list).
  EXPECT_EQ(chunks.size(), 2934u);
  EXPECT_EQ(all.size(), 343835u);
  EXPECT_GT(resumed_checked, 100u);

  // The same samples as the OpenMetrics dump (NaN compared as NaN).
  const std::string om = tmp.path() + "/data.om";
  ASSERT_TRUE(RunCommand("zstd -dc " +
                         Quote((dataset / "data.om.zst").string()) + " > " +
                         Quote(om)));
  std::vector<Sample> text;
  ASSERT_TRUE(ReadOpenMetricsSamples(om, &text));
  for (Sample& s : text) s.bits = NormalizeNaN(s.bits);
  std::sort(all.begin(), all.end());
  std::sort(text.begin(), text.end());
  EXPECT_EQ(text.size(), all.size());
  EXPECT_TRUE(all == text);
}

// A series for the promtool test; `lines` holds the text samples, `samples`
// what Prometheus will store for them.
struct Series {
  std::string name;
  std::vector<std::string> lines;
  std::vector<Sample> samples;
};

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

void AddSample(Series* s, int64_t ms, double v) {
  char ts[64];
  std::snprintf(ts, sizeof(ts), "%lld.%03lld",
                static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  const std::string value = FormatValue(v);
  s->lines.push_back(s->name + " " + value + " " + ts);
  // promtool's OpenMetrics parser reads the timestamp as a float64 and
  // stores int64(ts * 1000) (truncating), and "NaN" as Go's NaN; mirror it.
  const auto t = static_cast<int64_t>(std::strtod(ts, nullptr) * 1000.0);
  const uint64_t bits =
      std::isnan(v)
          ? kGoNaN
          : std::bit_cast<uint64_t>(std::strtod(value.c_str(), nullptr));
  s->samples.push_back({t, bits});
}

std::vector<Series> MakeTrickySeries() {
  // 2h-aligned, so that every series falls in one block.
  constexpr int64_t kT0 = 1795622400000;
  static_assert(kT0 % 7200000 == 0);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::mt19937_64 rng(2042);
  std::vector<Series> all;

  Series special{"a_special_values", {}, {}};
  const double specials[] = {0.0,
                             -0.0,
                             1.0,
                             -1.0,
                             0.1,
                             std::nan(""),
                             kInf,
                             -kInf,
                             std::bit_cast<double>(uint64_t{1}),
                             std::bit_cast<double>(0x000fffffffffffffull),
                             -std::bit_cast<double>(uint64_t{1}),
                             DBL_MIN,
                             DBL_MAX,
                             -DBL_MAX,
                             DBL_EPSILON,
                             1.0 + DBL_EPSILON,
                             123456789.125};
  int64_t t = kT0;
  for (int i = 0; i < 110; ++i) {
    t += 1 + static_cast<int64_t>(rng() % 30000);
    AddSample(&special, t, specials[rng() % std::size(specials)]);
  }
  all.push_back(std::move(special));

  Series random{"b_random_bits", {}, {}};
  t = kT0;
  for (int i = 0; i < 120; ++i) {
    double v;
    do {
      v = std::bit_cast<double>(rng());
    } while (!std::isfinite(v));
    t += 15000;
    AddSample(&random, t, v);
  }
  all.push_back(std::move(random));

  // Delta-of-delta at every bucket edge, both signs, and beyond 20 bits.
  Series jumps{"c_irregular_jumps", {}, {}};
  const int64_t edges[] = {1,     8191,   8192,   8193,   65535,  65536,
                           65537, 524287, 524288, 524289, 600000, 1000000};
  t = kT0;
  int64_t value = 0;
  AddSample(&jumps, t, 0);
  for (int64_t e : edges) {
    t += 1000 + e;  // dod = +e against the previous 1000 ms step ...
    AddSample(&jumps, t, static_cast<double>(++value));
    t += 1000;  // ... then -e.
    AddSample(&jumps, t, static_cast<double>(++value));
  }
  all.push_back(std::move(jumps));

  Series counter{"d_counter", {}, {}};
  t = kT0 + 1234;
  double c = 0;
  for (int i = 0; i < 120; ++i) {
    t += 15000 + static_cast<int64_t>(rng() % 21) - 10;
    c += static_cast<double>(rng() % 100);
    AddSample(&counter, t, c);
  }
  all.push_back(std::move(counter));

  // 1 s scrape across the whole block: many chunks, cut by time.
  Series fast{"e_one_second", {}, {}};
  for (int i = 0; i < 7200; ++i) {
    AddSample(&fast, kT0 + i * 1000, std::round(std::sin(i / 100.0) * 1e3) / 8);
  }
  all.push_back(std::move(fast));

  // 60 s then 1 s scrape with random values: the 240-sample count rule
  // cuts a chunk of ~2 KiB (2.42 has no byte limit).
  Series rate{"f_rate_change", {}, {}};
  t = kT0;
  for (int i = 0; i < 331; ++i) {
    double v;
    do {
      v = std::bit_cast<double>(rng());
    } while (!std::isfinite(v));
    AddSample(&rate, t, v);
    t += i < 30 ? 60000 : 1000;
  }
  all.push_back(std::move(rate));

  Series one{"g_one_sample", {}, {}};
  AddSample(&one, kT0 + 42, -7.5);
  all.push_back(std::move(one));

  Series two{"h_two_samples", {}, {}};
  AddSample(&two, kT0 + 42, kInf);
  AddSample(&two, kT0 + 7199999, std::nan(""));
  all.push_back(std::move(two));
  return all;
}

TEST(XorGoldenTest, FreshPromtoolBlocks) {
  const char* promtool = "/usr/bin/promtool";
  if (!std::filesystem::exists(promtool)) {
    STRATA_SKIP_OR_FAIL_IF_MISSING("promtool (Prometheus 2.42)");
  }
  TempDir tmp;
  ASSERT_TRUE(tmp.ok());
  const std::vector<Series> series = MakeTrickySeries();
  const std::string input = tmp.path() + "/in.om";
  {
    std::ofstream out(input);
    for (const Series& s : series) {
      out << "# TYPE " << s.name << " gauge\n";
      for (const std::string& line : s.lines) out << line << "\n";
    }
    out << "# EOF\n";
  }
  const std::string blocks = tmp.path() + "/blocks";
  ASSERT_TRUE(RunCommand(std::string(promtool) +
                         " tsdb create-blocks-from openmetrics " +
                         Quote(input) + " " + Quote(blocks) + " > /dev/null"));

  // Expected chunks: series in label order, each cut as the 2.42 head
  // cuts, each encoded by us. promtool's backfill makes 2h blocks but gives
  // its head a chunk range of twice that (cmd/promtool/backfill.go:
  // tsdb.NewBlockWriter(..., 2*blockDuration)), which moves the predicted
  // chunk ends of the 1 s series.
  constexpr int64_t kChunkRange = 2 * 2 * 3600 * 1000;
  std::vector<std::pair<std::string, std::vector<Sample>>> want;
  for (const Series& s : series) {
    std::vector<int64_t> ts;
    for (const Sample& x : s.samples) ts.push_back(x.t);
    std::vector<size_t> starts = ChunkStarts(ts, kChunkRange);
    starts.push_back(ts.size());
    for (size_t i = 0; i + 1 < starts.size(); ++i) {
      want.emplace_back(s.name,
                        std::vector<Sample>(s.samples.begin() + starts[i],
                                            s.samples.begin() + starts[i + 1]));
    }
  }

  const std::vector<RawChunk> got = ReadAllChunks(blocks);
  std::string got_counts, want_counts;
  for (const RawChunk& c : got) {
    got_counts += std::to_string(XorNumSamples(c.data)) + " ";
  }
  for (const auto& [name, samples] : want) {
    want_counts += name.substr(0, 1) + std::to_string(samples.size()) + " ";
  }
  ASSERT_EQ(got.size(), want.size()) << "promtool chunk sizes: " << got_counts
                                     << "\nexpected: " << want_counts;
  size_t max_size = 0;
  int max_samples = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(want[i].first + " chunk " + std::to_string(i));
    ASSERT_EQ(crc32c::Value(got[i].crc_input), got[i].stored_crc);
    ASSERT_EQ(got[i].encoding, static_cast<uint8_t>(Encoding::kXor));
    EXPECT_EQ(DecodeOrFail(got[i].data), want[i].second);
    EXPECT_EQ(EncodeSamples(want[i].second), got[i].data);
    max_size = std::max(max_size, got[i].data.size());
    max_samples = std::max(max_samples, XorNumSamples(got[i].data));
  }
  // The count rule and the absence of a size limit were exercised.
  EXPECT_EQ(max_samples, 240);
  EXPECT_GT(max_size, 1024u);
}

}  // namespace
}  // namespace strata::chunk
