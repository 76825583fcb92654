#include "server/api/tsdb_status.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "util/strings.h"

namespace strata::server {
namespace {

// Top-N entries by count, largest first; ties by name for stable output.
using NameCount = std::pair<std::string, uint64_t>;
std::vector<NameCount> TopN(const absl::flat_hash_map<std::string, uint64_t>& m,
                            int64_t n) {
  std::vector<NameCount> all(m.begin(), m.end());
  const size_t keep = std::min<size_t>(all.size(), static_cast<size_t>(n));
  std::partial_sort(all.begin(), all.begin() + keep, all.end(),
                    [](const NameCount& a, const NameCount& b) {
                      if (a.second != b.second) return a.second > b.second;
                      return a.first < b.first;
                    });
  all.resize(keep);
  return all;
}

void AppendStatList(std::string* out, std::string_view key,
                    const std::vector<NameCount>& stats) {
  out->push_back('"');
  out->append(key);
  out->append("\":[");
  for (size_t i = 0; i < stats.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(R"({"name":)");
    AppendJsonString(out, stats[i].first);
    out->append(R"(,"value":)");
    out->append(std::to_string(stats[i].second));
    out->push_back('}');
  }
  out->push_back(']');
}

void AppendMember(std::string* out, std::string_view key, int64_t value) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
  out->append(std::to_string(value));
}

}  // namespace

void CardinalityCounts::Add(const Labels& labels) {
  ++num_series_;
  for (const Label& l : labels) {
    if (l.name == kMetricNameLabel) ++series_by_metric_[l.value];
    uint64_t& pair_count = series_by_pair_[l.name + "=" + l.value];
    if (pair_count++ == 0) ++values_by_name_[l.name];
    value_bytes_by_name_[l.name] += l.value.size();
    label_value_bytes_ += static_cast<int64_t>(l.value.size());
  }
}

void CardinalityCounts::AppendTopLists(int64_t top_n, std::string* out) const {
  AppendStatList(out, "seriesCountByMetricName",
                 TopN(series_by_metric_, top_n));
  out->push_back(',');
  AppendStatList(out, "labelValueCountByLabelName",
                 TopN(values_by_name_, top_n));
  out->push_back(',');
  AppendStatList(out, "memoryInBytesByLabelName",
                 TopN(value_bytes_by_name_, top_n));
  out->push_back(',');
  AppendStatList(out, "seriesCountByLabelValuePair",
                 TopN(series_by_pair_, top_n));
}

std::string BlocksJson(const std::vector<BlockInfo>& blocks) {
  std::string out = "[";
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BlockInfo& b = blocks[i];
    if (i > 0) out.push_back(',');
    out.append(R"({"ulid":)");
    AppendJsonString(&out, b.ulid);
    out.push_back(',');
    AppendMember(&out, "minTime", b.min_time);
    out.push_back(',');
    AppendMember(&out, "maxTime", b.max_time);
    out.append(R"(,"stats":{)");
    AppendMember(&out, "numSamples", b.num_samples);
    out.push_back(',');
    AppendMember(&out, "numSeries", b.num_series);
    out.push_back(',');
    AppendMember(&out, "numChunks", b.num_chunks);
    out.push_back(',');
    AppendMember(&out, "numTombstones", b.num_tombstones);
    out.append(R"(},"compaction":{)");
    AppendMember(&out, "level", b.level);
    out.append(R"(,"sources":[)");
    for (size_t s = 0; s < b.sources.size(); ++s) {
      if (s > 0) out.push_back(',');
      AppendJsonString(&out, b.sources[s]);
    }
    out.append("]},");
    AppendMember(&out, "sizeBytes", b.size_bytes);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace strata::server
