// Compatibility with real Prometheus 2.42, both ways:
//  - the recorded block written by Prometheus reads back consistently with
//    what `promtool tsdb analyze` and `promtool tsdb dump` say about it, and
//    IndexWriter reproduces its index byte for byte;
//  - a block whose index IndexWriter wrote (chunks and meta.json written by
//    hand here) dumps and analyzes with promtool to exactly what was written.
// Skipped when promtool or the shared datasets are missing.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "chunk/xor_chunk.h"
#include "gtest/gtest.h"
#include "index/index_file_reader.h"
#include "index/index_writer.h"
#include "index_test_util.h"
#include "temp_dir.h"
#include "test_env.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {
namespace {

using index_testing::ReadWholeFile;
using index_testing::WriteWholeFile;
using strata::testing::TempDir;

constexpr char kPromtool[] = "/usr/bin/promtool";

std::optional<std::filesystem::path> SharedDir() {
  const char* src = std::getenv("STRATA_SOURCE_DIR");
#ifdef STRATA_INDEX_TEST_SOURCE_DIR
  if (src == nullptr || *src == '\0') src = STRATA_INDEX_TEST_SOURCE_DIR;
#endif
  if (src == nullptr) return std::nullopt;
  std::filesystem::path dir = std::filesystem::path(src) / ".." / "shared";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

// Runs `cmd` with /bin/sh and returns its stdout, or nullopt if it failed.
std::optional<std::string> RunCommand(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) return std::nullopt;
  return out;
}

// Labels as Go's labels.Labels.String() prints them: {a="b", c="d"} with
// values quoted like strconv.Quote (enough of it for printable text).
std::string GoString(const Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out += ", ";
    first = false;
    out += l.name;
    out += "=\"";
    for (char c : l.value) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out += c;
      }
    }
    out += '"';
  }
  return out + "}";
}

// One line of `promtool tsdb dump`: `{labels} value timestamp`.
struct DumpSample {
  std::string labels;
  double value = 0;
  int64_t t = 0;
};

std::vector<DumpSample> ParseDump(const std::string& out) {
  std::vector<DumpSample> samples;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    const size_t t_at = line.rfind(' ');
    const size_t v_at = line.rfind(' ', t_at - 1);
    DumpSample s;
    s.labels = line.substr(0, v_at);
    s.value = std::strtod(line.c_str() + v_at + 1, nullptr);
    s.t = std::strtoll(line.c_str() + t_at + 1, nullptr, 10);
    samples.push_back(std::move(s));
  }
  return samples;
}

// The parts of `promtool tsdb analyze` output checked here.
struct Analysis {
  std::map<std::string, int64_t> totals;  // "Series" -> 1467, ...
  // "Highest cardinality labels", "Most common label pairs", ...: the
  // "<count> <key>" lines under each heading.
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> lists;
};

Analysis ParseAnalyze(const std::string& out) {
  Analysis a;
  std::string heading;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) {
      heading.clear();
    } else if (line.back() == ':') {
      heading = line.substr(0, line.size() - 1);
    } else if (const size_t colon = line.find(": ");
               heading.empty() && colon != std::string::npos) {
      a.totals[line.substr(0, colon)] =
          std::strtoll(line.c_str() + colon + 2, nullptr, 10);
    } else if (!heading.empty()) {
      const size_t sp = line.find(' ');
      a.lists[heading].emplace_back(std::strtoll(line.c_str(), nullptr, 10),
                                    line.substr(sp + 1));
    }
  }
  return a;
}

class PrometheusBlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    if (!std::filesystem::exists(kPromtool))
      STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
    auto shared = SharedDir();
    if (!shared) STRATA_SKIP_OR_FAIL_IF_MISSING("../shared");
    const auto tar =
        *shared / "datasets/recorded-15s/prometheus-blocks.tar.zst";
    if (!std::filesystem::exists(tar))
      STRATA_SKIP_OR_FAIL_IF_MISSING(tar.string());
    ASSERT_TRUE(RunCommand("zstd -dc '" + tar.string() + "' | tar -x -C '" +
                           dir_.path() + "'"));
    // promtool opens the directory as a DB, which needs a WAL directory.
    std::filesystem::create_directories(dir_.Join("wal"));
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      if (std::filesystem::exists(e.path() / "index")) block_ = e.path();
    }
    ASSERT_FALSE(block_.empty());
    auto r = IndexFileReader::Open(FileSystem::Default(), block_ / "index");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reader_ = std::move(*r);
  }

  TempDir dir_;
  std::filesystem::path block_;
  std::unique_ptr<IndexFileReader> reader_;
};

