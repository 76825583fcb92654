#include "server/metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace strata::server {
namespace {

bool ParseDouble(std::string_view text, double* value) {
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, *value);
  return !text.empty() && result.ec == std::errc() && result.ptr == end;
}

// Splits on runs of spaces and newlines.
std::vector<std::string_view> Fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n') ++j;
    if (j > i) fields.push_back(text.substr(i, j - i));
    i = j;
  }
  return fields;
}

StatusOr<std::string> ReadWholeFile(const char* path) {
  std::ifstream in(path);
  if (!in) return Status::FromErrno(errno, path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

double LimitValue(rlim_t limit) {
  // client_golang reports "unlimited" as the largest uint64.
  return static_cast<double>(limit == RLIM_INFINITY ? ~uint64_t{0}
                                                    : uint64_t{limit});
}

StatusOr<double> BootTimeSeconds() {
  StatusOr<std::string> stat = ReadWholeFile("/proc/stat");
  if (!stat.ok()) return stat.status();
  std::string_view text = *stat;
  const size_t pos = text.find("\nbtime ");
  if (pos != std::string_view::npos) {
    std::string_view rest = text.substr(pos + 7);
    rest = rest.substr(0, rest.find('\n'));
    double btime = 0;
    if (ParseDouble(rest, &btime)) return btime;
  }
  return Status::Corruption("/proc/stat: no btime line");
}

StatusOr<int> CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return Status::FromErrno(errno, "/proc/self/fd");
  int count = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") ++count;
  }
  closedir(dir);
  // The directory stream's own descriptor was counted too; client_golang
  // counts it the same way, so keep it for comparable figures.
  return count;
}

}  // namespace

StatusOr<ProcessStats> ReadProcessStats() {
  StatusOr<std::string> stat = ReadWholeFile("/proc/self/stat");
  if (!stat.ok()) return stat.status();
  // The command name (field 2) is parenthesised and may contain anything,
  // so fields are counted from the last ')'.
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) {
    return Status::Corruption("/proc/self/stat: no ')'");
  }
  std::vector<std::string_view> fields =
      Fields(std::string_view(*stat).substr(close + 1));
  // fields[0] is field 3 (state) of proc(5).
  constexpr size_t kUtime = 14 - 3, kStime = 15 - 3, kStartTime = 22 - 3,
                   kVsize = 23 - 3, kRss = 24 - 3;
  if (fields.size() <= kRss) {
    return Status::Corruption("/proc/self/stat: too few fields");
  }
  double utime = 0, stime = 0, start_ticks = 0, vsize = 0, rss_pages = 0;
  if (!ParseDouble(fields[kUtime], &utime) ||
      !ParseDouble(fields[kStime], &stime) ||
      !ParseDouble(fields[kStartTime], &start_ticks) ||
      !ParseDouble(fields[kVsize], &vsize) ||
      !ParseDouble(fields[kRss], &rss_pages)) {
    return Status::Corruption("/proc/self/stat: bad number");
  }
  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page_size = static_cast<double>(sysconf(_SC_PAGESIZE));

  ProcessStats stats;
  stats.cpu_seconds = (utime + stime) / ticks_per_second;
  stats.resident_memory_bytes = rss_pages * page_size;
  stats.virtual_memory_bytes = vsize;
  StatusOr<double> boot = BootTimeSeconds();
  if (!boot.ok()) return boot.status();
  stats.start_time_seconds = *boot + start_ticks / ticks_per_second;
  StatusOr<int> fds = CountOpenFds();
  if (!fds.ok()) return fds.status();
  stats.open_fds = *fds;
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    stats.max_fds = LimitValue(limit.rlim_cur);
  }
  if (getrlimit(RLIMIT_AS, &limit) == 0) {
    stats.virtual_memory_max_bytes = LimitValue(limit.rlim_cur);
  }
  return stats;
}

void AddProcessCollector(MetricsRegistry* registry) {
  registry->AddCollector(
      {"process_cpu_seconds_total", "process_max_fds", "process_open_fds",
       "process_resident_memory_bytes", "process_start_time_seconds",
       "process_virtual_memory_bytes", "process_virtual_memory_max_bytes"},
      [](std::vector<MetricFamily>* out) {
        StatusOr<ProcessStats> stats = ReadProcessStats();
        if (!stats.ok()) return;
        auto add = [out](const char* name, const char* help, MetricType type,
                         double value) {
          out->push_back(SingleValueFamily(name, help, type, value));
        };
        add("process_cpu_seconds_total",
            "Total user and system CPU time spent in seconds.",
            MetricType::kCounter, stats->cpu_seconds);
        add("process_max_fds", "Maximum number of open file descriptors.",
            MetricType::kGauge, stats->max_fds);
        add("process_open_fds", "Number of open file descriptors.",
            MetricType::kGauge, stats->open_fds);
        add("process_resident_memory_bytes", "Resident memory size in bytes.",
            MetricType::kGauge, stats->resident_memory_bytes);
        add("process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            MetricType::kGauge, stats->start_time_seconds);
        add("process_virtual_memory_bytes", "Virtual memory size in bytes.",
            MetricType::kGauge, stats->virtual_memory_bytes);
        add("process_virtual_memory_max_bytes",
            "Maximum amount of virtual memory available in bytes.",
            MetricType::kGauge, stats->virtual_memory_max_bytes);
      });
}

}  // namespace strata::server
