// The memory each server needs per series with hours of data in its head,
// both holding exactly the same samples (`--scenario=head-memory`).
//
// Prometheus 2.42 takes remote writes of 1M series at about 90k samples/s
// on one core, so filling its head with 2 h of data that way takes about
// 90 minutes. Both servers instead open the same write-ahead log:
//   1. strata-server, WAL uncompressed (the format Prometheus 2.42 reads;
//      lib/wal/FORMAT.md), takes the `history` rounds by remote write; its
//      RSS after that ingest and `settle_s` idle is recorded, then it is
//      killed (-9), so the WAL holds every sample and nothing else does;
//   2. each server in turn (Prometheus first) starts on a data dir holding
//      only a copy of that WAL: start to ready, head series, RSS after
//      `settle_s`;
//   3. then takes the `tail` rounds (the same series, continuing) by remote
//      write, every sample counted, and its RSS after `settle_s` idle is
//      the steady figure: per series, it is what the issue compares.
// Both are pinned to the same CPUs, one at a time.
#ifndef STRATA_BENCH_COMPARE_HEAD_MEMORY_BENCH_H_
#define STRATA_BENCH_COMPARE_HEAD_MEMORY_BENCH_H_

#include <cstdint>
#include <string>

#include "ingest_driver.h"
#include "server_bench.h"
#include "workload.h"

namespace strata::bench {

struct HeadMemoryOptions {
  std::string work_dir;  // Data dirs and logs go in <work_dir>/head-memory/.
  IngestOptions ingest;
  double settle_s = 30;  // Idle time before each RSS reading.
  bool keep_data = false;
};

// One server opening the shared WAL, then taking the tail.
struct OpenedHeadReport {
  std::string name;
  std::string version;
  std::string error;  // Set when a step failed; later figures stay unset.
  std::string log_path;
  double open_s = -1;              // Start to ready on the WAL copy.
  double series_after_open = -1;   // Head series once ready.
  int64_t rss_after_open = 0;      // After settle_s idle.
  IngestResult tail;               // The tail rounds.
  double tail_samples_added = -1;  // samples_appended_total over the tail.
  double series_after_tail = -1;
  int64_t steady_rss = 0;  // After the tail and settle_s idle.
  int64_t peak_rss = 0;    // VmHWM from start to the end of the tail.
};

struct HeadMemoryReport {
  std::string error;  // Writing the shared WAL failed.
  double series = 0;  // What the workloads hold.
  double history_samples = 0;
  double tail_samples = 0;
  int history_rounds = 0;
  int tail_rounds = 0;
  // strata-server writing the WAL through remote write.
  std::string writer_log_path;
  IngestResult history;
  double history_samples_appended = -1;
  int64_t writer_steady_rss = 0;  // After the history and settle_s idle.
  int64_t wal_bytes = 0;          // The WAL both servers open.
  OpenedHeadReport strata;
  OpenedHeadReport prometheus;
};

// Runs the sequence above; `history` is released once it has been sent.
// Never throws; failures land in the reports' `error`.
HeadMemoryReport RunHeadMemoryBench(const ServerConfig& strata,
                                    const ServerConfig& prometheus,
                                    Workload* history, const Workload& tail,
                                    const HeadMemoryOptions& options);

// True when the WAL was written, both servers opened it with every series
// and took every tail sample.
bool HeadMemoryBenchSucceeded(const HeadMemoryReport& report);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_HEAD_MEMORY_BENCH_H_
