// The dense cold tier through the DB (issue 19): compaction gives blocks
// older than dense_after_ms dense chunks and keeps younger ones (and all,
// when dense_chunks is off) in Prometheus's XOR format; queries and the
// chunk API (remote read) answer the same either way.
#include <gtest/gtest.h>

#include <bit>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "db_test_util.h"
#include "strata/db.h"

namespace strata {
namespace {

using testing::ReadAll;
using testing::TempDir;

constexpr int64_t kH = kMillisPerHour;
constexpr int64_t kEnd = 30 * kH;

Matcher AllSeries() {
  return Matcher::Create(Matcher::Type::kRegexMatch, "__name__", ".+").value();
}

Options ColdTierOptions(bool dense) {
  Options o;
  o.background_compaction = false;
  o.retention_ms = 0;
  o.dense_chunks = dense;
  o.dense_after_ms = 6 * kH;
  return o;
}

// Counters, gauges with decimals and a stale marker, 15 s apart, [0, kEnd).
void Fill(DB& db) {
  auto app = db.NewAppender();
  for (int64_t t = 0; t < kEnd; t += 15000) {
    for (int s = 0; s < 8; ++s) {
      const Labels counter =
          Labels::Of({{"__name__", "requests_total"}, {"s", absl::StrCat(s)}});
      ASSERT_TRUE(
          app->Append(counter, t, static_cast<double>(t / 1000 * s)).ok());
      const Labels gauge =
          Labels::Of({{"__name__", "temperature"}, {"s", absl::StrCat(s)}});
      const double v = t == 7 * kH ? std::bit_cast<double>(0x7ff0000000000002)
                                   : 20.0 + (t / 15000 % 37) * 0.1 + s;
      ASSERT_TRUE(app->Append(gauge, t, v).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

struct BlockInfo {
  int64_t max_time = 0;
  bool dense = false;
  bool compact_index = false;  // The index file has the "STCI" magic.
};

// Every block's max time, whether its meta.json has the dense hint and
// whether its index is the compact one.
std::vector<BlockInfo> Blocks(const std::string& dir) {
  std::vector<BlockInfo> out;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!e.is_directory() || name.size() != 26) continue;
    std::ifstream f(e.path() / "meta.json");
    std::stringstream text;
    text << f.rdbuf();
    const std::string meta = text.str();
    BlockInfo b;
    const size_t at = meta.find("\"maxTime\": ");
    if (at != std::string::npos) b.max_time = std::stoll(meta.substr(at + 11));
    b.dense = meta.find("strata-dense-chunks") != std::string::npos;
    std::ifstream index(e.path() / "index", std::ios::binary);
    char magic[4] = {};
    index.read(magic, 4);
    b.compact_index = std::string_view(magic, 4) == "STCI";
    out.push_back(b);
  }
  return out;
}

// Compaction passes until the blocks stop changing (the cold tier
// rewrites one block per pass); bounded.
void CompactFully(DB& db, const std::string& dir) {
  for (int pass = 0; pass < 20; ++pass) {
    const std::vector<BlockInfo> before = Blocks(dir);
    ASSERT_TRUE(db.Compact().ok());
    const std::vector<BlockInfo> after = Blocks(dir);
    auto dense_count = [](const std::vector<BlockInfo>& v) {
      int n = 0;
      for (const BlockInfo& b : v) n += b.dense;
      return n;
    };
    if (after.size() == before.size() &&
        dense_count(after) == dense_count(before)) {
      return;
    }
  }
  ADD_FAILURE() << "compaction did not settle";
}

int64_t DirBytes(const std::string& dir) {
  int64_t n = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() &&
        e.path().string().find("/wal") == std::string::npos) {
      n += static_cast<int64_t>(e.file_size());
    }
  }
  return n;
}

// Every chunk the public chunk API gives is XOR (encoding 1), as remote
// read streams them; returns how many.
int CountXorChunks(DB& db) {
  auto q = db.NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_TRUE(q.ok());
  auto set = (*q)->Select({AllSeries()});
  int chunks = 0;
  while (set->Next()) {
    auto it = set->At().NewChunkIterator();
    while (it->Next()) {
      EXPECT_EQ(it->At().encoding, 1);
      ++chunks;
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  }
  EXPECT_TRUE(set->status().ok());
  return chunks;
}

TEST(DBDenseTest, CompactionMakesOldBlocksDenseAndKeepsYoungOnesXor) {
  TempDir dense_dir, xor_dir;
  auto dense = DB::Open(ColdTierOptions(true), dense_dir.path());
  auto plain = DB::Open(ColdTierOptions(false), xor_dir.path());
  ASSERT_TRUE(dense.ok() && plain.ok());
  Fill(**dense);
  Fill(**plain);
  CompactFully(**dense, dense_dir.path());
  CompactFully(**plain, xor_dir.path());

  // The newest sample is at kEnd - 15 s: blocks ending 6 h before it are
  // dense, the others XOR.
  const int64_t newest = kEnd - 15000;
  int dense_blocks = 0, young_blocks = 0;
  for (const BlockInfo& b : Blocks(dense_dir.path())) {
    const bool old = b.max_time - 1 <= newest - 6 * kH;
    EXPECT_EQ(b.dense, old) << b.max_time;
    // Dense blocks (and only they) have the compact index: the mixed
    // directory below answers like the all-XOR one.
    EXPECT_EQ(b.compact_index, old) << b.max_time;
    ++(old ? dense_blocks : young_blocks);
  }
  EXPECT_GT(dense_blocks, 0);
  EXPECT_GT(young_blocks, 0);
  for (const BlockInfo& b : Blocks(xor_dir.path())) {
    EXPECT_FALSE(b.dense);
    EXPECT_FALSE(b.compact_index);
  }
  EXPECT_LT(DirBytes(dense_dir.path()), DirBytes(xor_dir.path()));

  const auto all = AllSeries();
  EXPECT_EQ(ReadAll(**dense, {all}), ReadAll(**plain, {all}));
  EXPECT_EQ(ReadAll(**dense, {all}, 3 * kH + 7, 20 * kH - 3),
            ReadAll(**plain, {all}, 3 * kH + 7, 20 * kH - 3));
  EXPECT_EQ(CountXorChunks(**dense), CountXorChunks(**plain));
}

// Turning the cold tier off rewrites dense blocks back to XOR at the next
// compaction; the data stays the same.
TEST(DBDenseTest, DisablingDenseChunksRewritesBlocksBackToXor) {
  TempDir dir;
  std::map<std::string, std::vector<testing::TV>> before;
  const auto all = AllSeries();
  {
    auto db = DB::Open(ColdTierOptions(true), dir.path());
    ASSERT_TRUE(db.ok());
    Fill(**db);
    CompactFully(**db, dir.path());
    before = ReadAll(**db, {all});
  }
  int dense = 0;
  for (const BlockInfo& b : Blocks(dir.path())) dense += b.dense;
  ASSERT_GT(dense, 0);
  auto db = DB::Open(ColdTierOptions(false), dir.path());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(ReadAll(**db, {all}), before);  // Read as dense first.
  ASSERT_TRUE((*db)->Compact().ok());
  int still_dense = 0;  // One block converted per pass.
  for (const BlockInfo& b : Blocks(dir.path())) still_dense += b.dense;
  EXPECT_EQ(still_dense, dense - 1);
  CompactFully(**db, dir.path());
  for (const BlockInfo& b : Blocks(dir.path())) {
    EXPECT_FALSE(b.dense);
    EXPECT_FALSE(b.compact_index);  // Prometheus's index bytes again.
  }
  EXPECT_EQ(ReadAll(**db, {all}), before);
}

TEST(DBDenseTest, NegativeDenseAfterIsRefused) {
  TempDir dir;
  Options o = ColdTierOptions(true);
  o.dense_after_ms = -1;
  auto db = DB::Open(o, dir.path());
  EXPECT_TRUE(db.status().Is(StatusCode::kInvalidArgument))
      << db.status().ToString();
}

}  // namespace
}  // namespace strata
