// Online backup of a running strata-server (strata-tsdb backup --server),
// twice, then restore into a fresh data directory and a server started on
// it: the second backup copies only the new WAL bytes, and the restored
// server answers the same samples (bit for bit, by remote read), the same
// query and the same /api/v1/metadata. Then the offline path on the
// stopped server's directory.
#include <snappy.h>

#include <cstdio>
#include <filesystem>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "prometheus/remote.pb.h"
#include "run_command.h"
#include "temp_dir.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

constexpr int kSeries = 30;
constexpr int64_t kT0 = 1700006400000;
constexpr int64_t kStep = 15000;

std::string Tsdb() {
  return fs::path(e2e::StrataServerPath())
             .parent_path()
             .parent_path()
             .string() +
         "/strata-tsdb/strata-tsdb";
}

// Steps [from, to) of every series, with metric metadata.
std::string WriteBody(int from, int to) {
  prometheus::WriteRequest req;
  for (int i = 0; i < kSeries; ++i) {
    prometheus::TimeSeries* ts = req.add_timeseries();
    auto* l = ts->add_labels();
    l->set_name("__name__");
    l->set_value(i % 2 ? "jobs_total" : "queue_depth");
    l = ts->add_labels();
    l->set_name("i");
    l->set_value(std::to_string(i));
    for (int j = from; j < to; ++j) {
      auto* s = ts->add_samples();
      s->set_timestamp(kT0 + j * kStep);
      s->set_value(j * 1.1 + i / 3.0);
    }
  }
  auto* md = req.add_metadata();
  md->set_type(prometheus::MetricMetadata::COUNTER);
  md->set_metric_family_name("jobs_total");
  md->set_help("Jobs done.");
  md = req.add_metadata();
  md->set_type(prometheus::MetricMetadata::GAUGE);
  md->set_metric_family_name("queue_depth");
  md->set_help("Jobs waiting.");
  md->set_unit("jobs");
  std::string raw = req.SerializeAsString(), out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

bool Write(int port, int from, int to) {
  const http_client::Response r =
      e2e::Http(port, "POST", "/api/v1/write", WriteBody(from, to),
                {{"Content-Type", "application/x-protobuf"},
                 {"Content-Encoding", "snappy"},
                 {"X-Prometheus-Remote-Write-Version", "0.1.0"}});
  return r.status == 204 || r.status == 200;
}

struct Server {
  Server(const std::string& data, const std::string& log)
      : port(e2e::FreePort()),
        process({e2e::StrataServerPath(), "--storage.tsdb.path=" + data,
                 "--web.listen-address=127.0.0.1:" + std::to_string(port),
                 "--web.enable-admin-api", "--log.level=warn"},
                log) {}
  int port;
  e2e::Process process;
};

// What a client sees: every sample, a query, the metadata.
struct Answers {
  e2e::SeriesSamples samples;
  std::string query;
  std::string metadata;
};

Answers Ask(int port) {
  Answers a;
  auto samples = e2e::RemoteReadAll(port, kT0, kT0 + 100000 * kStep);
  EXPECT_TRUE(samples.ok()) << samples.status().ToString();
  if (samples.ok()) a.samples = *samples;
  a.query = e2e::Http(port, "GET",
                      "/api/v1/query_range?query=sum(rate(jobs_total[5m]))"
                      "&start=" +
                          std::to_string(kT0 / 1000) + "&end=" +
                          std::to_string(kT0 / 1000 + 3000) + "&step=30")
                .body;
  a.metadata = e2e::Http(port, "GET", "/api/v1/metadata").body;
  return a;
}

nlohmann::json RunJson(const std::string& args) {
  int code = 0;
  const std::string out =
      testing::RunCommand(Tsdb() + " --json " + args + " 2>&1", &code);
  EXPECT_EQ(code, 0) << args << "\n" << out;
  try {
    return nlohmann::json::parse(out);
  } catch (const std::exception&) {
    ADD_FAILURE() << args << " printed " << out;
    return {};
  }
}

TEST(StrataTsdbRestore,
     OnlineBackupIsIncrementalAndRestoresSamplesAndMetadata) {
  testing::TempDir tmp("strata-tsdb-restore");
  ASSERT_TRUE(tmp.ok());
  const fs::path root = tmp.path();
  const std::string data = (root / "data").string();
  const std::string dest = (root / "backup").string();
  Answers before;
  {
    Server server(data, (root / "server.log").string());
    ASSERT_TRUE(e2e::WaitForOk(server.port, "/-/ready", 20000))
        << server.process.log();
    for (int j = 0; j < 200; j += 20)
      ASSERT_TRUE(Write(server.port, j, j + 20));
    nlohmann::json first = RunJson("backup --server http://127.0.0.1:" +
                                   std::to_string(server.port) + " " + dest);
    ASSERT_GT(first["bytesByKind"]["walSegments"].get<int64_t>(), 0) << first;
    EXPECT_GT(first["bytesByKind"]["metadata"].get<int64_t>(), 0) << first;

    ASSERT_TRUE(Write(server.port, 200, 202));  // A little more.
    nlohmann::json second = RunJson("backup --server http://127.0.0.1:" +
                                    std::to_string(server.port) + " " + dest);
    EXPECT_EQ(second["bytesByKind"]["blocks"], 0) << second;
    EXPECT_EQ(second["bytesByKind"]["metadata"], 0) << second;  // Unchanged.
    EXPECT_GT(second["bytesCopied"].get<int64_t>(), 0) << second;
    EXPECT_LT(second["bytesCopied"].get<int64_t>() * 5,
              first["bytesCopied"].get<int64_t>())
        << first << second;
    before = Ask(server.port);
    server.process.Signal(SIGTERM);
    ASSERT_EQ(server.process.Wait(20000), 0) << server.process.log();
  }
  EXPECT_EQ(e2e::CountSamples(before.samples), kSeries * 202);
  EXPECT_NE(before.metadata.find("Jobs waiting."), std::string::npos)
      << before.metadata;

  const std::string restored = (root / "restored").string();
  nlohmann::json r = RunJson("-d " + restored + " restore " + dest);
  EXPECT_GT(r["bytesByKind"]["walSegments"].get<int64_t>(), 0) << r;
  EXPECT_GT(r["bytesByKind"]["metadata"].get<int64_t>(), 0) << r;
  // Again: nothing left to copy.
  nlohmann::json again = RunJson("-d " + restored + " restore " + dest);
  EXPECT_EQ(again["bytesCopied"], 0) << again;
  {
    Server server(restored, (root / "restored.log").string());
    ASSERT_TRUE(e2e::WaitForOk(server.port, "/-/ready", 20000))
        << server.process.log();
    const Answers after = Ask(server.port);
    EXPECT_EQ(e2e::DescribeDifference(before.samples, after.samples), "");
    EXPECT_EQ(after.query, before.query);
    EXPECT_EQ(after.metadata, before.metadata);
    server.process.Signal(SIGTERM);
    ASSERT_EQ(server.process.Wait(20000), 0) << server.process.log();
  }

  // Offline, from the stopped server's directory: metadata too.
  const std::string offline = (root / "offline").string();
  nlohmann::json off = RunJson("-d " + data + " backup " + offline);
  EXPECT_GT(off["bytesByKind"]["metadata"].get<int64_t>(), 0) << off;
  EXPECT_TRUE(fs::exists(offline + "/remote_write_metadata"));
  EXPECT_TRUE(fs::is_directory(offline + "/wal"));
}

}  // namespace
}  // namespace strata