TEST_F(PrometheusBlockTest, ReadsAndVerifies) {
  EXPECT_EQ(reader_->NumSeries(), 1467u);
  Status v = reader_->Verify();
  EXPECT_TRUE(v.ok()) << v.ToString();
  // Prometheus 2.42 still writes label indices and their offset table.
  const index_format::Toc& toc = reader_->toc();
  EXPECT_LT(toc.label_indices, toc.postings);
  EXPECT_LT(toc.label_indices_table, toc.postings_table);
}

TEST_F(PrometheusBlockTest, AgreesWithPromtoolAnalyze) {
  auto out = RunCommand(std::string(kPromtool) + " tsdb analyze '" +
                        dir_.path() + "' 2>/dev/null");
  ASSERT_TRUE(out.has_value());
  const Analysis a = ParseAnalyze(*out);
  EXPECT_EQ(a.totals.at("Series"), 1467);

  auto names = reader_->LabelNames();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(static_cast<int64_t>(names->size()), a.totals.at("Label names"));
  int64_t pairs = 0, entries = 0;
  ASSERT_TRUE(reader_
                  ->ForEachPostingsList(
                      [&](std::string_view, std::string_view, uint32_t n) {
                        ++pairs;
                        entries += n;
                        return Status::OK();
                      })
                  .ok());
  EXPECT_EQ(pairs, a.totals.at("Postings (unique label pairs)"));
  EXPECT_EQ(entries, a.totals.at("Postings entries (total label pairs)"));

  const auto& cardinality = a.lists.at("Highest cardinality labels");
  ASSERT_FALSE(cardinality.empty());
  for (const auto& [count, name] : cardinality) {
    auto values = reader_->LabelValues(name);
    ASSERT_TRUE(values.ok());
    EXPECT_EQ(static_cast<int64_t>(values->size()), count) << name;
  }
  const auto& common = a.lists.at("Most common label pairs");
  ASSERT_FALSE(common.empty());
  for (const auto& [count, pair] : common) {
    const size_t eq = pair.find('=');
    auto p = reader_->PostingsFor(pair.substr(0, eq), {pair.substr(eq + 1)});
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(static_cast<int64_t>(p->cardinality()), count) << pair;
  }
}

TEST_F(PrometheusBlockTest, AgreesWithPromtoolDump) {
  auto out = RunCommand(std::string(kPromtool) + " tsdb dump '" + dir_.path() +
                        "' 2>/dev/null");
  ASSERT_TRUE(out.has_value());
  const std::vector<DumpSample> samples = ParseDump(*out);
  EXPECT_EQ(samples.size(), 343835u);
  // Per series (in dump order, which is label order): time range.
  std::vector<std::string> order;
  std::map<std::string, std::pair<int64_t, int64_t>> range;
  for (const DumpSample& s : samples) {
    auto [it, inserted] = range.try_emplace(s.labels, s.t, s.t);
    if (inserted) order.push_back(s.labels);
    it->second.first = std::min(it->second.first, s.t);
    it->second.second = std::max(it->second.second, s.t);
  }
  ASSERT_EQ(order.size(), 1467u);

  auto all = reader_->AllPostings();
  ASSERT_TRUE(all.ok());
  size_t i = 0;
  size_t chunks_total = 0;
  const auto chunk_file_size =
      std::filesystem::file_size(block_ / "chunks" / "000001");
  for (uint32_t id : *all) {
    Labels labels;
    std::vector<ChunkMeta> chunks;
    ASSERT_TRUE(reader_->Series(id, &labels, &chunks).ok());
    ASSERT_LT(i, order.size());
    const std::string s = GoString(labels);
    EXPECT_EQ(s, order[i]) << i;
    ASSERT_FALSE(chunks.empty());
    EXPECT_EQ(chunks.front().mint, range[s].first) << s;
    EXPECT_EQ(chunks.back().maxt, range[s].second) << s;
    for (const ChunkMeta& c : chunks) {
      EXPECT_EQ(c.ref >> 32, 0u);  // Segment 000001 is file index 0.
      EXPECT_LT(c.ref & 0xFFFFFFFF, chunk_file_size);
    }
    chunks_total += chunks.size();
    ++i;
  }
  EXPECT_EQ(i, order.size());
  EXPECT_EQ(chunks_total, 2934u);  // meta.json's numChunks.
}

