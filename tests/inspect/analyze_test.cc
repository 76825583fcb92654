#include "inspect/analyze.h"

#include "db/db_test_util.h"
#include "gtest/gtest.h"
#include "inspect/block_builder.h"
#include "inspect/list.h"
#include "inspect/verifier.h"

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

}  // namespace
}  // namespace strata::inspect
