// strata-tsdb end to end: the binary run as a user runs it, on data dirs the
// tests create, checked against the real promtool 2.42 where it applies.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "free_port.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

// 2h-aligned, so the data spans whole and partial block ranges.
constexpr int64_t kT0 = 1700006400000;
constexpr int64_t kStep = 15000;
constexpr int kSamplesPerSeries = 1800;  // 7.5 hours.
// Compact() runs here (persisting the first 2h block); later samples are
// committed one step at a time, so the WAL has many records and pages.
constexpr int kCompactAt = 1200;
constexpr int kSeriesPerMetric = 10;

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunResult Sh(const std::string& cmd) {
  static int n = 0;
  const std::string err_path =
      (fs::temp_directory_path() /
       ("strata_tsdb_test_err_" + std::to_string(getpid()) + "_" +
        std::to_string(n++)))
          .string();
  RunResult r;
  std::FILE* p = popen((cmd + " 2>" + err_path).c_str(), "r");
  if (p == nullptr) return r;
  char buf[65536];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, got);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadText(err_path);
  fs::remove(err_path);
  return r;
}

std::string Tool() {
  return testing::BinaryDir() + "/tools/strata-tsdb/strata-tsdb";
}

RunResult Tsdb(const std::string& data_dir, const std::string& args) {
  return Sh(Tool() + " -d " + data_dir + " " + args);
}

std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) lines.push_back(l);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// Series text -> its dump lines, from `dump` (text) output.
std::map<std::string, std::vector<std::string>> BySeries(
    const std::string& text) {
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string& l : SortedLines(text)) {
    out[l.substr(0, l.find('}') + 1)].push_back(l);
  }
  return out;
}

bool HavePromtool() { return Sh("promtool --version").code == 0; }

class StrataTsdbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    data_ = (root_ / "data").string();
  }
  void TearDown() override {
    if (HasFailure()) tmp_.Keep();
  }

  // Two metrics of kSeriesPerMetric series, kSamplesPerSeries each; blocks
  // for the complete ranges, the rest in the head (WAL). Blocks ending
  // `dense_after_ms` before the newest sample get dense chunks.
  void MakeData(int64_t dense_after_ms = kMillisPerDay) {
    Options o;
    o.background_compaction = false;
    o.wal_compression = false;
    o.dense_after_ms = dense_after_ms;
    auto db = DB::Open(o, data_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto app = (*db)->NewAppender();
    for (int j = 0; j < kSamplesPerSeries; ++j) {
      for (const char* metric : {"test_metric", "other_metric"}) {
        for (int i = 0; i < kSeriesPerMetric; ++i) {
          const int64_t t = kT0 + j * kStep;
          const double v = i * 10000 + j;
          ASSERT_TRUE(app->Append(Labels::Of({{"__name__", metric},
                                              {"i", std::to_string(i)}}),
                                  t, v)
                          .ok());
          expected_.push_back(std::string("{__name__=\"") + metric +
                              "\", i=\"" + std::to_string(i) + "\"} " +
                              std::to_string(i * 10000 + j) + " " +
                              std::to_string(t));
        }
      }
      if (j % 100 == 99 || j >= kCompactAt) {
        ASSERT_TRUE(app->Commit().ok());
      }
      if (j == kCompactAt - 1) {
        ASSERT_TRUE((*db)->Compact().ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE((*db)->Close().ok());
    std::sort(expected_.begin(), expected_.end());
  }

  std::string Dump(const std::string& dir, const std::string& extra = "") {
    RunResult r = Tsdb(dir, "dump " + extra);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
  }

  nlohmann::json ListJson(const std::string& dir) {
    RunResult r = Tsdb(dir, "--json list");
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  std::string FirstBlock(const std::string& dir) {
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string n = e.path().filename().string();
      if (n.size() == 26 && fs::is_directory(e)) return e.path().string();
    }
    return "";
  }

  static void FlipByte(const std::string& path, int64_t offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(offset);
    char c;
    f.get(c);
    f.seekp(offset);
    f.put(static_cast<char>(c ^ 0x5a));
  }

  strata::testing::TempDir tmp_{"strata-tsdb-test"};
  const fs::path root_ = tmp_.path();
  std::string data_;
  std::vector<std::string> expected_;
};

TEST_F(StrataTsdbTest, HelpAndErrors) {
  RunResult r = Sh(Tool() + " --help");
  EXPECT_EQ(r.code, 0);
  for (const char* cmd : {"list", "dump", "import", "verify", "export",
                          "backup", "restore", "delete", "analyze"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
    RunResult h = Sh(Tool() + " " + cmd + " --help");
    EXPECT_EQ(h.code, 0) << cmd;
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << cmd;
  }
  RunResult missing = Tsdb((root_ / "nope").string(), "list");
  EXPECT_NE(missing.code, 0);
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1)
      << missing.err;
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos);
  RunResult bad = Tsdb(data_, "dump --match 'up{'");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("bad selector"), std::string::npos) << bad.err;
}

TEST_F(StrataTsdbTest, ListCountsBlocksAndHead) {
  MakeData();
  nlohmann::json j = ListJson(data_);
  ASSERT_GE(j["blocks"].size(), 1u);
  int64_t samples = 0, max_block_time = 0;
  for (const auto& b : j["blocks"]) {
    samples += b["numSamples"].get<int64_t>();
    EXPECT_EQ(b["numSeries"].get<int64_t>(), 2 * kSeriesPerMetric);
    EXPECT_EQ(b["level"].get<int>(), 1);
    EXPECT_GT(b["sizeBytes"].get<int64_t>(), 0);
    max_block_time = std::max(max_block_time, b["maxTime"].get<int64_t>());
  }
  samples += j["head"]["numSamples"].get<int64_t>();
  EXPECT_EQ(samples, 2 * kSeriesPerMetric * kSamplesPerSeries);
  EXPECT_GE(j["head"]["walSegments"].get<int64_t>(), 1);
  EXPECT_EQ(j["head"]["numSeries"].get<int64_t>(), 2 * kSeriesPerMetric);
  EXPECT_GE(j["head"]["minTime"].get<int64_t>(), max_block_time);
  EXPECT_EQ(j["head"]["maxTime"].get<int64_t>(),
            kT0 + (kSamplesPerSeries - 1) * kStep);
  RunResult human = Tsdb(data_, "list -r");
  EXPECT_EQ(human.code, 0);
  EXPECT_NE(human.out.find("2023-11-15T00:00:00.000Z"), std::string::npos)
      << human.out;
}

TEST_F(StrataTsdbTest, DumpStreamsBlocksAndHead) {
  MakeData();
  EXPECT_EQ(SortedLines(Dump(data_)), expected_);
  // A selector and a time range.
  const int64_t lo = kT0 + 3600000, hi = kT0 + 2 * 3600000;
  std::vector<std::string> want;
  for (const std::string& l : expected_) {
    const int64_t t = std::stoll(l.substr(l.rfind(' ') + 1));
    if (l.starts_with("{__name__=\"test_metric\", i=\"3\"}") && t >= lo &&
        t <= hi) {
      want.push_back(l);
    }
  }
  EXPECT_EQ(want.size(), 241u);
  EXPECT_EQ(SortedLines(Dump(data_,
                             "--match 'test_metric{i=\"3\"}' "
                             "--min-time " +
                                 std::to_string(lo) + " --max-time " +
                                 std::to_string(hi))),
            want);
  // Two selectors: their union, each series once.
  EXPECT_EQ(SortedLines(Dump(data_,
                             "--match test_metric --match "
                             "'{i=~\"[0-9]\",__name__=\"test_metric\"}'"))
                .size(),
            static_cast<size_t>(kSeriesPerMetric * kSamplesPerSeries));
  // JSON: one object per series.
  std::istringstream js(Dump(data_, "--format json --match other_metric"));
  int series = 0;
  for (std::string l; std::getline(js, l); ++series) {
    auto j = nlohmann::json::parse(l);
    EXPECT_EQ(j["labels"]["__name__"], "other_metric");
    EXPECT_EQ(j["samples"].size(), static_cast<size_t>(kSamplesPerSeries));
  }
  EXPECT_EQ(series, kSeriesPerMetric);
}

TEST_F(StrataTsdbTest, OpenMetricsRoundTripIsExact) {
  MakeData();
  const std::string copy = (root_ / "copy").string();
  RunResult r = Sh(Tool() + " -d " + data_ + " dump --format openmetrics | " +
                   Tool() + " -d " + copy + " import openmetrics -");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(SortedLines(Dump(copy)), expected_);
  // Blocks are cut at the 2h block range.
  const nlohmann::json copy_list = ListJson(copy);
  for (const auto& b : copy_list["blocks"]) {
    const int64_t lo = b["minTime"].get<int64_t>();
    const int64_t hi = b["maxTime"].get<int64_t>() - 1;
    EXPECT_EQ(lo / 7200000, hi / 7200000) << b.dump();
  }
  // The imported dir opens in the library with every sample.
  Options o;
  o.background_compaction = false;
  auto db = DB::Open(o, copy);
  ASSERT_TRUE(db.ok());
  auto q = (*db)->NewQuerier(std::numeric_limits<int64_t>::min(),
                             std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(q.ok());
  auto set = (*q)->Select({Matcher::Equal("__name__", "test_metric")});
  int64_t n = 0;
  while (set->Next()) {
    auto it = set->At().NewIterator();
    while (it->Next()) ++n;
  }
  EXPECT_EQ(n, kSeriesPerMetric * kSamplesPerSeries);
}

TEST_F(StrataTsdbTest, ImportOpenMetricsAddsLabelsAndReportsErrors) {
  const std::string om = (root_ / "in.om").string();
  std::ofstream(om) << "# TYPE a gauge\na{x=\"1\"} 1.5 1700000000.25\n"
                       "a{x=\"1\"} 2 1700000015\n# EOF\n";
  RunResult r = Tsdb(data_, "--json import openmetrics --label env=prod " + om);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["samples"], 2);
  EXPECT_EQ(r.err, "");  // No WAL here: nothing to warn about.
  EXPECT_EQ(SortedLines(Dump(data_)),
            (std::vector<std::string>{
                "{__name__=\"a\", env=\"prod\", x=\"1\"} 1.5 1700000000250",
                "{__name__=\"a\", env=\"prod\", x=\"1\"} 2 1700000015000"}));
  std::ofstream(om) << "a{x=\"1\"} 1 1700000000\nbroken line\n";
  RunResult bad = Tsdb(data_, "import openmetrics " + om);
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("line 2"), std::string::npos) << bad.err;
}

