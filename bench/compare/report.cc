#include "report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>

#include "report_format.h"

namespace strata::bench {
namespace {

struct Row {
  std::string label;
  std::string strata;
  std::string prometheus;
  std::string ratio;
};

// A figure read from a report; negative = not available.
using Getter = std::function<double(const ServerReport&)>;

std::vector<Row> SummaryRows(const ServerReport* s, const ServerReport* p,
                             double samples, double series) {
  std::vector<Row> rows;
  auto add = [&](const std::string& label, const Getter& get,
                 bool ratio = true) {
    const double sv = s != nullptr ? get(*s) : -1;
    const double pv = p != nullptr ? get(*p) : -1;
    rows.push_back({label, Num(sv), Num(pv), ratio ? Ratio(sv, pv) : ""});
  };
  add("ingest samples/s, wall clock (higher is better)",
      [&](const ServerReport& r) {
        return r.ingest.wall_s > 0 ? samples / r.ingest.wall_s : -1;
      });
  add("ingest samples per server CPU-second (higher is better)",
      [&](const ServerReport& r) {
        return r.ingest.cpu_s > 0 ? samples / r.ingest.cpu_s : -1;
      });
  add("server CPU-s per 1M samples (lower is better)",
      [&](const ServerReport& r) {
        return r.ingest.cpu_s > 0 ? r.ingest.cpu_s / (samples / 1e6) : -1;
      });
  add("remote write request latency p50, ms", [](const ServerReport& r) {
    return r.ingest.latencies_ms.empty() ? -1
                                         : Quantile(r.ingest.latencies_ms, 0.5);
  });
  add("remote write request latency p99, ms", [](const ServerReport& r) {
    return r.ingest.latencies_ms.empty()
               ? -1
               : Quantile(r.ingest.latencies_ms, 0.99);
  });
  add(
      "requests failed / retried", [](const ServerReport&) { return -1.0; },
      false);
  rows.back().strata = s ? std::to_string(s->ingest.failed) + " / " +
                               std::to_string(s->ingest.retries)
                         : "n/a";
  rows.back().prometheus = p ? std::to_string(p->ingest.failed) + " / " +
                                   std::to_string(p->ingest.retries)
                             : "n/a";
  add(
      "samples appended, server's counter (sent: " + Num(samples) + ")",
      [](const ServerReport& r) { return r.samples_appended; }, false);
  add(
      "samples counted by the query API (count_over_time per metric)",
      [](const ServerReport& r) { return r.samples_by_query; }, false);
  add(
      "head series, server's gauge (sent: " + Num(series) + ")",
      [](const ServerReport& r) { return r.head_series; }, false);
  add("RSS idle after start, MiB",
      [](const ServerReport& r) { return r.idle_rss / kMiB; });
  add("RSS peak during ingest (VmHWM), MiB (lower is better)",
      [](const ServerReport& r) { return r.peak_rss / kMiB; });
  add("RSS steady after ingest, MiB (lower is better)",
      [](const ServerReport& r) { return r.steady_rss / kMiB; });
  add("steady RSS per active series, bytes", [&](const ServerReport& r) {
    return r.steady_rss > 0 ? r.steady_rss / series : -1;
  });
  add("steady RSS above idle per active series, bytes",
      [&](const ServerReport& r) {
        return r.steady_rss > 0 ? (r.steady_rss - r.idle_rss) / series : -1;
      });
  add("data dir after ingest (WAL, head chunks), bytes",
      [](const ServerReport& r) {
        return static_cast<double>(r.data_dir_bytes);
      });
  add("on disk after snapshot, bytes (index included)",
      [](const ServerReport& r) {
        return static_cast<double>(r.snapshot_bytes);
      });
  add("on disk per sample, bytes (lower is better)",
      [&](const ServerReport& r) {
        return r.snapshot_bytes > 0 ? r.snapshot_bytes / samples : -1;
      });
  add(
      "blocks in the snapshot",
      [](const ServerReport& r) {
        return r.snapshot_bytes < 0 ? -1.0
                                    : static_cast<double>(r.snapshot_blocks);
      },
      false);
  add(
      "samples in snapshot blocks (meta.json)",
      [](const ServerReport& r) {
        return static_cast<double>(r.snapshot_samples);
      },
      false);
  add("snapshot time, s", [](const ServerReport& r) { return r.snapshot_s; });
  add("start to ready, empty data dir, s",
      [](const ServerReport& r) { return r.first_start_s; });
  add("restart after kill -9: start to ready, s (lower is better)",
      [](const ServerReport& r) { return r.crash_restart_s; });
  add(
      "head series after the kill -9 restart",
      [](const ServerReport& r) { return r.series_after_crash_restart; },
      false);
  add("stop (SIGTERM to exit), s",
      [](const ServerReport& r) { return r.stop_s; });
  add("restart: start to ready on the ingested data, s (lower is better)",
      [](const ServerReport& r) { return r.restart_s; });
  add(
      "head series after restart",
      [](const ServerReport& r) { return r.series_after_restart; }, false);
  return rows;
}

const QueryLatency* Find(const ServerReport* r, const QueryLatency& q) {
  if (r == nullptr) return nullptr;
  for (const QueryLatency& x : r->queries) {
    if (x.query == q.query && x.window == q.window) return &x;
  }
  return nullptr;
}

// The server's RSS peak during a query, above its RSS before, in MiB.
std::string PeakMiB(const QueryLatency* q) {
  if (q == nullptr || !q->supported || q->peak_rss_above < 0) return "n/a";
  return Fmt("%.1f", static_cast<double>(q->peak_rss_above) / kMiB);
}

double Q(const QueryLatency* q, double quantile) {
  if (q == nullptr || !q->supported || q->latencies_ms.empty()) return -1;
  return Quantile(q->latencies_ms, quantile);
}

std::vector<std::vector<std::string>> QueryRows(const ServerReport* s,
                                                const ServerReport* p) {
  std::vector<std::vector<std::string>> rows;
  const ServerReport* base = p != nullptr ? p : s;
  if (base == nullptr) return rows;
  std::vector<double> s50, p50;
  for (const QueryLatency& q : base->queries) {
    const QueryLatency* sq = Find(s, q);
    const QueryLatency* pq = Find(p, q);
    auto series = [](const QueryLatency* x) {
      if (x == nullptr || !x->supported) return std::string("n/a");
      return x->result_series < 0 ? std::string("error")
                                  : std::to_string(x->result_series);
    };
    rows.push_back(
        {q.query, q.window, Num(Q(sq, 0.5)), Num(Q(sq, 0.99)), Num(Q(pq, 0.5)),
         Num(Q(pq, 0.99)), Ratio(Q(sq, 0.5), Q(pq, 0.5)),
         Ratio(Q(sq, 0.99), Q(pq, 0.99)), PeakMiB(sq) + " / " + PeakMiB(pq),
         series(sq) + " / " + series(pq)});
  }
  return rows;
}

const std::vector<std::string> kQueryHeader = {
    "query",         "window",      "strata p50 ms",
    "strata p99 ms", "prom p50 ms", "prom p99 ms",
    "p50 ratio",     "p99 ratio",   "peak RSS MiB s / p",
    "series s / p"};

std::string Header(const RunInfo& info, const ServerReport* s,
                   const ServerReport* p, const char* bullet) {
  std::string out =
      RunFacts(info, s ? s->version : "", p ? p->version : "", bullet);
  auto line = [&](const std::string& k, const std::string& v) {
    AppendHeaderLine(&out, bullet, k, v);
  };
  line("dataset", info.dataset);
  line("workload", info.workload);
  line("CPU pinning", info.pinning);
  line("on-disk size",
       "POST /api/v1/admin/tsdb/snapshot on both (head written as a block), "
       "all files of the snapshot directory");
  line("load average before / after",
       info.load_before + " / " + info.load_after);
  line("harness wall time", Fmt("%.0f s", info.total_s));
  for (const ServerReport* r : {s, p}) {
    if (r != nullptr && !r->error.empty()) line(r->name + " ERROR", r->error);
    if (r != nullptr && !r->ingest.first_error.empty()) {
      line(r->name + " first failed request", r->ingest.first_error);
    }
  }
  return out;
}

std::vector<std::vector<std::string>> SummaryTable(const ServerReport* s,
                                                   const ServerReport* p) {
  const ServerReport* base = s != nullptr ? s : p;
  std::vector<std::vector<std::string>> t = {
      {"figure", "strata-server", "prometheus 2.42", "strata / prometheus"}};
  if (base == nullptr) return t;
  double samples = 0, series = 0;
  if (s != nullptr) {
    samples = s->expected_samples;
    series = s->expected_series;
  } else {
    samples = p->expected_samples;
    series = p->expected_series;
  }
  for (const Row& r : SummaryRows(s, p, samples, series)) {
    t.push_back({r.label, r.strata, r.prometheus, r.ratio});
  }
  return t;
}

using RulesGetter = std::function<double(const RulesReport&)>;

double Median(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return Quantile(v, 0.5);
}

std::vector<std::vector<std::string>> RulesTable(const RulesReport* s,
                                                 const RulesReport* p) {
  std::vector<std::vector<std::string>> t = {
      {"figure", "strata-server", "prometheus 2.42", "strata / prometheus"}};
  const RulesReport* base = s != nullptr ? s : p;
  if (base == nullptr) return t;
  auto add = [&](const std::string& label, const RulesGetter& get,
                 bool ratio = true) {
    const double sv = s != nullptr ? get(*s) : -1;
    const double pv = p != nullptr ? get(*p) : -1;
    t.push_back({label, Num(sv), Num(pv), ratio ? Ratio(sv, pv) : ""});
  };
  auto text = [&](const std::string& label,
                  const std::function<std::string(const RulesReport&)>& get) {
    t.push_back({label, s != nullptr ? get(*s) : "n/a",
                 p != nullptr ? get(*p) : "n/a", ""});
  };
  const double interval_s = static_cast<double>(base->interval_ms) / 1000;
  add("rule evaluation CPU-s per round (window minus idle baseline; lower "
      "is better)",
      [](const RulesReport& r) { return r.RuleCpuPerRound(); });
  add("rule evaluation CPU-s per evaluation minute", [&](const RulesReport& r) {
    const double c = r.RuleCpuPerRound();
    return c < 0 ? -1 : c * 60 / interval_s;
  });
  add("rule evaluation CPU, % of one core", [&](const RulesReport& r) {
    const double c = r.RuleCpuPerRound();
    return c < 0 ? -1 : 100 * c / interval_s;
  });
  add("evaluation time per round, s (mean group duration x groups)",
      [](const RulesReport& r) { return r.EvalSecondsPerRound(); });
  add("group evaluation time, median, s",
      [](const RulesReport& r) { return Median(r.group_durations_s); });
  add("group evaluation time, max, s", [](const RulesReport& r) {
    return r.group_durations_s.empty()
               ? -1
               : *std::max_element(r.group_durations_s.begin(),
                                   r.group_durations_s.end());
  });
  text("server CPU-s in the window / window length, s",
       [](const RulesReport& r) {
         return Num(r.window_cpu_s) + " / " + Num(r.window_s);
       });
  text("idle baseline CPU-s / length, s (live writes, polls, no rules)",
       [](const RulesReport& r) {
         return Num(r.baseline_cpu_s) + " / " + Num(r.baseline_s);
       });
  text("group iterations in the window (expected " +
           std::to_string(base->groups * base->rounds) + ") / missed",
       [](const RulesReport& r) {
         return (r.iterations < 0 ? std::string("n/a")
                                  : std::to_string(r.iterations)) +
                " / " +
                (r.iterations_missed < 0 ? std::string("n/a")
                                         : std::to_string(r.iterations_missed));
       });
  text("group evaluations seen by the polls", [](const RulesReport& r) {
    return std::to_string(r.group_durations_s.size());
  });
  add(
      "rule evaluation failures",
      [](const RulesReport& r) { return r.evaluation_failures; }, false);
  add(
      "rule output series, count({__name__=~\".+:.+\"}) (expected " +
          Num(static_cast<double>(base->expected_output_series)) + ")",
      [](const RulesReport& r) { return r.output_series; }, false);
  text("history ingest: requests failed / server CPU-s / wall s",
       [](const RulesReport& r) {
         return std::to_string(r.history.failed) + " / " +
                Num(r.history.cpu_s) + " / " + Num(r.history.wall_s);
       });
  text("live rounds written / requests failed", [](const RulesReport& r) {
    return std::to_string(r.live_rounds) + " / " +
           std::to_string(r.live_failed);
  });
  add("RSS after the window, MiB", [](const RulesReport& r) {
    return r.rss_after > 0 ? r.rss_after / kMiB : -1;
  });
  return t;
}

std::string RulesHeader(const RunInfo& info, const RulesReport* s,
                        const RulesReport* p, const char* bullet) {
  std::string out =
      RunFacts(info, s ? s->version : "", p ? p->version : "", bullet);
  auto line = [&](const std::string& k, const std::string& v) {
    AppendHeaderLine(&out, bullet, k, v);
  };
  line("workload", info.workload);
  line("CPU pinning", info.pinning);
  line("CPU", "utime + stime of the server from /proc/<pid>/stat");
  line("load average before / after",
       info.load_before + " / " + info.load_after);
  line("harness wall time", Fmt("%.0f s", info.total_s));
  for (const RulesReport* r : {s, p}) {
    if (r != nullptr && !r->error.empty()) line(r->name + " ERROR", r->error);
    if (r != nullptr && r->error.empty() && !r->group_metrics) {
      line(r->name,
           "no rule group metrics in /metrics: window started two intervals "
           "after all rule output appeared; durations and iterations n/a");
    }
  }
  return out;
}

// "median (min–max)" of `v`, each through Num; "n/a" when empty.
std::string MedianRange(std::vector<double> v) {
  if (v.empty()) return "n/a";
  std::sort(v.begin(), v.end());
  if (v.size() == 1) return Num(v[0]);
  return Num(Median(v)) + " (" + Num(v.front()) + "–" + Num(v.back()) + ")";
}

// One figure per run of `mode`; runs that failed give none.
std::vector<double> PerRun(
    const TransportReport& mode,
    const std::function<double(const TransportRun&)>& get) {
  std::vector<double> out;
  for (const TransportRun& run : mode.runs) {
    if (!run.error.empty()) continue;
    const double v = get(run);
    if (v >= 0 && !std::isnan(v) && !std::isinf(v)) out.push_back(v);
  }
  return out;
}

double CpuPerMillion(const TransportRun& r) {
  return r.samples_appended > 0 ? r.ingest.cpu_s / r.samples_appended * 1e6
                                : -1;
}
double SamplesPerSecond(const TransportRun& r) {
  return r.ingest.wall_s > 0 ? r.samples_appended / r.ingest.wall_s : -1;
}
double MicrosPerConnection(const TransportRun& r) {
  return r.handshakes_ok > 0
             ? r.handshake_cpu_s / static_cast<double>(r.handshakes_ok) * 1e6
             : -1;
}
double ConnectionsPerSecond(const TransportRun& r) {
  return r.handshake_wall_s > 0
             ? static_cast<double>(r.handshakes_ok) / r.handshake_wall_s
             : -1;
}

// CPU per sample of each run of `mode` over plain HTTP's run of the same
// round (adjacent in time, so slow drift of the machine cancels out).
std::vector<double> RatiosToPlain(const TlsReport& r,
                                  const TransportReport& mode) {
  std::vector<double> out;
  for (const TransportReport& plain : r.modes) {
    if (plain.mode != TransportMode::kPlain) continue;
    for (size_t i = 0; i < mode.runs.size() && i < plain.runs.size(); ++i) {
      const double a = CpuPerMillion(mode.runs[i]);
      const double b = CpuPerMillion(plain.runs[i]);
      if (a > 0 && b > 0) out.push_back(a / b);
    }
  }
  return out;
}

std::vector<std::vector<std::string>> TlsSummaryTable(const TlsReport& r) {
  std::vector<std::vector<std::string>> t = {
      {"transport", "runs", "server CPU-s per 1M samples, median (min–max)",
       "CPU vs plain, same round: median (min–max)",
       "server CPU µs per request", "ingest samples/s, wall",
       "server CPU µs per new connection", "new connections/s"}};
  for (const TransportReport& m : r.modes) {
    const double cpu = Median(PerRun(m, CpuPerMillion));
    const double per_request =
        r.requests > 0 ? cpu * static_cast<double>(r.expected_samples) / 1e6 /
                             static_cast<double>(r.requests) * 1e6
                       : -1;
    t.push_back({m.name, std::to_string(PerRun(m, CpuPerMillion).size()),
                 MedianRange(PerRun(m, CpuPerMillion)),
                 MedianRange(RatiosToPlain(r, m)), Num(per_request),
                 MedianRange(PerRun(m, SamplesPerSecond)),
                 MedianRange(PerRun(m, MicrosPerConnection)),
                 MedianRange(PerRun(m, ConnectionsPerSecond))});
  }
  return t;
}

std::vector<std::vector<std::string>> TlsRunTable(const TlsReport& r) {
  std::vector<std::vector<std::string>> t = {
      {"transport", "run", "ingest wall s", "server CPU s", "samples appended",
       "failed / retried requests", "CPU-s per 1M samples", "connections ok",
       "connections: wall s / server CPU s"}};
  for (const TransportReport& m : r.modes) {
    for (size_t i = 0; i < m.runs.size(); ++i) {
      const TransportRun& run = m.runs[i];
      t.push_back(
          {m.name, std::to_string(i + 1), Num(run.ingest.wall_s),
           Num(run.ingest.cpu_s), Num(run.samples_appended),
           std::to_string(run.ingest.failed) + " / " +
               std::to_string(run.ingest.retries),
           Num(CpuPerMillion(run)), std::to_string(run.handshakes_ok),
           Num(run.handshake_wall_s) + " / " + Num(run.handshake_cpu_s)});
    }
  }
  return t;
}

std::string TlsHeader(const RunInfo& info, const TlsReport& r,
                      const char* bullet) {
  std::string out = RunFacts(info, r.version, "", bullet);
  auto line = [&](const std::string& k, const std::string& v) {
    AppendHeaderLine(&out, bullet, k, v);
  };
  line("workload", info.workload);
  line("transports",
       "plain HTTP (no --web.config.file); TLS (tls_server_config with the "
       "tests' P-256 ECDSA certificate; OpenSSL client, TLS 1.3); TLS + "
       "basic_auth_users (bcrypt cost 10; outcomes cached as "
       "exporter-toolkit does); runs interleaved, the order rotated each "
       "round, each on a fresh data dir");
  line("new connections",
       std::to_string(r.handshakes) +
           " per run after the ingest, each GET /-/healthy with Connection: "
           "close (a full handshake each, no session resumption)");
  line("CPU pinning", info.pinning);
  line("CPU", "utime + stime of the server from /proc/<pid>/stat");
  line("load average before / after",
       info.load_before + " / " + info.load_after);
  line("harness wall time", Fmt("%.0f s", info.total_s));
  if (!r.error.empty()) line("ERROR", r.error);
  for (const TransportReport& m : r.modes) {
    for (const TransportRun& run : m.runs) {
      if (!run.error.empty()) line(m.name + " ERROR", run.error);
      if (!run.ingest.first_error.empty()) {
        line(m.name + " first failed request", run.ingest.first_error);
      }
    }
  }
  return out;
}

}  // namespace

std::string RunFacts(const RunInfo& info, const std::string& strata_version,
                     const std::string& prom_version, const char* bullet) {
  std::string out;
  auto line = [&](const std::string& k, const std::string& v) {
    AppendHeaderLine(&out, bullet, k, v);
  };
  line("date", info.date_utc);
  line("machine", "nproc=" + std::to_string(info.nproc) + ", CPU " +
                      info.cpu_model + ", Linux " + info.kernel);
  line("versions",
       (strata_version.empty() ? "strata-server not run" : strata_version) +
           "; " + (prom_version.empty() ? "prometheus not run" : prom_version) +
           "; source " + info.strata_commit);
  line("command", info.command);
  line("scale", info.scale);
  return out;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

RunInfo CollectRunInfo(const std::string& source_dir) {
  RunInfo info;
  const std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  info.date_utc = date;
  info.nproc = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      info.cpu_model = line.substr(line.find(':') + 2);
      break;
    }
  }
  utsname u{};
  if (uname(&u) == 0) info.kernel = u.release;
  const std::string cmd =
      "git -C '" + source_dir + "' describe --always --dirty 2>/dev/null";
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[128] = {0};
    if (fgets(buf, sizeof(buf), p) != nullptr) info.strata_commit = buf;
    pclose(p);
    while (!info.strata_commit.empty() && info.strata_commit.back() == '\n') {
      info.strata_commit.pop_back();
    }
  }
  if (info.strata_commit.empty()) info.strata_commit = "unknown";
  info.load_before = LoadAverage();
  return info;
}

