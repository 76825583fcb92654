// --snapshot.retention (SnapshotRetention, through the admin handler) and
// the admin backup endpoint.
#include "server/api/snapshot_retention.h"

#include <filesystem>

#include "api_request.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "remote_test_util.h"
#include "server/api/admin_handler.h"
#include "wait_for.h"

namespace strata::server {
namespace {

namespace fs = std::filesystem;
using testing::TempDB;

using testing::Post;

std::string NameAt(absl::Time t, const char* suffix = "0123456789abcdef") {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", t, absl::UTCTimeZone()) + "-" +
         suffix;
}

TEST(SnapshotRetentionTest, ParsesSnapshotNamesOnly) {
  const absl::Time t = absl::FromUnixSeconds(1795620000);
  EXPECT_EQ(SnapshotRetention::SnapshotTime(NameAt(t)), t);
  EXPECT_FALSE(SnapshotRetention::SnapshotTime("backup").has_value());
  EXPECT_FALSE(SnapshotRetention::SnapshotTime(NameAt(t, "0123456789abcdeZ"))
                   .has_value());
  EXPECT_FALSE(SnapshotRetention::SnapshotTime(NameAt(t) + ".tmp").has_value());
}

TEST(SnapshotRetentionTest, RemovesOnlyExpiredSnapshotsNotBeingWritten) {
  strata::testing::TempDir tmp("strata-snapret");
  const std::string dir = tmp.path() + "/snapshots";
  const absl::Time now = absl::Now();
  const std::string old1 = NameAt(now - absl::Hours(3), "0000000000000001");
  const std::string old2 = NameAt(now - absl::Hours(2), "0000000000000002");
  const std::string writing = NameAt(now - absl::Hours(5), "0000000000000003");
  const std::string fresh = NameAt(now - absl::Minutes(10));
  for (const std::string& n : {old1, old2, writing, fresh, std::string("mine")})
    fs::create_directories(dir + "/" + n + "/sub");
  SnapshotRetention r(dir, absl::Hours(1), absl::Hours(1));
  r.BeginWrite(writing);
  EXPECT_EQ(r.RemoveExpired(now), 2);
  EXPECT_FALSE(fs::exists(dir + "/" + old1));
  EXPECT_FALSE(fs::exists(dir + "/" + old2));
  EXPECT_TRUE(fs::exists(dir + "/" + writing));
  EXPECT_TRUE(fs::exists(dir + "/" + fresh));
  EXPECT_TRUE(fs::exists(dir + "/mine"));
  r.EndWrite(writing);
  EXPECT_EQ(r.RemoveExpired(now), 1);
  EXPECT_FALSE(fs::exists(dir + "/" + writing));
  EXPECT_TRUE(fs::exists(dir + "/" + fresh));
}

TEST(SnapshotRetentionTest, ZeroKeepsEverything) {
  strata::testing::TempDir tmp("strata-snapret");
  const std::string dir = tmp.path() + "/snapshots";
  const std::string old = NameAt(absl::Now() - absl::Hours(1000));
  fs::create_directories(dir + "/" + old);
  SnapshotRetention r(dir, absl::ZeroDuration(), absl::Seconds(1));
  EXPECT_EQ(r.RemoveExpired(absl::Now()), 0);
  EXPECT_TRUE(fs::exists(dir + "/" + old));
}

TEST(SnapshotRetentionTest, AdminSnapshotAndTimerRemoveExpired) {
  TempDB tmp;
  AdminOptions o;
  o.enabled = true;
  o.data_dir = tmp.data_dir();
  o.snapshot_retention_ms = 2000;
  o.snapshot_retention_check_ms = 100;
  const std::string snaps = tmp.data_dir() + "/snapshots";
  const std::string old = NameAt(absl::Now() - absl::Hours(1));
  fs::create_directories(snaps + "/" + old);
  fs::create_directories(snaps + "/keep-me");
  AdminHandler admin(o);
  admin.SetDB(tmp.db());
  // The timer takes the old one within its interval.
  EXPECT_TRUE(
      strata::testing::WaitFor([&] { return !fs::exists(snaps + "/" + old); },
                               std::chrono::seconds(10)));
  Request req = Post("/api/v1/admin/tsdb/snapshot");
  Response resp = admin.Snapshot(req);
  ASSERT_EQ(resp.status, 200) << resp.body;
  const std::string name =
      nlohmann::json::parse(resp.body)["data"]["name"].get<std::string>();
  EXPECT_TRUE(fs::is_directory(snaps + "/" + name));
  // Once older than 2s, the new one goes too; other directories stay.
  EXPECT_TRUE(
      strata::testing::WaitFor([&] { return !fs::exists(snaps + "/" + name); },
                               std::chrono::seconds(15)));
  EXPECT_TRUE(fs::exists(snaps + "/keep-me"));
  admin.SetDB(nullptr);
}

TEST(AdminBackupTest, BacksUpIncrementallyWithExtras) {
  TempDB tmp;
  {
    std::unique_ptr<Appender> app = tmp.db()->NewAppender();
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "m"}}),
                              1795620000000 + i * 1000, i)
                      .ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  AdminOptions o;
  o.enabled = true;
  o.data_dir = tmp.data_dir();
  int extras_calls = 0;
  o.backup_extras = [&](const std::string&) -> StatusOr<int64_t> {
    ++extras_calls;
    return int64_t{7};
  };
  AdminHandler admin(o);
  admin.SetDB(tmp.db());
  const std::string dest = tmp.dir() + "/backup";
  Request req = Post("/api/v1/admin/tsdb/backup", "dir=" + dest);
  Response resp = admin.Backup(req);
  ASSERT_EQ(resp.status, 200) << resp.body;
  auto data = nlohmann::json::parse(resp.body)["data"];
  EXPECT_EQ(data["dir"], dest);
  EXPECT_GT(data["bytesByKind"]["walSegments"].get<int64_t>(), 0);
  EXPECT_EQ(data["bytesByKind"]["metadata"].get<int64_t>(), 7);
  EXPECT_EQ(data["bytesCopied"].get<int64_t>(),
            data["bytesByKind"]["walSegments"].get<int64_t>() + 7);
  EXPECT_EQ(extras_calls, 1);
  EXPECT_TRUE(fs::is_directory(dest + "/wal"));
  // Refused: relative, inside the data directory, missing.
  for (const std::string& bad :
       {std::string("dir=relative/x"), "dir=" + tmp.data_dir() + "/b",
        std::string("")}) {
    Request r = Post("/api/v1/admin/tsdb/backup", bad);
    EXPECT_EQ(admin.Backup(r).status, 400) << bad;
  }
  admin.SetDB(nullptr);
}

}  // namespace
}  // namespace strata::server
