// The rule-evaluation scenario for one server: the CPU a server spends
// evaluating the same 1,000 recording rules over the same ~10k series
// (rules_workload.h), measured the same way on both.
//
// Sequence, on a fresh data dir:
//  1. start with --config.file holding only global.evaluation_interval;
//  2. remote-write the history (1 h at SCALE=small) as fast as it goes,
//     then keep writing one round every 15 s as scrapes would ("live");
//  3. idle baseline: the server's CPU (utime + stime, /proc/<pid>/stat)
//     over `baseline_s`, with the live writes and the same /metrics polls
//     as later, but no rules;
//  4. rewrite the config with rule_files and send SIGHUP (both servers
//     reload on it); wait until every group has run twice (the first run
//     creates the output series);
//  5. the window: CPU over `rounds` evaluation intervals (any window of
//     that length holds exactly `rounds` ticks of each group), polling
//     /metrics every `poll_s` for the groups' last_duration_seconds,
//     last_evaluation_timestamp_seconds and iterations_total
//     (prometheus_rule_group_* or strata_rule_group_*);
//  6. rule CPU = window CPU - baseline CPU rate x window length; check the
//     rules' output with count({__name__=~".+:.+"}).
#ifndef STRATA_BENCH_COMPARE_RULES_BENCH_H_
#define STRATA_BENCH_COMPARE_RULES_BENCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ingest_driver.h"
#include "rules_workload.h"
#include "server_bench.h"

namespace strata::bench {

struct RulesOptions {
  std::string work_dir;  // Data dirs and logs go in <work_dir>/<name>-rules/.
  FleetShape shape;
  int history_rounds = 240;     // 15 s apart, written before the rules load.
  int64_t interval_ms = 15000;  // global.evaluation_interval.
  int rounds = 6;               // Evaluation intervals measured.
  double settle_s = 5;          // After the history, before the baseline.
  double baseline_s = 30;       // Idle CPU window (no rules).
  double poll_s = 3;            // /metrics polls, in both windows.
  int samples_per_request = 2000;
  IngestOptions ingest;
  bool keep_data = false;
};

struct RulesReport {
  std::string name;
  std::string version;
  std::string error;  // Set when a step failed; later figures may be empty.
  std::string log_path;

  int64_t series = 0;
  int rules = 0;
  int groups = 0;
  int64_t interval_ms = 0;  // Evaluation interval.
  IngestResult history;     // The history ingest.
  int live_rounds = 0;      // Rounds written live, all windows.
  int64_t live_failed = 0;  // Live requests not answered 2xx.

  double baseline_s = 0;      // Idle window length, wall clock.
  double baseline_cpu_s = 0;  // Server CPU in it.
  double window_s = 0;        // Measured window length, wall clock.
  double window_cpu_s = 0;    // Server CPU in it, rules included.
  int rounds = 0;             // Evaluation intervals in the window.

  // False when the server exports no rule group metrics: then the window
  // starts two intervals after all the rules' output appeared, and the
  // iteration and duration figures are n/a.
  bool group_metrics = true;
  int64_t iterations = -1;  // Group iterations in the window (-1: n/a).
  int64_t iterations_missed = -1;
  double evaluation_failures = -1;  // Rule evaluation failures, whole run.
  // Every group evaluation the polls saw in the window, seconds.
  std::vector<double> group_durations_s;

  double output_series = -1;  // count({__name__=~".+:.+"}) after the window.
  int64_t expected_output_series = 0;
  int64_t rss_after = 0;  // Bytes, after the window.

  // Window CPU minus the baseline's rate over the window, per round; -1
  // when not measured.
  double RuleCpuPerRound() const;
  // Sum of the group durations seen, per round; -1 when none.
  double EvalSecondsPerRound() const;
};

// The config file's text: global.evaluation_interval and, when
// `rule_file` is not empty, rule_files.
std::string RulesConfigYaml(int64_t interval_ms, const std::string& rule_file);

// Runs the sequence above. Never throws; failures land in `error`.
RulesReport RunRulesBench(const ServerConfig& config,
                          const RulesOptions& options);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_RULES_BENCH_H_
