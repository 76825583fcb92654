// `strata-tsdb list`: the blocks and the head/WAL of a data directory.
#include <cstdio>

#include "cli.h"
#include "inspect/list.h"
#include "nlohmann/json.hpp"
#include "util/duration.h"

namespace strata::tsdb {
namespace {

struct ListFlags {
  bool human = false;
};

void PrintJson(const inspect::DataDirListing& l) {
  nlohmann::json out;
  out["blocks"] = nlohmann::json::array();
  for (const inspect::BlockListing& e : l.blocks) {
    nlohmann::json b;
    b["ulid"] = e.ulid;
    if (!e.open_error.ok()) {
      b["error"] = e.open_error.ToString();
    } else {
      b["minTime"] = e.min_time;
      b["maxTime"] = e.max_time;
      b["durationMs"] = e.max_time - e.min_time;
      b["numSamples"] = e.num_samples;
      b["numChunks"] = e.num_chunks;
      b["numSeries"] = e.num_series;
      b["numTombstones"] = e.num_tombstones;
      b["sizeBytes"] = e.size_bytes;
      b["level"] = e.level;
    }
    out["blocks"].push_back(b);
  }
  const inspect::HeadListing& head = l.head;
  nlohmann::json h;
  h["walSegments"] = head.wal.segments;
  h["walBytes"] = head.wal.bytes;
  h["checkpoint"] = head.wal.checkpoint;
  h["numSeries"] = head.num_series;
  h["numSamples"] = head.wal.samples;
  if (head.has_data) {
    h["minTime"] = head.min_time;
    h["maxTime"] = head.max_time;
  }
  if (!head.wal_error.ok()) h["walError"] = head.wal_error.ToString();
  out["head"] = h;
  std::printf("%s\n", out.dump(2).c_str());
}

void PrintText(const inspect::DataDirListing& l, const ListFlags& f) {
  auto time_text = [&](int64_t t) {
    return f.human ? FormatTime(t) : std::to_string(t);
  };
  auto size_text = [&](int64_t b) {
    return f.human ? FormatBytes(b) : std::to_string(b);
  };
  std::printf("%-26s  %-24s  %-24s  %-10s  %12s  %10s  %10s  %10s  %5s\n",
              "BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES",
              "NUM CHUNKS", "NUM SERIES", "SIZE", "LEVEL");
  for (const inspect::BlockListing& e : l.blocks) {
    if (!e.open_error.ok()) {
      std::printf("%-26s  unreadable: %s\n", e.ulid.c_str(),
                  e.open_error.ToString().c_str());
      continue;
    }
    std::printf(
        "%-26s  %-24s  %-24s  %-10s  %12llu  %10llu  %10llu  %10s  %5d\n",
        e.ulid.c_str(), time_text(e.min_time).c_str(),
        time_text(e.max_time).c_str(),
        FormatDuration(e.max_time - e.min_time).c_str(),
        static_cast<unsigned long long>(e.num_samples),
        static_cast<unsigned long long>(e.num_chunks),
        static_cast<unsigned long long>(e.num_series),
        size_text(e.size_bytes).c_str(), e.level);
  }
  const inspect::HeadListing& head = l.head;
  const inspect::WalInfo& w = head.wal;
  std::printf("\nHEAD (from the WAL)\n");
  std::printf("  segments: %lld (%d..%d), size %s%s%s\n",
              static_cast<long long>(w.segments), w.first_segment,
              w.last_segment, size_text(w.bytes).c_str(),
              w.checkpoint.empty() ? "" : ", checkpoint ",
              w.checkpoint.c_str());
  std::printf("  series: %lld, samples: %lld\n",
              static_cast<long long>(head.num_series),
              static_cast<long long>(w.samples));
  if (head.has_data) {
    std::printf("  time range: %s .. %s (%s)\n",
                time_text(head.min_time).c_str(),
                time_text(head.max_time).c_str(),
                FormatDuration(head.max_time - head.min_time + 1).c_str());
  }
  if (!head.wal_error.ok()) {
    std::printf("  WAL read stopped early: %s\n",
                head.wal_error.ToString().c_str());
  }
}

Status RunList(const GlobalOptions& g, const ListFlags& f) {
  STRATA_ASSIGN_OR_RETURN(inspect::DataDirListing l,
                          inspect::ListDataDir(g.data_dir));
  if (g.json) {
    PrintJson(l);
  } else {
    PrintText(l, f);
  }
  return Status::OK();
}

}  // namespace

void RegisterList(CLI::App& app, GlobalOptions& g, Command& cmd) {
  auto flags = std::make_shared<ListFlags>();
  CLI::App* sub = app.add_subcommand(
      "list", "List the blocks and the head (WAL) of the data directory.");
  sub->add_flag("-r,--human-readable", flags->human,
                "Print times as RFC 3339 and sizes in KiB/MiB/GiB.");
  sub->callback([&g, &cmd, flags] {
    cmd.run = [&g, flags] { return RunList(g, *flags); };
  });
}

}  // namespace strata::tsdb
