#include "inspect/analyze.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "db/db_test_util.h"
#include "gtest/gtest.h"
#include "inspect/block_builder.h"
#include "inspect/list.h"
#include "inspect/verifier.h"
#include "strata/db.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace strata::inspect {
namespace {

using strata::testing::TempDir;

constexpr int64_t kHourMs = 3600 * 1000;

Labels UpLabels(const std::string& name, const std::string& job) {
  return Labels::FromPairs(
             {Label{std::string(kMetricNameLabel), name}, Label{"job", job}})
      .value();
}

// Two 2h blocks: `up` for jobs a and b in the first, `up` for b and c in
// the second, a sample a minute.
void WriteTwoBlocks(const std::string& dir) {
  BlockBuilder b(dir);
  for (int64_t t = 0; t < 2 * kHourMs; t += 60'000) {
    ASSERT_TRUE(b.Add(UpLabels("up", "a"), t, 1).ok());
    ASSERT_TRUE(b.Add(UpLabels("up", "b"), t, 1).ok());
    ASSERT_TRUE(b.Add(UpLabels("up", "b"), t + 2 * kHourMs, 1).ok());
    ASSERT_TRUE(b.Add(UpLabels("up", "c"), t + 2 * kHourMs, 1).ok());
  }
  ASSERT_TRUE(b.Finish().ok());
  ASSERT_EQ(b.stats().blocks, 2);
  ASSERT_EQ(b.stats().written.size(), 2u);
}

TEST(AnalyzeTest, NewestBlockCardinalityChurnAndFullness) {
  TempDir dir;
  WriteTwoBlocks(dir.path());
  StatusOr<AnalyzeReport> r = Analyze(dir.path(), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->series, 2);
  EXPECT_EQ(r->samples, 2 * 120);
  EXPECT_EQ(r->chunks, 2);
  ASSERT_EQ(r->metrics.size(), 1u);
  EXPECT_EQ(r->metrics[0], (std::pair<std::string, int64_t>{"up", 2}));
  ASSERT_EQ(r->churn.size(), 2u);
  EXPECT_EQ(r->churn[0].created, 2);
  EXPECT_EQ(r->churn[1].created, 1);   // c
  EXPECT_EQ(r->churn[1].removed, 1);   // a
  EXPECT_EQ(r->chunk_fullness[5], 2);  // 120 samples each.
  EXPECT_TRUE(r->has_files);
  EXPECT_GT(r->index_bytes, 0);
  EXPECT_GT(r->chunk_bytes, 0);
}

TEST(AnalyzeTest, MatchersAndMissingBlock) {
  TempDir dir;
  WriteTwoBlocks(dir.path());
  AnalyzeOptions o;
  o.matchers = {Matcher::Create(Matcher::Type::kEqual, "job", "c").value()};
  StatusOr<AnalyzeReport> r = Analyze(dir.path(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->series, 1);
  o.block = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  EXPECT_TRUE(Analyze(dir.path(), o).status().IsNotFound());
  EXPECT_TRUE(Analyze(dir.path() + "/missing", {}).status().IsNotFound());
}

TEST(ListTest, BlocksAsPlainValues) {
  TempDir dir;
  WriteTwoBlocks(dir.path());
  StatusOr<DataDirListing> l = ListDataDir(dir.path());
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->blocks.size(), 2u);
  EXPECT_TRUE(l->blocks[0].open_error.ok());
  EXPECT_EQ(l->blocks[0].num_series, 2u);
  EXPECT_EQ(l->blocks[0].num_samples, 240u);
  EXPECT_EQ(l->blocks[0].level, 1);
  EXPECT_FALSE(l->head.has_data);
}

TEST(VerifierTest, BuiltBlocksAreClean) {
  TempDir dir;
  WriteTwoBlocks(dir.path());
  StatusOr<VerifyReport> r = VerifyDataDir(dir.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->blocks_checked, 2);
  EXPECT_EQ(r->series_checked, 4);
  EXPECT_EQ(r->errors(), 0);
  EXPECT_TRUE(VerifyDataDir(dir.path() + "/missing").status().IsNotFound());
}

// A DB holding one integer and one float native-histogram series, a
// sample a minute for 4h; Compact() persists the first 2h as a block.
// Returns that block's directory.
std::string WriteHistogramBlock(const std::string& dir) {
  Options options;
  options.background_compaction = false;
  options.enable_native_histograms = true;
  options.retention_ms = 0;
  options.dense_chunks = false;
  StatusOr<std::unique_ptr<DB>> db = DB::Open(options, dir);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return "";
  std::unique_ptr<Appender> app = (*db)->NewAppender();
  for (int64_t k = 0; k < 240; ++k) {
    Histogram h;
    h.schema = 0;
    h.zero_count = static_cast<uint64_t>(k);
    h.positive_spans = {{0, 2}};
    h.positive_buckets = {k, 1};
    h.count = static_cast<uint64_t>(3 * k + 1);
    h.sum = k * 0.5;
    const FloatHistogram fh = ToFloatHistogram(h);
    EXPECT_TRUE(
        app->AppendHistogram(UpLabels("h", "a"), k * 60'000, &h, nullptr).ok());
    EXPECT_TRUE(
        app->AppendHistogram(UpLabels("fh", "a"), k * 60'000, nullptr, &fh)
            .ok());
  }
  EXPECT_TRUE(app->Append(UpLabels("up", "a"), 0, 1).ok());
  EXPECT_TRUE(app->Commit().ok());
  EXPECT_TRUE((*db)->Compact().ok());
  const std::vector<BlockInfo> blocks = (*db)->Blocks();
  EXPECT_TRUE((*db)->Close().ok());
  EXPECT_EQ(blocks.size(), 1u);
  return blocks.empty() ? "" : dir + "/" + blocks[0].ulid;
}

TEST(AnalyzeTest, CountsHistogramChunksAndSamples) {
  TempDir dir;
  ASSERT_FALSE(WriteHistogramBlock(dir.path()).empty());
  StatusOr<AnalyzeReport> r = Analyze(dir.path(), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->series, 3);
  EXPECT_EQ(r->samples, 2 * 120 + 1);
  EXPECT_EQ(r->chunks, 3);
  EXPECT_EQ(r->histogram_chunks, 2);
  EXPECT_EQ(r->histogram_samples, 2 * 120);
  EXPECT_EQ(r->chunk_fullness[5], 2);  // 120 samples each.
}

TEST(VerifierTest, DecodesHistogramChunks) {
  TempDir dir;
  const std::string block = WriteHistogramBlock(dir.path());
  ASSERT_FALSE(block.empty());
  StatusOr<VerifyReport> r = VerifyDataDir(dir.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->errors(), 0);
  EXPECT_EQ(r->series_checked, 3);

  // The first chunk (fh's: series are written in label order) gets a
  // larger sample count in its header and a CRC to match: only decoding
  // it finds the damage.
  const std::string seg = block + "/chunks/000001";
  std::string bytes;
  {
    std::ifstream in(seg, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  constexpr size_t kSegmentHeader = 8;
  std::string_view rest = std::string_view(bytes).substr(kSegmentHeader);
  uint64_t len = 0;
  ASSERT_TRUE(GetUvarint(&rest, &len));
  const size_t encoding_at = bytes.size() - rest.size();
  ASSERT_EQ(bytes[encoding_at], 3);  // A float histogram chunk.
  const size_t data_at = encoding_at + 1;
  bytes[data_at + 1] = static_cast<char>(bytes[data_at + 1] + 1);
  EncodeBE32(
      bytes.data() + data_at + len,
      crc32c::Value(std::string_view(bytes).substr(encoding_at, len + 1)));
  {
    std::ofstream out(seg, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  r = VerifyDataDir(dir.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->errors(), 0);
  ASSERT_FALSE(r->problems.empty());
  EXPECT_NE(r->problems.front().series.find("fh"), std::string::npos)
      << r->problems.front().series << ": " << r->problems.front().what;
}

}  // namespace
}  // namespace strata::inspect