TEST_F(StrataTsdbTest, ImportAboveTheHeadBoundaryWarns) {
  MakeData();
  const std::string om = (root_ / "late.om").string();
  std::ofstream(om) << "late 1 " << (kT0 + 12 * 3600000) / 1000 << "\n";
  RunResult r = Tsdb(data_, "import openmetrics " + om);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: the newest block now ends at"),
            std::string::npos)
      << r.err;
  // Backfill older than the head does not warn.
  std::ofstream(om) << "early 1 " << (kT0 - 24 * 3600000) / 1000 << "\n";
  r = Tsdb(data_, "import openmetrics " + om);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(StrataTsdbTest, ImportPromtoolCreatedDirMatchesPromtoolDump) {
  if (!HavePromtool()) STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
  const std::string om = (root_ / "in.om").string();
  {
    std::ofstream out(om);
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 700; ++j) {
        out << "backfill_total{shard=\"" << i << "\"} " << (j * 0.25 + i) << " "
            << (kT0 / 1000 + j * 30) << "." << (j * 37) % 1000 << "\n";
      }
    }
    out << "# EOF\n";
  }
  const std::string prom = (root_ / "prom").string();
  RunResult c =
      Sh("promtool tsdb create-blocks-from openmetrics " + om + " " + prom);
  ASSERT_EQ(c.code, 0) << c.err << c.out;
  fs::create_directories(prom + "/wal");
  RunResult pd = Sh("promtool tsdb dump " + prom);
  ASSERT_EQ(pd.code, 0) << pd.err;
  const auto want = SortedLines(pd.out);
  ASSERT_EQ(want.size(), 3500u);
  RunResult r = Tsdb(data_, "import prometheus " + prom);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(SortedLines(Dump(data_)), want);
  // Again: every block is already there.
  RunResult again = Tsdb(data_, "--json import prometheus " + prom);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(SortedLines(Dump(data_)), want);
  // The same file through our importer gives the same samples too.
  const std::string direct = (root_ / "direct").string();
  ASSERT_EQ(Tsdb(direct, "import openmetrics " + om).code, 0);
  EXPECT_EQ(SortedLines(Dump(direct)), want);
}

