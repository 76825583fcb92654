#include "dataset.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "nlohmann/json.hpp"

namespace strata::bench {
namespace {

constexpr int64_t kScrapeIntervalMs = 15000;
constexpr uint64_t kNormalNaN = 0x7ff8000000000001ULL;  // Prometheus's NaN.

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Reads the metric types of a Prometheus /api/v1/metadata answer.
TypeMap LoadTypes(const std::string& path) {
  TypeMap types;
  std::ifstream in(path);
  if (!in) return types;
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("data")) return types;
  for (const auto& [family, entries] : doc["data"].items()) {
    if (entries.is_array() && !entries.empty() && entries[0].contains("type")) {
      types[family] = entries[0]["type"].get<std::string>();
    }
  }
  return types;
}

}  // namespace

bool IsCounterSeries(const std::string& name, const TypeMap& types) {
  if (auto it = types.find(name);
      it != types.end() && it->second != "unknown") {
    return it->second == "counter";  // A summary's quantiles are gauges.
  }
  for (const std::string_view suffix : {"_bucket", "_count", "_sum"}) {
    if (!EndsWith(name, suffix)) continue;
    const std::string family = name.substr(0, name.size() - suffix.size());
    if (auto it = types.find(family); it != types.end()) {
      if (it->second == "histogram" || it->second == "summary" ||
          it->second == "gaugehistogram") {
        return it->second != "gaugehistogram";
      }
    }
  }
  return EndsWith(name, "_total") || EndsWith(name, "_count") ||
         EndsWith(name, "_sum") || EndsWith(name, "_bucket");
}

bool ParseSampleLine(std::string_view line, LabelPairs* labels, double* value,
                     int64_t* ts_ms) {
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  if (i == 0) return false;
  labels->clear();
  labels->emplace_back("__name__", std::string(line.substr(0, i)));
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const size_t eq = line.find('=', i);
      if (eq == std::string_view::npos || eq + 1 >= line.size() ||
          line[eq + 1] != '"') {
        return false;
      }
      std::string name(line.substr(i, eq - i));
      std::string v;
      size_t j = eq + 2;
      while (j < line.size() && line[j] != '"') {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          v += line[j] == 'n' ? '\n' : line[j];
        } else {
          v += line[j];
        }
        ++j;
      }
      if (j >= line.size()) return false;
      labels->emplace_back(std::move(name), std::move(v));
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return false;
    ++i;  // '}'
  }
  while (i < line.size() && line[i] == ' ') ++i;
  const size_t end = std::min(line.find(' ', i), line.size());
  const std::string v(line.substr(i, end - i));
  if (v.empty()) return false;
  char* parse_end = nullptr;
  *value = std::strtod(v.c_str(), &parse_end);  // Takes NaN, +Inf, -Inf.
  if (parse_end == v.c_str()) return false;
  *ts_ms = -1;
  if (end < line.size()) {
    const std::string ts(line.substr(end + 1));
    const double t = std::strtod(ts.c_str(), nullptr);
    // OpenMetrics timestamps are seconds; the Prometheus text format's are
    // milliseconds (integers above 1e11 for any date after 1973).
    *ts_ms = t > 1e11 ? static_cast<int64_t>(t)
                      : static_cast<int64_t>(std::llround(t * 1000));
  }
  return true;
}

bool LoadRecorded(const std::string& om_zst, const std::string& metadata_json,
                  Dataset* out, std::string* error) {
  if (!std::ifstream(om_zst)) {
    *error = "cannot open " + om_zst;
    return false;
  }
  const TypeMap types = LoadTypes(metadata_json);
  const std::string cmd = "zstd -dcq '" + om_zst + "'";
  FILE* in = popen(cmd.c_str(), "r");
  if (in == nullptr) {
    *error = "cannot run zstd";
    return false;
  }
  struct Building {
    RecordedSeries series;
    int64_t first_ts = -1;
  };
  std::map<std::string, size_t> index;  // Label text -> position in `built`.
  std::vector<Building> built;
  LabelPairs labels;
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  int64_t samples = 0;
  while ((n = getline(&buf, &cap, in)) > 0) {
    std::string_view line(buf, static_cast<size_t>(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (line.empty() || line[0] == '#') continue;
    double value;
    int64_t ts;
    if (!ParseSampleLine(line, &labels, &value, &ts) || ts < 0) continue;
    ++samples;
    const std::string key(line.substr(0, line.rfind(' ', line.rfind(' ') - 1)));
    auto [it, inserted] = index.emplace(key, built.size());
    if (inserted) {
      built.emplace_back();
      built.back().series.labels = labels;
      built.back().first_ts = ts;
      built.back().series.phase_ms =
          static_cast<int32_t>(ts % kScrapeIntervalMs);
      built.back().series.counter = IsCounterSeries(labels[0].second, types);
    }
    Building& b = built[it->second];
    int64_t off = (ts - b.first_ts) % kScrapeIntervalMs;
    if (off > kScrapeIntervalMs / 2) off -= kScrapeIntervalMs;
    b.series.values.push_back(value);
    b.series.jitter_ms.push_back(static_cast<int32_t>(off));
  }
  free(buf);
  const int rc = pclose(in);
  if (rc != 0 || built.empty()) {
    *error = "no samples read from " + om_zst + " (zstd exit " +
             std::to_string(rc) + ")";
    return false;
  }
  out->source = om_zst;
  out->recorded_samples = samples;
  out->series.clear();
  out->series.reserve(built.size());
  for (Building& b : built) {
    RecordedSeries& s = b.series;
    // promtool dump writes staleness markers and real NaNs alike as NaN.
    // Among numbers they are staleness (the series went away and came
    // back): dropped. A series of nothing but NaN (a summary quantile with
    // no observations) keeps Prometheus's normal NaN.
    size_t kept = 0;
    for (size_t i = 0; i < s.values.size(); ++i) {
      if (std::isnan(s.values[i])) continue;
      s.values[kept] = s.values[i];
      s.jitter_ms[kept++] = s.jitter_ms[i];
    }
    if (kept == 0) {
      for (double& v : s.values) v = std::bit_cast<double>(kNormalNaN);
      s.counter = false;
    } else {
      s.values.resize(kept);
      s.jitter_ms.resize(kept);
    }
    out->series.push_back(std::move(s));
  }
  return true;
}

}  // namespace strata::bench
