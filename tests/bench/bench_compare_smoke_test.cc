// bench/compare at a tiny scale, end to end: the same generated remote
// write requests go to the real Prometheus 2.42 (Debian package) and to
// strata-server, each on a fresh data dir, through the harness's full
// sequence (ingest, RSS, queries, snapshot, kill -9 restart, restart). Both
// servers must have received every sample: their own counters, their snapshot
// blocks and, where the query API answers, count_over_time agree with what was
// sent. The TLS scenario (tls_bench.h) takes every sample over plain HTTP,
// TLS and TLS + basic auth. In the head-memory scenario Prometheus opens the
// WAL strata-server wrote (uncompressed) with every series, and both take
// the rest of the workload on top. Nothing is timed.
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "dataset.h"
#include "gtest/gtest.h"
#include "head_memory_bench.h"
#include "scrape.h"
#include "server_bench.h"
#include "temp_dir.h"
#include "test_env.h"
#include "tls_bench.h"
#include "workload.h"

namespace strata::bench {
namespace {

class BenchCompareSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }

  // The recorded dataset when present, else the harness's live fallback,
  // `rounds` rounds (from `first_round` of a workload of `whole_rounds`)
  // of one instance in requests of 500 samples.
  void TinyWorkload(Workload* workload, int rounds = 8, int first_round = 0,
                    int whole_rounds = 8) {
    Dataset dataset;
    std::string error;
    const std::string dir =
        strata::testing::SharedDir() + "/datasets/recorded-15s";
    if (!LoadRecorded(dir + "/data.om.zst", dir + "/metadata.json", &dataset,
                      &error)) {
      ScrapeOptions so;
      so.work_dir = work_dir_;
      so.scrapes = 3;
      ASSERT_TRUE(ScrapeLive(so, &dataset, &error)) << error;
    }
    ASSERT_FALSE(dataset.series.empty());

    WorkloadOptions wo;
    wo.instances = 1;
    wo.rounds = rounds;
    wo.first_round = first_round;
    wo.samples_per_request = 500;  // Several shards over 2 connections.
    wo.first_round_ms = FirstRoundMsEndingBefore(now_ms_, whole_rounds);
    ASSERT_TRUE(BuildWorkload(dataset, wo, workload, &error)) << error;
    ASSERT_EQ(workload->samples,
              static_cast<int64_t>(dataset.series.size()) * wo.rounds);
  }

  const std::string strata_ =
      strata::testing::BinaryDir() + "/tools/strata-server/strata-server";
  const std::string prometheus_ = "/usr/bin/prometheus";
  // One grid for every workload of a test.
  const int64_t now_ms_ =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  strata::testing::TempDir tmp_{"strata-bench-compare-test"};
  const std::string work_dir_ = tmp_.path();
};

TEST_F(BenchCompareSmokeTest, BothServersReceiveEverySample) {
  const std::string& strata = strata_;
  const std::string& prometheus = prometheus_;
  ASSERT_TRUE(std::filesystem::exists(strata)) << strata;
  ASSERT_TRUE(std::filesystem::exists(prometheus))
      << "install the prometheus package";
  Workload workload;
  ASSERT_NO_FATAL_FAILURE(TinyWorkload(&workload));

  BenchOptions bo;
  bo.work_dir = work_dir_;
  bo.ingest.connections = 2;
  bo.settle_s = 0.1;
  bo.query_repetitions = 1;

  const ServerReport prom = RunServerBench(
      {ServerKind::kPrometheus, "prometheus", prometheus, {}, {}}, workload,
      bo);
  const ServerReport strat = RunServerBench(
      {ServerKind::kStrata, "strata-server", strata, {}, {}}, workload, bo);

  const double samples = static_cast<double>(workload.samples);
  const double series = static_cast<double>(workload.series);
  for (const ServerReport* r : {&prom, &strat}) {
    SCOPED_TRACE(r->name + " (log " + r->log_path + ")");
    EXPECT_EQ(r->error, "");
    EXPECT_EQ(r->ingest.failed, 0) << r->ingest.first_error;
    EXPECT_EQ(r->ingest.requests,
              static_cast<int64_t>(workload.request_count()));
    EXPECT_EQ(r->samples_appended, samples);
    EXPECT_EQ(r->head_series, series);
    EXPECT_EQ(r->snapshot_samples, workload.samples);
    EXPECT_GT(r->snapshot_bytes, 0);
    EXPECT_GE(r->snapshot_blocks, 1);
    EXPECT_GT(r->crash_restart_s, 0);
    EXPECT_EQ(r->series_after_crash_restart, series);
    EXPECT_TRUE(r->clean_stop);
    EXPECT_GT(r->restart_s, 0);
    EXPECT_EQ(r->series_after_restart, series);
    EXPECT_GT(r->peak_rss, 0);
    EXPECT_GT(r->steady_rss, 0);
    // Server CPU is read in clock ticks (10 ms): strata-server may ingest
    // this workload (12k samples) in less than one.
    EXPECT_GE(r->ingest.cpu_s, 0);
  }
  EXPECT_GT(prom.ingest.cpu_s, 0);
  // Prometheus's query API always answers; strata-server's where present.
  EXPECT_EQ(prom.samples_by_query, samples);
  if (strat.query_api_status != 404) {
    EXPECT_EQ(strat.samples_by_query, samples);
  }
  // The dashboard queries ran on Prometheus, and where strata-server
  // answers them they cover the same series.
  ASSERT_FALSE(prom.queries.empty());
  ASSERT_EQ(prom.queries.size(), strat.queries.size());
  for (size_t i = 0; i < prom.queries.size(); ++i) {
    SCOPED_TRACE(prom.queries[i].query);
    EXPECT_EQ(prom.queries[i].error, "");
    EXPECT_GE(prom.queries[i].result_series, 0);
    EXPECT_EQ(prom.queries[i].latencies_ms.size(), 1u);
    EXPECT_GE(prom.queries[i].peak_rss_above, 0);
    if (strat.queries[i].supported) {
      EXPECT_EQ(strat.queries[i].error, "");
      EXPECT_EQ(strat.queries[i].result_series, prom.queries[i].result_series);
    }
  }
}