std::string TextReport(const RunInfo& info, const ServerReport* strata,
                       const ServerReport* prometheus) {
  std::string out = "\n== strata-server vs prometheus: side-by-side ==\n";
  out += Header(info, strata, prometheus, "  ");
  out += '\n';
  out += TextTable(SummaryTable(strata, prometheus));
  std::vector<std::vector<std::string>> q = {kQueryHeader};
  for (auto& row : QueryRows(strata, prometheus)) q.push_back(std::move(row));
  out +=
      "\nDashboard range queries (latency, ms; peak RSS above the RSS before "
      "the query; n/a = endpoint missing):\n";
  out += TextTable(q);
  return out;
}

std::string MarkdownReport(const RunInfo& info, const ServerReport* strata,
                           const ServerReport* prometheus) {
  std::string out =
      "\n### Side-by-side: strata-server vs Prometheus 2.42 (`bench/compare`, "
      "SCALE=";
  out.append(info.scale).append(", ").append(info.date_utc).append(")\n\n");
  out += Header(info, strata, prometheus, "- ");
  out += '\n';
  out += MarkdownTable(SummaryTable(strata, prometheus));
  std::vector<std::vector<std::string>> q = {kQueryHeader};
  for (auto& row : QueryRows(strata, prometheus)) q.push_back(std::move(row));
  out +=
      "\nDashboard range queries, about 240 points each, latency in ms; peak "
      "RSS = the server's VmHWM during the query's runs above its RSS before "
      "them (a lower bound for a garbage-collected heap); n/a = endpoint "
      "missing:\n\n";
  out += MarkdownTable(q);
  return out;
}