TEST_F(StrataTsdbTest, ImportOfARealPrometheusWalMatchesPromtoolDump) {
  if (!HavePromtool() || Sh("prometheus --version").code != 0) {
    STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus or promtool");
  }
  // Prometheus 2.42 scraping itself every 200ms for 9s: a head in its WAL.
  // Another test may take the port between our check and Prometheus's
  // bind; then Prometheus exits at once, and we try another port.
  const std::string prom = (root_ / "prom").string();
  for (int attempt = 0; attempt < 3 && !fs::exists(prom + "/wal"); ++attempt) {
    const int port = strata::testing::FreeLoopbackPort();
    ASSERT_GT(port, 0);
    const std::string cfg = (root_ / "prom.yml").string();
    std::ofstream(cfg) << "global:\n  scrape_interval: 200ms\n"
                          "scrape_configs:\n  - job_name: self\n"
                          "    static_configs:\n      - targets: ['127.0.0.1:"
                       << port << "']\n";
    Sh("timeout -s INT 9 prometheus --config.file=" + cfg +
       " --storage.tsdb.path=" + prom + " --web.listen-address=127.0.0.1:" +
       std::to_string(port) + " >/dev/null 2>&1");
  }
  RunResult pd = Sh("promtool tsdb dump " + prom);
  ASSERT_EQ(pd.code, 0) << pd.err;
  const auto want = SortedLines(pd.out);
  ASSERT_GT(want.size(), 100u);
  RunResult r = Tsdb(data_, "import prometheus " + prom);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(SortedLines(Dump(data_)), want);
  EXPECT_EQ(Tsdb(prom, "verify").code, 0);
}

