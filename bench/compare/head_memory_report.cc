// The head-memory scenario's report (report.h): how the shared WAL was
// written, then one row per figure for both servers.
#include <functional>
#include <string>
#include <vector>

#include "report.h"
#include "report_format.h"

namespace strata::bench {
namespace {

using Table = std::vector<std::vector<std::string>>;
// A figure read from one server's report; negative = not measured.
using Getter = std::function<double(const OpenedHeadReport&)>;

double PerSeries(int64_t bytes, double series) {
  return bytes > 0 && series > 0 ? static_cast<double>(bytes) / series : -1;
}

Table FiguresTable(const HeadMemoryReport& r) {
  Table t = {{"figure", "strata-server", "prometheus", "ratio"}};
  auto add = [&](const std::string& label, const Getter& get,
                 bool ratio = true) {
    const double s = get(r.strata);
    const double p = get(r.prometheus);
    t.push_back({label, Num(s), Num(p), ratio ? Ratio(s, p) : ""});
  };
  const double series = r.series;
  add("open the WAL: start to ready, s (lower is better)",
      [](const OpenedHeadReport& o) { return o.open_s; });
  add(
      "head series after the open (written: " + Num(series) + ")",
      [](const OpenedHeadReport& o) { return o.series_after_open; }, false);
  add("RSS after the open, idle, MiB",
      [](const OpenedHeadReport& o) { return o.rss_after_open / kMiB; });
  add("RSS after the open per series, bytes", [&](const OpenedHeadReport& o) {
    return PerSeries(o.rss_after_open, series);
  });
  add(
      "tail samples appended, server's counter (sent: " + Num(r.tail_samples) +
          ")",
      [](const OpenedHeadReport& o) { return o.tail_samples_added; }, false);
  add("tail ingest, server CPU-s (lower is better)",
      [](const OpenedHeadReport& o) { return o.tail.cpu_s; });
  add("peak RSS, open and tail (VmHWM), MiB (lower is better)",
      [](const OpenedHeadReport& o) { return o.peak_rss / kMiB; });
  add("steady RSS after the tail, idle, MiB (lower is better)",
      [](const OpenedHeadReport& o) { return o.steady_rss / kMiB; });
  add("**steady RSS per active series, bytes** (lower is better)",
      [&](const OpenedHeadReport& o) {
        return PerSeries(o.steady_rss, series);
      });
  return t;
}

std::string Header(const RunInfo& info, const HeadMemoryReport& r,
                   const char* bullet) {
  std::string out =
      RunFacts(info, r.strata.version, r.prometheus.version, bullet);
  auto line = [&](const std::string& k, const std::string& v) {
    AppendHeaderLine(&out, bullet, k, v);
  };
  line("workload", info.workload);
  line("CPU pinning", info.pinning);
  const double history_s = r.history.wall_s;
  line(
      "the shared WAL",
      "strata-server (--no-storage.tsdb.wal-compression: the format "
      "Prometheus 2.42 replays) took the " +
          std::to_string(r.history_rounds) + " history rounds, " +
          Num(r.history_samples) + " samples of " + Num(r.series) +
          " series, by remote write in " + Fmt("%.1f s", history_s) + " (" +
          Num(history_s > 0 ? r.history_samples / history_s : -1) +
          " samples/s, server CPU " + Fmt("%.1f s", r.history.cpu_s) +
          "), and was killed (-9); its WAL: " + Num(r.wal_bytes) + " bytes (" +
          Fmt("%.2f", r.history_samples > 0
                          ? static_cast<double>(r.wal_bytes) / r.history_samples
                          : -1) +
          " per sample). Each server then started on a data dir holding "
          "only a copy of it, settled, took the " +
          std::to_string(r.tail_rounds) +
          " tail rounds of the same series and settled again");
  line("strata-server after taking the history itself",
       "steady RSS " + Num(r.writer_steady_rss / kMiB) + " MiB, " +
           Num(PerSeries(r.writer_steady_rss, r.series)) + " bytes per series");
  line("load average before / after",
       info.load_before + " / " + info.load_after);
  line("harness wall time", Fmt("%.0f s", info.total_s));
  if (!r.error.empty()) line("ERROR", r.error);
  for (const OpenedHeadReport* o : {&r.strata, &r.prometheus}) {
    if (!o->error.empty()) line(o->name + " ERROR", o->error);
    if (!o->tail.first_error.empty()) {
      line(o->name + " first failed request", o->tail.first_error);
    }
  }
  return out;
}

}  // namespace

std::string HeadMemoryTextReport(const RunInfo& info,
                                 const HeadMemoryReport& report) {
  std::string out =
      "\n== strata-server vs prometheus: memory per series with the same "
      "WAL in the head ==\n";
  out += Header(info, report, "  ");
  out += '\n';
  out += TextTable(FiguresTable(report));
  return out;
}

std::string HeadMemoryMarkdownReport(const RunInfo& info,
                                     const HeadMemoryReport& report) {
  std::string out =
      "\n### Memory per series, both servers holding the same WAL "
      "(`bench/compare --scenario=head-memory`, SCALE=";
  out.append(info.scale).append(", ").append(info.date_utc).append(")\n\n");
  out += Header(info, report, "- ");
  out += '\n';
  out += MarkdownTable(FiguresTable(report));
  return out;
}

}  // namespace strata::bench