std::string RulesTextReport(const RunInfo& info, const RulesReport* strata,
                            const RulesReport* prometheus) {
  std::string out =
      "\n== strata-server vs prometheus: rule evaluation, side-by-side ==\n";
  out += RulesHeader(info, strata, prometheus, "  ");
  out += '\n';
  out += TextTable(RulesTable(strata, prometheus));
  return out;
}

std::string RulesMarkdownReport(const RunInfo& info, const RulesReport* strata,
                                const RulesReport* prometheus) {
  std::string out =
      "\n### Rule evaluation: strata-server vs Prometheus 2.42 "
      "(`bench/compare --scenario=rules`, SCALE=";
  out.append(info.scale).append(", ").append(info.date_utc).append(")\n\n");
  out += RulesHeader(info, strata, prometheus, "- ");
  out += '\n';
  out += MarkdownTable(RulesTable(strata, prometheus));
  return out;
}

std::string TlsTextReport(const RunInfo& info, const TlsReport& report) {
  std::string out =
      "\n== strata-server: remote-write ingest CPU by transport ==\n";
  out += TlsHeader(info, report, "  ");
  out += '\n';
  out += TextTable(TlsSummaryTable(report));
  out += "\nRuns:\n";
  out += TextTable(TlsRunTable(report));
  return out;
}

std::string TlsMarkdownReport(const RunInfo& info, const TlsReport& report) {
  std::string out =
      "\n### Remote-write ingest CPU by transport: plain HTTP, TLS, TLS + "
      "basic auth (`bench/compare --scenario=tls`, SCALE=";
  out.append(info.scale).append(", ").append(info.date_utc).append(")\n\n");
  out += TlsHeader(info, report, "- ");
  out += '\n';
  out += MarkdownTable(TlsSummaryTable(report));
  out += "\nRuns:\n\n";
  out += MarkdownTable(TlsRunTable(report));
  return out;
}

}  // namespace strata::bench
