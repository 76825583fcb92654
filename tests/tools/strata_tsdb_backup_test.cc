// strata-tsdb backup --server against a running strata-server under
// remote-write load: the backup restores to a directory that opens and
// holds every sample acknowledged before the backup began.
#include <snappy.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "prometheus/remote.pb.h"
#include "run_command.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_env.h"
#include "wait_for.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

constexpr int kSeries = 20;
constexpr int64_t kT0 = 1700006400000;
constexpr int64_t kStep = 15000;

// One remote-write request: every series, one sample at step `j`.
std::string WriteBody(int j) {
  prometheus::WriteRequest req;
  for (int i = 0; i < kSeries; ++i) {
    prometheus::TimeSeries* ts = req.add_timeseries();
    auto* l = ts->add_labels();
    l->set_name("__name__");
    l->set_value("ingested");
    l = ts->add_labels();
    l->set_name("i");
    l->set_value(std::to_string(i));
    auto* s = ts->add_samples();
    s->set_timestamp(kT0 + j * kStep);
    s->set_value(j);
  }
  std::string raw = req.SerializeAsString(), out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

TEST(StrataTsdbBackup, OnlineBackupHoldsEverySampleAckedBeforeIt) {
  testing::TempDir tmp("strata-tsdb-backup");
  ASSERT_TRUE(tmp.ok());
  const fs::path root = tmp.path();
  const std::string data = (root / "data").string();
  const int port = e2e::FreePort();
  e2e::Process server({e2e::StrataServerPath(), "--storage.tsdb.path=" + data,
                       "--web.listen-address=127.0.0.1:" + std::to_string(port),
                       "--web.enable-admin-api", "--log.level=warn"},
                      (root / "server.log").string());
  ASSERT_TRUE(e2e::WaitForOk(port, "/-/ready", 20000)) << server.log();

  std::atomic<int> acked{0};  // Steps 0..acked-1 are acknowledged.
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread writer([&] {
    for (int j = 0; !stop.load() && j < 100000; ++j) {
      const http_client::Response r =
          e2e::Http(port, "POST", "/api/v1/write", WriteBody(j),
                    {{"Content-Type", "application/x-protobuf"},
                     {"Content-Encoding", "snappy"},
                     {"X-Prometheus-Remote-Write-Version", "0.1.0"}});
      if (r.status != 204 && r.status != 200) {
        failures.fetch_add(1);
        return;
      }
      acked.store(j + 1);
    }
  });
  const bool writing = testing::WaitFor(
      [&] { return acked.load() >= 200 || failures.load() > 0; },
      std::chrono::seconds(60));
  if (!writing || failures.load() > 0) {
    stop.store(true);
    writer.join();
    FAIL() << "remote writes did not get going: " << acked.load()
           << " acknowledged, " << failures.load() << " failed\n"
           << server.log();
  }
  const int acked_before = acked.load();
  const std::string dest = (root / "backup").string();
  int code = 0;
  std::string out = testing::RunCommand(
      testing::BinaryDir() + "/tools/strata-tsdb/strata-tsdb -d " + data +
          " backup --server http://127.0.0.1:" + std::to_string(port) + " " +
          dest + " 2>&1",
      &code);
  const int acked_after = acked.load();
  stop.store(true);
  writer.join();
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(failures.load(), 0);
  // The writer never paused: it was pushing before, during and after.
  EXPECT_GE(acked_after, acked_before);
  std::printf("acked before the backup: %d steps, after: %d\n", acked_before,
              acked_after);
  EXPECT_NE(out.find("every copy verified"), std::string::npos) << out;
  // The snapshot was this command's own; it is gone from the server's dir.
  EXPECT_TRUE(!fs::exists(data + "/snapshots") ||
              fs::is_empty(data + "/snapshots"));
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(20000), 0) << server.log();

  // Restore into a fresh directory with the tool, then open it.
  const std::string restored = (root / "restored").string();
  out = testing::RunCommand(testing::BinaryDir() +
                                "/tools/strata-tsdb/strata-tsdb -d " +
                                restored + " restore " + dest + " 2>&1",
                            &code);
  ASSERT_EQ(code, 0) << out;
  Options o;
  o.background_compaction = false;
  auto db = DB::Open(o, restored);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto q = (*db)->NewQuerier(kT0, kT0 + 1000000 * kStep);
  ASSERT_TRUE(q.ok());
  auto set = (*q)->Select({Matcher::Equal("__name__", "ingested")});
  int series = 0;
  while (set->Next()) {
    ++series;
    std::vector<int64_t> ts;
    auto it = set->At().NewIterator();
    while (it->Next()) ts.push_back(it->t());
    // Every acknowledged step before the backup, in order, no gaps.
    ASSERT_GE(ts.size(), static_cast<size_t>(acked_before))
        << set->At().labels().ToString();
    for (int j = 0; j < acked_before; ++j) {
      ASSERT_EQ(ts[j], kT0 + j * kStep) << set->At().labels().ToString();
    }
  }
  EXPECT_EQ(series, kSeries);
  ASSERT_TRUE((*db)->Close().ok());
}

}  // namespace
}  // namespace strata
