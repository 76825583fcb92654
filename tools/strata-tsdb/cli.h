// What every strata-tsdb command shares: the global flags, how a command
// registers itself with CLI11 and hands main() the work to run, and the
// parsing of times and series selectors.
//
// Thread-safety: single-threaded process setup.
#ifndef STRATA_TOOLS_TSDB_CLI_H_
#define STRATA_TOOLS_TSDB_CLI_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "inspect/export.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata::tsdb {

struct GlobalOptions {
  std::string data_dir = "data/";
  bool json = false;
};

// A command sets `run` from its CLI11 callback; main() runs it and turns a
// non-OK Status into a one-line error and exit code 1. A command whose exit
// codes are part of its interface (check, as promtool's) sets `exit_code`,
// which main() returns when `run` succeeds.
struct Command {
  std::function<Status()> run;
  int exit_code = 0;
};

void RegisterList(CLI::App& app, GlobalOptions& g, Command& cmd);
void RegisterDump(CLI::App& app, GlobalOptions& g, Command& cmd);
void RegisterImport(CLI::App& app, GlobalOptions& g, Command& cmd);
void RegisterVerify(CLI::App& app, GlobalOptions& g, Command& cmd);
void RegisterExport(CLI::App& app, GlobalOptions& g, Command& cmd);
void RegisterBackup(CLI::App& app, GlobalOptions& g, Command& cmd);
void RegisterDelete(CLI::App& app, GlobalOptions& g, Command& cmd);
void RegisterAnalyze(CLI::App& app, GlobalOptions& g, Command& cmd);
void RegisterCheck(CLI::App& app, GlobalOptions& g, Command& cmd);
void RegisterTest(CLI::App& app, GlobalOptions& g, Command& cmd);

// Milliseconds since the epoch from an integer (ms), a float with a
// fraction (seconds, as Prometheus's API takes) or RFC 3339.
StatusOr<int64_t> ParseTime(const std::string& text);
// "2026-12-05T10:00:00.000Z".
std::string FormatTime(int64_t t_ms);
// "1.5GiB".
std::string FormatBytes(int64_t bytes);

// Each selector (`up{job="x"}`) as its matchers; no selectors gives one
// that matches every series with a metric name.
StatusOr<std::vector<std::vector<Matcher>>> ParseSelectors(
    const std::vector<std::string>& selectors);

// Adds --min-time and --max-time (defaulting to everything) to `sub`.
struct TimeRangeFlags {
  std::string min_time;
  std::string max_time;
  void Add(CLI::App* sub);
  // The parsed range; InvalidArgument for bad text or min > max.
  StatusOr<std::pair<int64_t, int64_t>> Get() const;
};

// True if stderr is a terminal (progress lines go there only then).
bool StderrIsTty();

// The series of `selectors` (ParseSelectors) in the range of `range`.
StatusOr<inspect::SeriesSelection> ParseSelection(
    const std::vector<std::string>& selectors, const TimeRangeFlags& range);

// After writing blocks into `dir`, whose newest block ended at
// `previous_end` before: warns on stderr if that moved the head's WAL
// replay boundary (inspect::MovedHeadBoundary).
void WarnIfHeadBoundaryMoved(const std::string& dir, int64_t previous_end);

}  // namespace strata::tsdb

#endif  // STRATA_TOOLS_TSDB_CLI_H_
