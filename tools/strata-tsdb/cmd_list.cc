// `strata-tsdb list`: the blocks and the head/WAL of a data directory.
#include <cstdio>

#include "cli.h"
#include "data_dir.h"
#include "nlohmann/json.hpp"
#include "util/duration.h"

namespace strata::tsdb {
namespace {

struct ListFlags {
  bool human = false;
};

Status RunList(const GlobalOptions& g, const ListFlags& f) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataDir> d,
                          DataDir::Open(g.data_dir));
  auto time_text = [&](int64_t t) {
    return f.human ? FormatTime(t) : std::to_string(t);
  };
  auto size_text = [&](int64_t b) {
    return f.human ? FormatBytes(b) : std::to_string(b);
  };
  const Head* head = d->head().get();
  const bool head_has_data = head != nullptr && head->NumSeries() > 0 &&
                             head->MinTime() <= head->MaxTime();
  if (g.json) {
    nlohmann::json out;
    out["blocks"] = nlohmann::json::array();
    for (const BlockEntry& e : d->blocks()) {
      nlohmann::json b;
      b["ulid"] = e.name;
      if (!e.block) {
        b["error"] = e.open_error.ToString();
      } else {
        const BlockMeta& m = e.block->meta();
        b["minTime"] = m.min_time;
        b["maxTime"] = m.max_time;
        b["durationMs"] = m.max_time - m.min_time;
        b["numSamples"] = m.stats.num_samples;
        b["numChunks"] = m.stats.num_chunks;
        b["numSeries"] = m.stats.num_series;
        b["numTombstones"] = m.stats.num_tombstones;
        b["sizeBytes"] = e.block->Size();
        b["level"] = m.compaction.level;
      }
      out["blocks"].push_back(b);
    }
    nlohmann::json h;
    h["walSegments"] = d->wal().segments;
    h["walBytes"] = d->wal().bytes;
    h["checkpoint"] = d->wal().checkpoint;
    h["numSeries"] = head != nullptr ? head->NumSeries() : 0;
    h["numSamples"] = d->wal().samples;
    if (head_has_data) {
      h["minTime"] = head->MinTime();
      h["maxTime"] = head->MaxTime();
    }
    if (!d->wal_error().ok()) h["walError"] = d->wal_error().ToString();
    out["head"] = h;
    std::printf("%s\n", out.dump(2).c_str());
    return Status::OK();
  }
  std::printf("%-26s  %-24s  %-24s  %-10s  %12s  %10s  %10s  %10s  %5s\n",
              "BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES",
              "NUM CHUNKS", "NUM SERIES", "SIZE", "LEVEL");
  for (const BlockEntry& e : d->blocks()) {
    if (!e.block) {
      std::printf("%-26s  unreadable: %s\n", e.name.c_str(),
                  e.open_error.ToString().c_str());
      continue;
    }
    const BlockMeta& m = e.block->meta();
    std::printf(
        "%-26s  %-24s  %-24s  %-10s  %12llu  %10llu  %10llu  %10s  %5d\n",
        e.name.c_str(), time_text(m.min_time).c_str(),
        time_text(m.max_time).c_str(),
        FormatDuration(m.max_time - m.min_time).c_str(),
        static_cast<unsigned long long>(m.stats.num_samples),
        static_cast<unsigned long long>(m.stats.num_chunks),
        static_cast<unsigned long long>(m.stats.num_series),
        size_text(e.block->Size()).c_str(), m.compaction.level);
  }
  const WalInfo& w = d->wal();
  std::printf("\nHEAD (from the WAL)\n");
  std::printf("  segments: %lld (%d..%d), size %s%s%s\n",
              static_cast<long long>(w.segments), w.first_segment,
              w.last_segment, size_text(w.bytes).c_str(),
              w.checkpoint.empty() ? "" : ", checkpoint ",
              w.checkpoint.c_str());
  std::printf("  series: %zu, samples: %lld\n",
              head != nullptr ? head->NumSeries() : size_t{0},
              static_cast<long long>(w.samples));
  if (head_has_data) {
    std::printf("  time range: %s .. %s (%s)\n",
                time_text(head->MinTime()).c_str(),
                time_text(head->MaxTime()).c_str(),
                FormatDuration(head->MaxTime() - head->MinTime() + 1).c_str());
  }
  if (!d->wal_error().ok()) {
    std::printf("  WAL read stopped early: %s\n",
                d->wal_error().ToString().c_str());
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