TEST_F(StrataTsdbTest, ImportPrometheusReadsItsWal) {
  MakeData();  // Strata's WAL is Prometheus's format: use it as a source.
  RunResult r = Tsdb((root_ / "dst").string(), "import prometheus " + data_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(SortedLines(Dump((root_ / "dst").string())), expected_);
}

TEST_F(StrataTsdbTest, ExportedBlocksOpenInPromtool) {
  if (!HavePromtool()) STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
  MakeData();
  const std::string out = (root_ / "export").string();
  RunResult r = Tsdb(data_, "export --format prometheus-blocks " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  fs::create_directories(out + "/wal");
  RunResult pd = Sh("promtool tsdb dump " + out);
  ASSERT_EQ(pd.code, 0) << pd.err;
  EXPECT_EQ(SortedLines(pd.out), expected_);
  // A selection, as OpenMetrics.
  const std::string om = (root_ / "export.om").string();
  r = Tsdb(data_, "export --format openmetrics --match other_metric " + om);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string om_text = ReadText(om);
  EXPECT_TRUE(om_text.ends_with("# EOF\n"));
  EXPECT_EQ(SortedLines(om_text).size(),
            static_cast<size_t>(kSeriesPerMetric * kSamplesPerSeries) + 1);
}

// Issue 19: a block with dense chunks (the cold tier) is read by dump,
// verify and analyze, and `export --format prometheus-blocks` turns it
// back into blocks promtool 2.42 reads.
TEST_F(StrataTsdbTest, DenseBlocksReadByEverySubcommand) {
  if (!HavePromtool()) STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
  MakeData(/*dense_after_ms=*/3600000);
  const std::string block = FirstBlock(data_);
  ASSERT_NE(ReadText(block + "/meta.json").find("strata-dense-chunks"),
            std::string::npos);
  EXPECT_EQ(SortedLines(Dump(data_)), expected_);
  RunResult v = Tsdb(data_, "--json verify");
  ASSERT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_TRUE(nlohmann::json::parse(v.out)["problems"].empty()) << v.out;
  RunResult a = Tsdb(data_, "--json analyze");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(nlohmann::json::parse(a.out)["samples"],
            2 * kSeriesPerMetric * 480);  // The 2 h block, 15 s apart.
  const std::string out = (root_ / "export").string();
  RunResult r = Tsdb(data_, "export --format prometheus-blocks " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  for (const auto& e : fs::directory_iterator(out)) {
    if (fs::exists(e.path() / "meta.json")) {
      EXPECT_EQ(ReadText((e.path() / "meta.json").string())
                    .find("strata-dense-chunks"),
                std::string::npos);
    }
  }
  fs::create_directories(out + "/wal");
  RunResult pd = Sh("promtool tsdb dump " + out);
  ASSERT_EQ(pd.code, 0) << pd.err;
  EXPECT_EQ(SortedLines(pd.out), expected_);
  // The dense block's index is the compact one; the exported blocks'
  // indexes are Prometheus's.
  EXPECT_EQ(ReadText(block + "/index").substr(0, 4), "STCI");
  for (const auto& e : fs::directory_iterator(out)) {
    if (fs::exists(e.path() / "index")) {
      EXPECT_EQ(ReadText((e.path() / "index").string()).substr(0, 4),
                std::string("\xBA\xAA\xD7\x00", 4));
    }
  }
  // A damaged compact index: verify names the file and the checksum.
  FlipByte(block + "/index", fs::file_size(block + "/index") / 2);
  RunResult bad = Tsdb(data_, "--json verify");
  EXPECT_EQ(bad.code, 1) << bad.out << bad.err;
  const nlohmann::json bj = nlohmann::json::parse(bad.out);
  bool named = false;
  for (const auto& p : bj["problems"]) {
    named = named || (p["file"].get<std::string>() == block + "/index" &&
                      p.dump().find("compact index") != std::string::npos);
  }
  EXPECT_TRUE(named) << bj["problems"].dump(1);
}

TEST_F(StrataTsdbTest, VerifyNamesAFlippedByteInEachFileKind) {
  MakeData();
  // Tombstones with content, so that file has entries to damage.
  ASSERT_EQ(Tsdb(data_, "delete --match 'test_metric{i=\"9\"}' --max-time " +
                            std::to_string(kT0 + 600000))
                .code,
            0);
  RunResult ok = Tsdb(data_, "--json verify");
  ASSERT_EQ(ok.code, 0) << ok.out << ok.err;
  EXPECT_TRUE(nlohmann::json::parse(ok.out)["problems"].empty());
  const std::string block_name = fs::path(FirstBlock(data_)).filename();
  std::string wal_segment;
  int64_t wal_size = 0;
  for (const auto& e : fs::directory_iterator(data_ + "/wal")) {
    if (e.is_regular_file() && static_cast<int64_t>(e.file_size()) > wal_size) {
      wal_segment = e.path().filename();
      wal_size = static_cast<int64_t>(e.file_size());
    }
  }
  ASSERT_GT(wal_size, 3 * 32768) << "want a WAL of several pages";
  struct Case {
    std::string rel;  // File to damage, relative to the data dir.
    int64_t offset;
  };
  const std::string b = block_name + "/";
  const int64_t index_size = fs::file_size(data_ + "/" + b + "index");
  const std::vector<Case> cases = {
      {b + "index", index_size / 3},
      {b + "chunks/000001", 100},
      {b + "meta.json", 0},
      {b + "tombstones", 6},
      {"wal/" + wal_segment, wal_size / 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rel);
    const std::string dir = (root_ / "flip").string();
    fs::remove_all(dir);
    fs::copy(data_, dir, fs::copy_options::recursive);
    FlipByte(dir + "/" + c.rel, c.offset);
    RunResult r = Tsdb(dir, "--json verify");
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("problem(s) found"), std::string::npos) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_FALSE(j["problems"].empty());
    bool named = false;
    for (const auto& p : j["problems"]) {
      named = named || p["file"].get<std::string>() == dir + "/" + c.rel;
    }
    EXPECT_TRUE(named) << j["problems"].dump(1);
    if (c.rel.find("chunks") != std::string::npos) {
      bool with_series = false;
      for (const auto& p : j["problems"]) {
        with_series =
            with_series || (p.contains("series") && p.contains("offset"));
      }
      EXPECT_TRUE(with_series) << j["problems"].dump(1);
    }
  }
}

TEST_F(StrataTsdbTest, RepairKeepsEveryReadableSeriesAndTheQuarantine) {
  MakeData();
  const auto before = BySeries(Dump(data_));
  const std::string block = FirstBlock(data_);
  const std::string name = fs::path(block).filename();
  const std::string chunk_file = block + "/chunks/000001";
  const std::string original = ReadText(chunk_file);
  FlipByte(chunk_file, 100);
  RunResult v = Tsdb(data_, "--json verify");
  ASSERT_EQ(v.code, 1);
  std::set<std::string> damaged;
  const nlohmann::json vj = nlohmann::json::parse(v.out);
  for (const auto& p : vj["problems"]) {
    if (p.contains("series")) damaged.insert(p["series"].get<std::string>());
  }
  ASSERT_EQ(damaged.size(), 1u);
  RunResult r = Tsdb(data_, "--json verify --repair");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  // Nothing deleted: the damaged block is in quarantine, byte for byte.
  const std::string q = data_ + "/quarantine/" + name;
  ASSERT_TRUE(fs::exists(q + "/index"));
  std::string damaged_bytes = original;
  damaged_bytes[100] ^= 0x5a;
  EXPECT_EQ(ReadText(q + "/chunks/000001"), damaged_bytes);
  EXPECT_FALSE(fs::exists(block));
  // Every series is still there; all but the damaged one fully.
  const auto after = BySeries(Dump(data_));
  ASSERT_EQ(after.size(), before.size());
  int partial = 0;
  for (const auto& [series, lines] : before) {
    ASSERT_TRUE(after.count(series)) << series;
    if (after.at(series) != lines) {
      ++partial;
      EXPECT_LT(after.at(series).size(), lines.size());
    }
  }
  EXPECT_EQ(partial, 1);
  EXPECT_EQ(Tsdb(data_, "verify").code, 0);
  // And the library opens the repaired dir.
  Options o;
  o.background_compaction = false;
  EXPECT_TRUE(DB::Open(o, data_).ok());
}

TEST_F(StrataTsdbTest, RepairOfMetaOrTombstonesKeepsEverySample) {
  MakeData();
  const std::string dump = Dump(data_);
  const std::string name = fs::path(FirstBlock(data_)).filename();
  for (const char* file : {"meta.json", "tombstones"}) {
    SCOPED_TRACE(file);
    const std::string dir = (root_ / "r").string();
    fs::remove_all(dir);
    fs::copy(data_, dir, fs::copy_options::recursive);
    FlipByte(dir + "/" + name + "/" + file,
             std::string(file) == "meta.json" ? 0 : 5);
    ASSERT_EQ(Tsdb(dir, "verify").code, 1);
    RunResult r = Tsdb(dir, "verify --repair");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_TRUE(fs::exists(dir + "/quarantine/" + name + "/" + file));
    EXPECT_FALSE(fs::exists(dir + "/" + name));
    EXPECT_EQ(SortedLines(Dump(dir)), SortedLines(dump));
  }
}

TEST_F(StrataTsdbTest, RepairOfAWalSegmentKeepsTheRecordsAfterTheDamage) {
  MakeData();
  const auto before = BySeries(Dump(data_));
  std::string seg;
  int64_t size = 0;
  for (const auto& e : fs::directory_iterator(data_ + "/wal")) {
    if (e.is_regular_file() && static_cast<int64_t>(e.file_size()) > size) {
      seg = e.path().filename();
      size = static_cast<int64_t>(e.file_size());
    }
  }
  const std::string original = ReadText(data_ + "/wal/" + seg);
  FlipByte(data_ + "/wal/" + seg, size / 2);
  RunResult r = Tsdb(data_, "--json verify --repair");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["repair"]["walRecordsSalvaged"].get<int64_t>(), 0);
  // The damaged segment's original bytes are kept.
  bool kept = false;
  for (const auto& e :
       fs::recursive_directory_iterator(data_ + "/quarantine")) {
    if (e.path().filename() == seg &&
        e.path().parent_path().filename() == "original") {
      std::string got = ReadText(e.path().string());
      std::string want = original;
      want[size / 2] ^= 0x5a;
      kept = got == want;
    }
  }
  EXPECT_TRUE(kept);
  // Every series is still there; at most the damaged page's samples lost.
  const auto after = BySeries(Dump(data_));
  EXPECT_EQ(after.size(), before.size());
  int64_t lost = 0;
  for (const auto& [series, lines] : before) {
    lost +=
        static_cast<int64_t>(lines.size()) -
        static_cast<int64_t>(after.count(series) ? after.at(series).size() : 0);
  }
  EXPECT_GE(lost, 0);
  EXPECT_LT(lost, 2 * kSeriesPerMetric * 200) << "lost " << lost;
  EXPECT_EQ(Tsdb(data_, "verify").code, 0);
}

TEST_F(StrataTsdbTest, DeleteDryRunThenTombstonesThenClean) {
  MakeData();
  const std::string sel = "--match 'test_metric{i=~\"1|2\"}'";
  RunResult dry = Tsdb(data_, "--json delete --dry-run " + sel);
  ASSERT_EQ(dry.code, 0) << dry.err;
  auto j = nlohmann::json::parse(dry.out);
  EXPECT_EQ(j["series"], 2);
  EXPECT_EQ(j["samples"], 2 * kSamplesPerSeries);
  EXPECT_EQ(SortedLines(Dump(data_)), expected_);  // Unchanged.
  RunResult del = Tsdb(data_, "delete " + sel);
  ASSERT_EQ(del.code, 0) << del.err;
  std::vector<std::string> want;
  for (const std::string& l : expected_) {
    if (l.find("test_metric\", i=\"1\"") == std::string::npos &&
        l.find("test_metric\", i=\"2\"") == std::string::npos) {
      want.push_back(l);
    }
  }
  EXPECT_EQ(SortedLines(Dump(data_)), want);
  int64_t stones = 0;
  nlohmann::json listed = ListJson(data_);
  for (const auto& b : listed["blocks"]) {
    stones += b["numTombstones"].get<int64_t>();
  }
  EXPECT_GT(stones, 0);
  RunResult clean = Tsdb(data_, "delete --clean " + sel);
  ASSERT_EQ(clean.code, 0) << clean.err;
  stones = 0;
  listed = ListJson(data_);
  for (const auto& b : listed["blocks"]) {
    stones += b["numTombstones"].get<int64_t>();
  }
  EXPECT_EQ(stones, 0);
  EXPECT_EQ(SortedLines(Dump(data_)), want);
}

TEST_F(StrataTsdbTest, OfflineBackupIsIncrementalAndRestores) {
  MakeData();
  const std::string backup = (root_ / "backup").string();
  RunResult first = Tsdb(data_, "--json backup " + backup);
  ASSERT_EQ(first.code, 0) << first.err;
  auto j1 = nlohmann::json::parse(first.out);
  EXPECT_GE(j1["blocksCopied"].get<int64_t>(), 1);
  EXPECT_EQ(j1["blocksSkipped"], 0);
  RunResult second = Tsdb(data_, "--json backup " + backup);
  ASSERT_EQ(second.code, 0) << second.err;
  auto j2 = nlohmann::json::parse(second.out);
  EXPECT_GE(j2["blocksSkipped"].get<int64_t>(), 1);  // Persisted blocks.
  const std::string restored = (root_ / "restored").string();
  RunResult r = Tsdb(restored, "restore " + backup);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(SortedLines(Dump(restored)), expected_);
  // Restoring again copies nothing new.
  RunResult again = Tsdb(restored, "--json restore " + backup);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["blocksCopied"], 0);
  // A damaged block in the backup is refused, naming it.
  const std::string blk = FirstBlock(backup);
  FlipByte(blk + "/chunks/000001", 100);
  const std::string other = (root_ / "other").string();
  RunResult bad = Tsdb(other, "restore " + backup);
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find(fs::path(blk).filename().string()), std::string::npos)
      << bad.err;
}

