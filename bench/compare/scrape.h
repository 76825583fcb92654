// The fallback seed when no recorded dataset is present: start the Debian
// prometheus-node-exporter and prometheus on loopback ports, scrape their
// /metrics `scrapes` times one second apart, and keep every series as a
// RecordedSeries (job="node" / job="prometheus", types from # TYPE lines).
#ifndef STRATA_BENCH_COMPARE_SCRAPE_H_
#define STRATA_BENCH_COMPARE_SCRAPE_H_

#include <string>

#include "dataset.h"

namespace strata::bench {

struct ScrapeOptions {
  std::string node_exporter = "/usr/bin/prometheus-node-exporter";
  std::string prometheus = "/usr/bin/prometheus";
  std::string work_dir;  // For the scraped Prometheus's data dir and logs.
  int scrapes = 8;
};

bool ScrapeLive(const ScrapeOptions& options, Dataset* out, std::string* error);

// Adds the samples of one scrape (text exposition format) of `job` /
// `instance` to `out`, keyed by label set; `types` collects # TYPE lines.
// Exposed for tests.
void AddScrape(const std::string& text, const std::string& job,
               const std::string& instance, TypeMap* types,
               std::map<std::string, RecordedSeries>* out);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_SCRAPE_H_
