#include "scrape.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#define XXH_STATIC_LINKING_ONLY
#include "http_client/http_client.h"
#include "server_process.h"
#include "workload.h"
#include "xxhash.h"

namespace strata::bench {

void AddScrape(const std::string& text, const std::string& job,
               const std::string& instance, TypeMap* types,
               std::map<std::string, RecordedSeries>* out) {
  std::istringstream in(text);
  std::string line;
  LabelPairs labels;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string family, type;
      words >> family >> type;
      (*types)[family] = type;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    double value;
    int64_t ts;
    if (!ParseSampleLine(line, &labels, &value, &ts) || std::isnan(value)) {
      continue;
    }
    std::erase_if(labels, [](const auto& l) {
      return l.first == "job" || l.first == "instance";
    });
    labels.emplace_back("job", job);
    labels.emplace_back("instance", instance);
    std::string key;
    for (const auto& [n, v] : labels) key += n + "=" + v + ",";
    RecordedSeries& s = (*out)[key];
    if (s.values.empty()) {
      s.labels = labels;
      s.phase_ms = static_cast<int32_t>(XXH3_64bits(job.data(), job.size()) %
                                        static_cast<uint64_t>(kStepMs));
    }
    s.values.push_back(value);
    s.jitter_ms.push_back(0);
  }
}

bool ScrapeLive(const ScrapeOptions& options, Dataset* out,
                std::string* error) {
  const std::string dir = options.work_dir + "/live-scrape";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream(dir + "/prometheus.yml") << "global: {}\n";
  const int node_port = FreePort();
  const int prom_port = FreePort();
  auto node = ServerProcess::Start(
      {options.node_exporter,
       "--web.listen-address=127.0.0.1:" + std::to_string(node_port)},
      dir + "/node_exporter.log", {}, node_port);
  auto prom = ServerProcess::Start(
      {options.prometheus, "--config.file=" + dir + "/prometheus.yml",
       "--storage.tsdb.path=" + dir + "/data",
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
      dir + "/prometheus.log", {}, prom_port);
  if (node == nullptr || prom == nullptr || !prom->WaitReady(60)) {
    *error = "could not start node_exporter and prometheus to scrape";
    return false;
  }
  TypeMap types;
  std::map<std::string, RecordedSeries> series;
  for (int i = 0; i < options.scrapes; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::seconds(1));
    for (const auto& [port, job] :
         {std::pair{node_port, "node"}, std::pair{prom_port, "prometheus"}}) {
      StatusOr<http_client::Response> r = http_client::Get(port, "/metrics");
      if (r.ok() && r->status == 200) {
        AddScrape(r->body, job, "127.0.0.1:" + std::to_string(port), &types,
                  &series);
      }
    }
  }
  node->Stop(10);
  prom->Stop(30);
  std::filesystem::remove_all(dir + "/data", ec);
  out->series.clear();
  out->recorded_samples = 0;
  for (auto& [key, s] : series) {
    s.counter = IsCounterSeries(s.labels[0].second, types);
    out->recorded_samples += static_cast<int64_t>(s.values.size());
    out->series.push_back(std::move(s));
  }
  out->source = "live scrapes of prometheus-node-exporter and prometheus (" +
                std::to_string(options.scrapes) + " scrapes)";
  if (out->series.empty()) {
    *error = "the live scrapes returned no series";
    return false;
  }
  return true;
}

}  // namespace strata::bench
