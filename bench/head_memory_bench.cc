// bench-deps: strata_db
//
// Head RAM per series. Creates N series (default 1,000,000) with
// Prometheus-like label sets (10 labels, about 250 bytes of names and
// values), appends one sample each, and reports the growth of the
// process's resident memory per series. Then fills one whole chunk (120
// samples of 15 s data) per series and reports again.
//
// Usage: head_memory_bench [series]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "strata/db.h"
#include "temp_dir.h"

namespace {

int64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * sysconf(_SC_PAGESIZE);
}

strata::Labels SeriesLabels(int64_t i, size_t* bytes) {
  static const char* kMetrics[] = {"node_cpu_seconds_total",
                                   "node_memory_MemAvailable_bytes",
                                   "node_network_receive_bytes_total",
                                   "node_disk_io_time_seconds_total",
                                   "container_cpu_usage_seconds_total",
                                   "http_requests_total",
                                   "http_request_duration_seconds_bucket",
                                   "process_resident_memory_bytes"};
  const int64_t host = i / 100;
  char pod[64];
  std::snprintf(pod, sizeof(pod), "checkout-api-7d9f8b6c5-%05lx",
                static_cast<long>(host * 2654435761 % 1048573));
  char instance[64];
  std::snprintf(instance, sizeof(instance), "10.%ld.%ld.%ld:9100",
                static_cast<long>(host >> 16 & 255),
                static_cast<long>(host >> 8 & 255),
                static_cast<long>(host & 255));
  strata::Labels l = strata::Labels::Of({
      {"__name__", kMetrics[i % 8]},
      {"instance", instance},
      {"job", "kubernetes-pods"},
      {"namespace", "checkout-production"},
      {"pod", pod},
      {"container", "checkout-api-server"},
      {"cluster", "prod-eu-west-1-primary"},
      {"region", "eu-west-1"},
      {"zone", "eu-west-1b"},
      {"series_index", std::to_string(i % 100)},
  });
  *bytes = 0;
  for (const auto& label : l) *bytes += label.name.size() + label.value.size();
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const strata::testing::TempDir tmp("strata-mem");
  const std::string& dir = tmp.path();
  strata::Options options;
  auto db_or = strata::DB::Open(options, dir);
  if (!db_or.ok()) {
    std::fprintf(stderr, "open: %s\n", db_or.status().ToString().c_str());
    return 1;
  }
  auto db = std::move(db_or).value();
  std::vector<strata::SeriesRef> refs(n);
  const int64_t rss0 =
      RssBytes() + static_cast<int64_t>(n) * 8;  // refs vector excluded
  size_t label_bytes = 0;
  auto start = std::chrono::steady_clock::now();
  auto app = db->NewAppender();
  for (int64_t i = 0; i < n; ++i) {
    size_t b;
    strata::Labels l = SeriesLabels(i, &b);
    label_bytes += b;
    auto ref = app->Append(l, 0, 1.0);
    if (!ref.ok()) {
      std::fprintf(stderr, "append: %s\n", ref.status().ToString().c_str());
      return 1;
    }
    refs[i] = *ref;
    if (i % 1000 == 999 && !app->Commit().ok()) return 1;
  }
  if (!app->Commit().ok()) return 1;
  const double create_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const int64_t rss1 = RssBytes();
  std::printf("series: %ld, avg label bytes: %.0f, created in %.1f s\n",
              static_cast<long>(n), static_cast<double>(label_bytes) / n,
              create_s);
  std::printf("RSS per series, 1 sample:    %.0f bytes\n",
              static_cast<double>(rss1 - rss0) / n);
  // Counter-like values: each series grows by its own step.
  for (int k = 1; k < 120; ++k) {
    for (int64_t i = 0; i < n; ++i) {
      (void)app->Append(refs[i], k * 15000LL,
                        1.0 + k * static_cast<double>(i % 7 + 1));
      if (i % 10000 == 9999) (void)app->Commit();
    }
    (void)app->Commit();
  }
  const int64_t rss2 = RssBytes();
  std::printf(
      "RSS per series, 120 samples: %.0f bytes (one full XOR chunk each)\n",
      static_cast<double>(rss2 - rss0) / n);
  (void)db->Close();
  return 0;
}