TEST_F(StrataTsdbTest, AnalyzeCardinalityChurnFullnessAndBytes) {
  MakeData();
  // One more block with a new series and one series fewer, for churn.
  const std::string om = (root_ / "extra.om").string();
  {
    std::ofstream out(om);
    for (int i = 1; i <= kSeriesPerMetric; ++i) {  // i=0 gone, i=10 new.
      for (int j = 0; j < 240; ++j) {
        out << "test_metric{i=\"" << i << "\"} " << j << " "
            << (kT0 - 7200000) / 1000 + j * 30 << "\n";
      }
    }
  }
  ASSERT_EQ(Tsdb(data_, "import openmetrics " + om).code, 0);
  RunResult r = Tsdb(data_, "--json analyze --limit 3");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  // The newest block by time is the one MakeData persisted.
  EXPECT_EQ(j["series"], 2 * kSeriesPerMetric);
  EXPECT_EQ(j["samples"], 2 * kSeriesPerMetric * 480);
  ASSERT_EQ(j["metrics"].size(), 2u);
  EXPECT_EQ(j["metrics"][0]["count"], kSeriesPerMetric);
  EXPECT_EQ(j["labelNamesByValues"][0]["name"], "i");
  EXPECT_EQ(j["labelNamesByValues"][0]["count"], kSeriesPerMetric);
  EXPECT_EQ(j["labelPairs"].size(), 3u);
  EXPECT_EQ(j["labelPairs"][0]["count"], kSeriesPerMetric);
  EXPECT_EQ(j["labelValuesBySeries"]["i"].size(), 3u);
  EXPECT_EQ(j["labelValuesBySeries"]["i"][0]["count"], 2);
  int64_t full = 0;
  for (const auto& b : j["chunkFullness"]) full += b["chunks"].get<int64_t>();
  EXPECT_EQ(full, j["chunks"].get<int64_t>());
  EXPECT_GT(j["indexBytesPerSample"].get<double>(), 0);
  EXPECT_GT(j["chunkBytesPerSample"].get<double>(), 0);
  EXPECT_LT(j["chunkBytesPerSample"].get<double>(), 4);
  // Churn: the imported (older) block first, then MakeData's.
  ASSERT_EQ(j["churn"].size(), 2u);
  EXPECT_EQ(j["churn"][0]["created"], kSeriesPerMetric);
  EXPECT_EQ(j["churn"][1]["created"], kSeriesPerMetric + 1);  // i=0, others.
  EXPECT_EQ(j["churn"][1]["removed"], 1);                     // i=10.
  // --match and --block.
  const std::string newest = j["churn"][1]["block"];
  r = Tsdb(data_, "--json analyze --match other_metric --block " + newest);
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["block"], newest);
  EXPECT_EQ(j["metrics"].size(), 1u);
  r = Tsdb(data_, "--json analyze --block head");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["series"], 2 * kSeriesPerMetric);
  EXPECT_NE(Tsdb(data_, "analyze --block 01ARZ3NDEKTSV4RRFFQ69G5FAV").code, 0);
  // Text output has every section.
  r = Tsdb(data_, "analyze");
  for (const char* s : {"Highest cardinality metric names", "label pairs",
                        "Churn", "Chunk fullness", "Bytes per sample"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace strata
