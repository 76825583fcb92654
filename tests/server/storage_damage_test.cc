// A flipped byte in a block's chunk file, seen through the server's
// pieces: the PromQL API answers with status "success", the intact series
// and a warning naming the damaged one (as Prometheus returns storage
// warnings), and /metrics counts it in strata_storage_corruptions_total.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "api_request.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/api/query_api.h"
#include "server/metrics/db_metrics.h"
#include "server/metrics/metrics.h"
#include "strata/db.h"
#include "streamed_body.h"
#include "temp_dir.h"

namespace strata::server {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kH = kMillisPerHour;

using testing::Get;

class StorageDamageTest : public ::testing::Test {
 protected:
  // Series a and b, one sample a minute over [0, 5h): block [0, 2h) holds
  // a's chunks first (label order), so the first chunk of its chunk file
  // is a's.
  void SetUp() override {
    Options options;
    options.background_compaction = false;
    options.retention_ms = 0;
    const std::string data = dir_.Join("data");
    {
      auto db = DB::Open(options, data);
      ASSERT_TRUE(db.ok());
      auto app = (*db)->NewAppender();
      for (int64_t t = 0; t < 5 * kH; t += 60000) {
        for (const char* name : {"a", "b"}) {
          ASSERT_TRUE(app->Append(Labels::Of({{"__name__", name}}), t, 1).ok());
        }
      }
      ASSERT_TRUE(app->Commit().ok());
      ASSERT_TRUE((*db)->Compact().ok());
    }
    std::string block;
    for (auto& e : fs::directory_iterator(data)) {
      const std::string n = e.path().filename().string();
      if (e.is_directory() && n.size() == 26) block = n;
    }
    ASSERT_FALSE(block.empty());
    // Segment header (8 bytes), length varint, encoding: then a's data.
    std::fstream f(data + "/" + block + "/chunks/000001",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8 + 4);
    f.put('\x7f');
    f.close();
    auto db = DB::Open(options, data);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    QueryApiOptions api_options;
    api_options.now_ms = [] { return 2 * kH; };
    api_ = std::make_unique<QueryApi>(std::move(api_options));
    api_->SetDB(db_.get());
  }

  strata::testing::TempDir dir_{"strata-storage-damage-test"};
  std::unique_ptr<DB> db_;
  std::unique_ptr<QueryApi> api_;
};

TEST_F(StorageDamageTest, QuerySucceedsWithAWarningForTheDamagedSeries) {
  // Over the block only: a's data there is damaged.
  Response r =
      api_->Query(Get("/api/v1/query", "query={__name__=~\"a|b\"}&time=3600"));
  const std::string body = BodyOf(r);
  ASSERT_EQ(r.status, 200) << body;
  auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["status"], "success");
  ASSERT_EQ(j["data"]["result"].size(), 1u) << body;
  EXPECT_EQ(j["data"]["result"][0]["metric"]["__name__"], "b");
  ASSERT_TRUE(j.contains("warnings")) << body;
  ASSERT_EQ(j["warnings"].size(), 1u) << body;
  const std::string warning = j["warnings"][0];
  EXPECT_NE(warning.find("damaged chunk data of a skipped"), std::string::npos)
      << warning;
  EXPECT_EQ(warning.find(dir_.Join("data")), std::string::npos) << warning;

  // The series endpoint warns too.
  Response s = api_->Series(Get("/api/v1/series", "match[]=a"));
  EXPECT_EQ(s.status, 200);

  MetricsRegistry registry;
  AddDBCollector(&registry, [this] { return db_.get(); });
  const std::string text = registry.RenderText();
  EXPECT_NE(text.find("strata_storage_corruptions_total{kind=\"chunk\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("strata_storage_corruptions_total{kind=\"index\"} 0"),
            std::string::npos);
}

TEST_F(StorageDamageTest, ScrubQuarantinesAndQueriesServeIntactDataCleanly) {
  auto report = db_->Scrub();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->quarantined.size(), 1u);
  Response r = api_->Query(
      Get("/api/v1/query", "query=count_over_time(b[1h])&time=3600"));
  const std::string body = BodyOf(r);
  ASSERT_EQ(r.status, 200) << body;
  auto j = nlohmann::json::parse(body);
  EXPECT_FALSE(j.contains("warnings")) << body;
  EXPECT_EQ(j["data"]["result"].size(), 1u) << body;
  MetricsRegistry registry;
  AddDBCollector(&registry, [this] { return db_.get(); });
  const std::string text = registry.RenderText();
  EXPECT_NE(text.find("strata_storage_blocks_quarantined_total 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("strata_storage_scrubs_total 1"), std::string::npos);
}

}  // namespace
}  // namespace strata::server