TEST_F(PrometheusBlockTest, WriterReproducesTheIndexByteForByte) {
  const std::string rewritten = dir_.Join("rewritten-index");
  auto w = IndexWriter::Create(FileSystem::Default(), rewritten);
  ASSERT_TRUE(w.ok());
  std::vector<std::string> symbols;
  for (std::string_view s : reader_->Symbols()) symbols.emplace_back(s);
  ASSERT_TRUE((*w)->AddSymbols(symbols).ok());
  auto all = reader_->AllPostings();
  ASSERT_TRUE(all.ok());
  for (uint32_t id : *all) {
    Labels labels;
    std::vector<ChunkMeta> chunks;
    ASSERT_TRUE(reader_->Series(id, &labels, &chunks).ok());
    auto got = (*w)->AddSeries(labels, chunks);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, id);
  }
  ASSERT_TRUE((*w)->Finish().ok());
  auto want = ReadWholeFile((block_ / "index").string());
  auto have = ReadWholeFile(rewritten);
  ASSERT_TRUE(want.has_value() && have.has_value());
  ASSERT_EQ(have->size(), want->size());
  size_t first_diff = 0;
  while (first_diff < want->size() &&
         (*want)[first_diff] == (*have)[first_diff]) {
    ++first_diff;
  }
  EXPECT_EQ(first_diff, want->size())
      << "first difference at byte " << first_diff;
}

// A series to write into a synthetic block.
struct SyntheticSeries {
  Labels labels;
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

std::vector<SyntheticSeries> MakeSyntheticSeries() {
  std::mt19937 rng(42);
  std::set<Labels> sets;
  const char* kNames[] = {"http_requests_total", "node_cpu_seconds_total", "up",
                          "queue_depth"};
  for (int i = 0; sets.size() < 60; ++i) {
    std::vector<Label> l = {
        {"__name__", kNames[rng() % 4]},
        {"job", i % 3 == 0 ? "api" : "node"},
        {"instance", "10.0.0." + std::to_string(rng() % 9) + ":9100"},
        {"path", i % 7 == 0 ? "/caf\xc3\xa9 menu" : "/v1/" + std::to_string(i)},
    };
    if (i % 4 == 0) l.push_back({"code", std::to_string(200 + rng() % 3)});
    sets.insert(Labels::FromUnchecked(std::move(l)));
  }
  std::vector<SyntheticSeries> out;
  const int64_t t0 = 1700000000000;
  int k = 0;
  for (const Labels& l : sets) {
    SyntheticSeries s;
    s.labels = l;
    // 1 to 400 samples: one, or several chunks of 120.
    const int n = k % 10 == 0 ? 1 : 1 + static_cast<int>(rng() % 400);
    int64_t t = t0 + static_cast<int64_t>(rng() % 15000);
    double v = static_cast<double>(rng() % 1000);
    for (int j = 0; j < n; ++j) {
      s.ts.push_back(t);
      s.vs.push_back(k % 5 == 0 ? v * 0.25 : std::floor(v));
      t += 15000 + static_cast<int64_t>(rng() % 5) - 2;
      v += static_cast<double>(rng() % 100) / 7;
    }
    out.push_back(std::move(s));
    ++k;
  }
  return out;
}

// Writes a block directory readable by Prometheus: chunks/000001 (XOR
// chunks of up to 120 samples), index (IndexWriter), meta.json and an empty
// tombstones file.
void WriteBlock(const std::string& dir, const std::string& ulid,
                const std::vector<SyntheticSeries>& series) {
  std::filesystem::create_directories(dir + "/chunks");
  std::string segment;
  PutBE32(&segment, 0x85BD40DD);
  segment.push_back(1);
  segment.append(3, '\0');
  std::set<std::string> symbol_set;
  std::vector<std::vector<ChunkMeta>> metas(series.size());
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  size_t samples = 0, chunks = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    const SyntheticSeries& s = series[i];
    for (const Label& l : s.labels) {
      symbol_set.insert(l.name);
      symbol_set.insert(l.value);
    }
    for (size_t begin = 0; begin < s.ts.size(); begin += 120) {
      const size_t end = std::min(s.ts.size(), begin + 120);
      chunk::XorChunk c;
      auto app = c.NewAppender();
      ASSERT_TRUE(app.has_value());
      for (size_t j = begin; j < end; ++j) app->Append(s.ts[j], s.vs[j]);
      ChunkMeta m;
      m.ref = segment.size();  // Segment file index 0 in the upper bits.
      m.mint = s.ts[begin];
      m.maxt = s.ts[end - 1];
      metas[i].push_back(m);
      PutUvarint(&segment, c.Bytes().size());
      std::string crc_input(1, static_cast<char>(chunk::Encoding::kXor));
      crc_input += c.Bytes();
      segment += crc_input;
      PutBE32(&segment, crc32c::Value(crc_input));
      ++chunks;
    }
    samples += s.ts.size();
    mint = std::min(mint, s.ts.front());
    maxt = std::max(maxt, s.ts.back());
  }
  ASSERT_TRUE(WriteWholeFile(dir + "/chunks/000001", segment));

