// The harness's output: the machine and run description, and the
// Strata / Prometheus / ratio tables, as plain text for stdout and as a
// Markdown section for bench/RESULTS.md.
#ifndef STRATA_BENCH_COMPARE_REPORT_H_
#define STRATA_BENCH_COMPARE_REPORT_H_

#include <string>
#include <vector>

#include "head_memory_bench.h"
#include "rules_bench.h"
#include "server_bench.h"
#include "tls_bench.h"
#include "workload.h"

namespace strata::bench {

struct RunInfo {
  std::string date_utc;
  int nproc = 0;
  std::string cpu_model;
  std::string kernel;
  std::string strata_commit;  // git describe of the source tree, if any.
  std::string command;        // How the run was started.
  std::string scale;
  std::string dataset;   // Dataset source description.
  std::string workload;  // One-line workload description.
  std::string pinning;   // Which CPUs the servers and the driver had.
  std::string load_before, load_after;
  double total_s = 0;
};

// Fills date, nproc, CPU model, kernel, load average and the git commit of
// `source_dir`.
RunInfo CollectRunInfo(const std::string& source_dir);
std::string LoadAverage();

// The header lines every scenario's report starts with: date, machine,
// versions (empty: that server did not run), command, scale; each line
// starts with `bullet`.
std::string RunFacts(const RunInfo& info, const std::string& strata_version,
                     const std::string& prom_version, const char* bullet);

// One row per figure: strata, prometheus, strata / prometheus.
std::string TextReport(const RunInfo& info, const ServerReport* strata,
                       const ServerReport* prometheus);
std::string MarkdownReport(const RunInfo& info, const ServerReport* strata,
                           const ServerReport* prometheus);

// The rule-evaluation scenario (rules_bench.h): `info.workload` describes
// the series and rules.
std::string RulesTextReport(const RunInfo& info, const RulesReport* strata,
                            const RulesReport* prometheus);
std::string RulesMarkdownReport(const RunInfo& info, const RulesReport* strata,
                                const RulesReport* prometheus);

// The transport scenario (tls_bench.h): one row per mode (median and range
// over its runs), then one row per run.
std::string TlsTextReport(const RunInfo& info, const TlsReport& report);
std::string TlsMarkdownReport(const RunInfo& info, const TlsReport& report);

// The head-memory scenario (head_memory_bench.h, head_memory_report.cc):
// the WAL both servers open, then one row per figure.
std::string HeadMemoryTextReport(const RunInfo& info,
                                 const HeadMemoryReport& report);
std::string HeadMemoryMarkdownReport(const RunInfo& info,
                                     const HeadMemoryReport& report);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_REPORT_H_