TEST_F(BenchCompareSmokeTest, TlsScenarioTakesEverySampleOverEachTransport) {
  ASSERT_TRUE(std::filesystem::exists(strata_)) << strata_;
  Workload workload;
  ASSERT_NO_FATAL_FAILURE(TinyWorkload(&workload));
  TlsBenchOptions options;
  options.work_dir = work_dir_;
  options.ingest.connections = 2;
  options.runs = 1;
  options.handshakes = 10;
  const TlsReport report =
      RunTlsBench({ServerKind::kStrata, "strata-server", strata_, {}, {}},
                  workload, options);
  EXPECT_EQ(report.error, "");
  ASSERT_EQ(report.modes.size(), 3u);
  for (const TransportReport& mode : report.modes) {
    SCOPED_TRACE(mode.name);
    ASSERT_EQ(mode.runs.size(), 1u);
    const TransportRun& run = mode.runs[0];
    EXPECT_EQ(run.error, "");
    EXPECT_EQ(run.ingest.failed, 0) << run.ingest.first_error;
    EXPECT_EQ(run.ingest.requests,
              static_cast<int64_t>(workload.request_count()));
    EXPECT_EQ(run.samples_appended, static_cast<double>(workload.samples));
    EXPECT_EQ(run.handshakes_ok, 10);
  }
  EXPECT_TRUE(TlsBenchSucceeded(report));
}

TEST_F(BenchCompareSmokeTest, HeadMemoryBothServersOpenTheSameWal) {
  ASSERT_TRUE(std::filesystem::exists(strata_)) << strata_;
  ASSERT_TRUE(std::filesystem::exists(prometheus_))
      << "install the prometheus package";
  Workload history, tail;
  ASSERT_NO_FATAL_FAILURE(TinyWorkload(&history, 8, 0, 10));
  ASSERT_NO_FATAL_FAILURE(TinyWorkload(&tail, 2, 8, 10));
  const double series = static_cast<double>(history.series);
  const double history_samples = static_cast<double>(history.samples);
  HeadMemoryOptions options;
  options.work_dir = work_dir_;
  options.ingest.connections = 2;
  options.settle_s = 0.1;
  const HeadMemoryReport report = RunHeadMemoryBench(
      {ServerKind::kStrata, "strata-server", strata_, {}, {}},
      {ServerKind::kPrometheus, "prometheus", prometheus_, {}, {}}, &history,
      tail, options);
  EXPECT_EQ(report.error, "") << report.writer_log_path;
  EXPECT_EQ(report.history_samples_appended, history_samples);
  EXPECT_TRUE(history.requests.empty()) << "the history is released";
  EXPECT_GT(report.wal_bytes, 0);
  EXPECT_GT(report.writer_steady_rss, 0);
  for (const OpenedHeadReport* r : {&report.prometheus, &report.strata}) {
    SCOPED_TRACE(r->name + " (log " + r->log_path + ")");
    EXPECT_EQ(r->error, "");
    EXPECT_GT(r->open_s, 0);
    EXPECT_EQ(r->series_after_open, series);
    EXPECT_EQ(r->tail.failed, 0) << r->tail.first_error;
    EXPECT_EQ(r->tail_samples_added, static_cast<double>(tail.samples));
    EXPECT_EQ(r->series_after_tail, series);
    EXPECT_GT(r->rss_after_open, 0);
    EXPECT_GT(r->steady_rss, 0);
    EXPECT_GE(r->peak_rss, r->rss_after_open);
  }
  EXPECT_TRUE(HeadMemoryBenchSucceeded(report));
}

}  // namespace
}  // namespace strata::bench
