#include "block/block_meta.h"

#include <gtest/gtest.h>

#include "block_test_util.h"

namespace strata {
namespace {

BlockMeta Sample() {
  BlockMeta m;
  m.ulid = Ulid::Parse("01GZ8X4Q6K3P2YJ0W6C5XN1T7R").value();
  m.min_time = 1795620000000;
  m.max_time = 1795627200000;
  m.stats = {343835, 1467, 2934, 0};
  m.compaction.level = 2;
  m.compaction.sources = {Ulid::Parse("01GZ8X4Q6K3P2YJ0W6C5XN1T7A").value(),
                          Ulid::Parse("01GZ8X4Q6K3P2YJ0W6C5XN1T7B").value()};
  m.compaction.parents = {{m.compaction.sources[0], 1, 2},
                          {m.compaction.sources[1], 2, 3}};
  return m;
}

TEST(BlockMetaTest, JsonRoundTrip) {
  const BlockMeta m = Sample();
  auto back = BlockMeta::FromJson(m.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
}

TEST(BlockMetaTest, PrometheusLayout) {
  BlockMeta m;
  m.ulid = Ulid::Parse("01GZ8X4Q6K3P2YJ0W6C5XN1T7R").value();
  m.min_time = 0;
  m.max_time = 7200000;
  m.stats = {10, 2, 2, 0};
  m.compaction.sources = {m.ulid};
  // As Go's json.MarshalIndent(meta, "", "\t") prints it; numTombstones,
  // parents, deletable and failed are omitted when empty.
  EXPECT_EQ(m.ToJson(),
            "{\n"
            "\t\"ulid\": \"01GZ8X4Q6K3P2YJ0W6C5XN1T7R\",\n"
            "\t\"minTime\": 0,\n"
            "\t\"maxTime\": 7200000,\n"
            "\t\"stats\": {\n"
            "\t\t\"numSamples\": 10,\n"
            "\t\t\"numSeries\": 2,\n"
            "\t\t\"numChunks\": 2\n"
            "\t},\n"
            "\t\"compaction\": {\n"
            "\t\t\"level\": 1,\n"
            "\t\t\"sources\": [\n"
            "\t\t\t\"01GZ8X4Q6K3P2YJ0W6C5XN1T7R\"\n"
            "\t\t]\n"
            "\t},\n"
            "\t\"version\": 1\n"
            "}");
}

TEST(BlockMetaTest, ParsesOptionalFieldsAndRejectsBadOnes) {
  auto m = BlockMeta::FromJson(
      R"({"ulid":"01GZ8X4Q6K3P2YJ0W6C5XN1T7R","minTime":-5,"maxTime":5,)"
      R"("stats":{},"compaction":{"level":1,"deletable":true},"version":1})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->min_time, -5);
  EXPECT_TRUE(m->compaction.deletable);
  EXPECT_EQ(m->stats, BlockStats{});
  for (
      const char* bad : {
          "",
          "[]",
          "{",
          R"({"ulid":"01GZ8X4Q6K3P2YJ0W6C5XN1T7R","minTime":0,"maxTime":1,"version":2})",
          R"({"ulid":"01GZ8X4Q6K3P2YJ0W6C5XN1T7R","minTime":0,"maxTime":1})",
          R"({"ulid":"nope","minTime":0,"maxTime":1,"version":1})",
          R"({"ulid":"01GZ8X4Q6K3P2YJ0W6C5XN1T7R","minTime":"0","maxTime":1,"version":1})",
          R"({"ulid":"01GZ8X4Q6K3P2YJ0W6C5XN1T7R","minTime":0.5,"maxTime":1,"version":1})",
          R"({"ulid":"01GZ8X4Q6K3P2YJ0W6C5XN1T7R","minTime":0,"maxTime":1,"version":1,"stats":{"numSamples":-1}})",
          R"({"ulid":"01GZ8X4Q6K3P2YJ0W6C5XN1T7R","minTime":0,"maxTime":1,"version":1,"compaction":{"sources":["x"]}})",
      }) {
    EXPECT_FALSE(BlockMeta::FromJson(bad).ok()) << bad;
  }
}

TEST(BlockMetaTest, FileRoundTripAndCorruption) {
  testing::TempDir dir;
  FileSystem* fs = FileSystem::Default();
  const BlockMeta m = Sample();
  auto n = WriteBlockMeta(fs, dir.path(), m);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, *fs->FileSize(dir.path() + "/meta.json"));
  EXPECT_FALSE(fs->Exists(dir.path() + "/meta.json.tmp"));
  auto back = ReadBlockMeta(fs, dir.path());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, m);
  auto f = fs->NewWritableFile(dir.path() + "/meta.json");
  ASSERT_TRUE((*f)->Append("{\"ulid\": 3}").ok());
  ASSERT_TRUE((*f)->Close().ok());
  auto bad = ReadBlockMeta(fs, dir.path());
  EXPECT_TRUE(bad.status().IsCorruption());
  EXPECT_NE(bad.status().message().find("meta.json"), std::string_view::npos);
}

}  // namespace
}  // namespace strata