  auto w = IndexWriter::Create(FileSystem::Default(), dir + "/index");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddSymbols({symbol_set.begin(), symbol_set.end()}).ok());
  for (size_t i = 0; i < series.size(); ++i) {
    ASSERT_TRUE((*w)->AddSeries(series[i].labels, metas[i]).ok());
  }
  ASSERT_TRUE((*w)->Finish().ok());

  std::string tombstones;
  PutBE32(&tombstones, 0x0130BA30);
  tombstones.push_back(1);
  PutBE32(&tombstones, crc32c::Value(""));
  ASSERT_TRUE(WriteWholeFile(dir + "/tombstones", tombstones));

  const std::string meta =
      "{\n\t\"ulid\": \"" + ulid +
      "\",\n\t\"minTime\": " + std::to_string(mint) +
      ",\n\t\"maxTime\": " + std::to_string(maxt + 1) +
      ",\n\t\"stats\": {\n\t\t\"numSamples\": " + std::to_string(samples) +
      ",\n\t\t\"numSeries\": " + std::to_string(series.size()) +
      ",\n\t\t\"numChunks\": " + std::to_string(chunks) +
      "\n\t},\n\t\"compaction\": {\n\t\t\"level\": 1,\n\t\t\"sources\": [\n"
      "\t\t\t\"" +
      ulid + "\"\n\t\t]\n\t},\n\t\"version\": 1\n}";
  ASSERT_TRUE(WriteWholeFile(dir + "/meta.json", meta));
}

TEST(StrataBlockTest, PromtoolDumpsAndAnalyzesWhatWasWritten) {
  if (!std::filesystem::exists(kPromtool))
    STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string ulid = "01HGZ8E1XJ7K3M2Q4R5S6T7V8W";
  const std::vector<SyntheticSeries> series = MakeSyntheticSeries();
  ASSERT_NO_FATAL_FAILURE(WriteBlock(dir.Join(ulid), ulid, series));
  std::filesystem::create_directories(dir.Join("wal"));

  auto index =
      IndexFileReader::Open(FileSystem::Default(), dir.Join(ulid + "/index"));
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->Verify().ok());

  auto out = RunCommand(std::string(kPromtool) + " tsdb dump '" + dir.path() +
                        "' 2>&1");
  ASSERT_TRUE(out.has_value()) << "promtool tsdb dump failed";
  const std::vector<DumpSample> got = ParseDump(*out);
  std::vector<DumpSample> want;
  for (const SyntheticSeries& s : series) {
    for (size_t j = 0; j < s.ts.size(); ++j) {
      want.push_back({GoString(s.labels), s.vs[j], s.ts[j]});
    }
  }
  ASSERT_EQ(got.size(), want.size()) << out->substr(0, 2000);
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].labels, want[i].labels) << "line " << i;
    ASSERT_EQ(got[i].t, want[i].t) << "line " << i;
    ASSERT_EQ(got[i].value, want[i].value) << "line " << i;
  }

  auto analyze = RunCommand(std::string(kPromtool) + " tsdb analyze '" +
                            dir.path() + "' 2>&1");
  ASSERT_TRUE(analyze.has_value()) << "promtool tsdb analyze failed";
  const Analysis a = ParseAnalyze(*analyze);
  EXPECT_EQ(a.totals.at("Series"), static_cast<int64_t>(series.size()));
  std::map<std::string, std::set<std::string>> values;
  int64_t entries = 0;
  std::set<std::string> pairs;
  for (const SyntheticSeries& s : series) {
    for (const Label& l : s.labels) {
      values[l.name].insert(l.value);
      pairs.insert(l.name + "=" + l.value);
      ++entries;
    }
  }
  EXPECT_EQ(a.totals.at("Label names"), static_cast<int64_t>(values.size()));
  EXPECT_EQ(a.totals.at("Postings (unique label pairs)"),
            static_cast<int64_t>(pairs.size()));
  EXPECT_EQ(a.totals.at("Postings entries (total label pairs)"), entries);
  for (const auto& [count, name] : a.lists.at("Highest cardinality labels")) {
    EXPECT_EQ(count, static_cast<int64_t>(values[name].size())) << name;
  }
}

}  // namespace
}  // namespace strata
