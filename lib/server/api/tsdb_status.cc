#include "server/api/tsdb_status.h"

#include <algorithm>
#include <initializer_list>
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

// Appends `"key":value` members, comma-separated.
void AppendMembers(
    std::string* out,
    std::initializer_list<std::pair<std::string_view, int64_t>> members) {
  bool first = true;
  for (const auto& [key, value] : members) {
    if (!first) out->push_back(',');
    first = false;
    out->push_back('"');
    out->append(key);
    out->append("\":");
    out->append(std::to_string(value));
  }
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
    AppendMembers(&out, {{"minTime", b.min_time}, {"maxTime", b.max_time}});
    out.append(R"(,"stats":{)");
    AppendMembers(&out, {{"numSamples", b.num_samples},
                         {"numSeries", b.num_series},
                         {"numChunks", b.num_chunks},
                         {"numTombstones", b.num_tombstones}});
    out.append(R"(},"compaction":{)");
    AppendMembers(&out, {{"level", b.level}});
    out.append(R"(,"sources":[)");
    for (size_t s = 0; s < b.sources.size(); ++s) {
      if (s > 0) out.push_back(',');
      AppendJsonString(&out, b.sources[s]);
    }
    out.append("]},");
    AppendMembers(&out, {{"sizeBytes", b.size_bytes}});
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace strata::server
