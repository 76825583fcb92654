#include "server/remote/metadata_store.h"

#include <algorithm>
#include <memory>

#include "util/coding.h"
#include "util/crc32c.h"
#include "util/file_system.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// See proto/FORMAT.md ("Metadata file").
constexpr std::string_view kMagic = "STRATAMD";
constexpr uint8_t kFormatVersion = 1;
constexpr size_t kCrcBytes = 4;

}  // namespace

MetadataStore::MetadataStore(FileSystem* fs, std::string path)
    : fs_(fs != nullptr ? fs : FileSystem::Default()), path_(std::move(path)) {}

Status MetadataStore::Load() {
  if (path_.empty()) return Status::OK();
  MutexLock flush_lock(&flush_mu_);
  MutexLock lock(&mu_);
  metrics_.clear();
  if (!fs_->Exists(path_)) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(std::string data, fs_->ReadFile(path_));
  const auto corrupt = [&](std::string_view what) {
    metrics_.clear();
    return Status::Corruption(Cat(path_, ": ", what));
  };
  if (data.size() < kMagic.size() + 1 + kCrcBytes ||
      std::string_view(data).substr(0, kMagic.size()) != kMagic) {
    return corrupt("not a metadata file");
  }
  const std::string_view body(data.data(), data.size() - kCrcBytes);
  if (crc32c::Value(body) != DecodeBE32(data.data() + body.size())) {
    return corrupt("checksum mismatch");
  }
  std::string_view in = body.substr(kMagic.size());
  uint8_t version;
  if (!GetByte(&in, &version) || version != kFormatVersion) {
    return corrupt("unsupported version");
  }
  uint64_t metrics;
  if (!GetUvarint(&in, &metrics)) return corrupt("truncated");
  for (uint64_t i = 0; i < metrics; ++i) {
    std::string_view name;
    uint64_t entries;
    if (!GetLengthPrefixed(&in, &name) || !GetUvarint(&in, &entries) ||
        entries > kMaxEntriesPerMetric) {
      return corrupt("truncated");
    }
    std::vector<MetadataEntry>& list = metrics_[std::string(name)];
    for (uint64_t j = 0; j < entries; ++j) {
      std::string_view type, help, unit;
      if (!GetLengthPrefixed(&in, &type) || !GetLengthPrefixed(&in, &help) ||
          !GetLengthPrefixed(&in, &unit)) {
        return corrupt("truncated");
      }
      list.push_back({std::string(type), std::string(help), std::string(unit)});
    }
  }
  if (!in.empty()) return corrupt("trailing bytes");
  ++version_;
  written_version_ = version_;
  return Status::OK();
}

bool MetadataStore::Update(std::string_view metric, std::string_view type,
                           std::string_view help, std::string_view unit) {
  const auto same = [&](const MetadataEntry& e) {
    return e.type == type && e.help == help && e.unit == unit;
  };
  {
    // The common case: nothing new.
    ReaderMutexLock lock(&mu_);
    auto it = metrics_.find(absl::string_view(metric.data(), metric.size()));
    if (it != metrics_.end() && !it->second.empty() &&
        same(it->second.front())) {
      return false;
    }
  }
  MutexLock lock(&mu_);
  auto it = metrics_.find(absl::string_view(metric.data(), metric.size()));
  if (it == metrics_.end()) {
    if (metrics_.size() >= kMaxMetrics) {
      ++dropped_;
      return false;
    }
    it = metrics_.emplace(std::string(metric), std::vector<MetadataEntry>())
             .first;
  }
  std::vector<MetadataEntry>& list = it->second;
  if (!list.empty() && same(list.front())) return false;
  auto old = std::find_if(list.begin(), list.end(), same);
  if (old != list.end()) {
    std::rotate(list.begin(), old, old + 1);  // Move it to the front.
  } else {
    if (list.size() >= kMaxEntriesPerMetric) list.pop_back();
    list.insert(list.begin(),
                {std::string(type), std::string(help), std::string(unit)});
  }
  ++version_;
  return true;
}

std::string MetadataStore::Encode() const {
  std::vector<const std::pair<const std::string, std::vector<MetadataEntry>>*>
      sorted;
  sorted.reserve(metrics_.size());
  for (const auto& kv : metrics_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string out(kMagic);
  out.push_back(static_cast<char>(kFormatVersion));
  PutUvarint(&out, sorted.size());
  for (const auto* kv : sorted) {
    PutLengthPrefixed(&out, kv->first);
    PutUvarint(&out, kv->second.size());
    for (const MetadataEntry& e : kv->second) {
      PutLengthPrefixed(&out, e.type);
      PutLengthPrefixed(&out, e.help);
      PutLengthPrefixed(&out, e.unit);
    }
  }
  PutBE32(&out, crc32c::Value(out));
  return out;
}

Status MetadataStore::Flush() {
  if (path_.empty()) return Status::OK();
  MutexLock flush_lock(&flush_mu_);
  std::string data;
  uint64_t version;
  {
    ReaderMutexLock lock(&mu_);
    if (version_ == written_version_) return Status::OK();
    version = version_;
    data = Encode();
  }
  last_flush_ = std::chrono::steady_clock::now();
  const Status st = WriteFileAtomically(fs_, path_, data);
  if (!st.ok()) return st.WithContext("writing metadata file");
  written_version_ = version;
  return Status::OK();
}

Status MetadataStore::MaybeFlush(
    std::chrono::steady_clock::duration min_interval) {
  {
    MutexLock flush_lock(&flush_mu_);
    if (std::chrono::steady_clock::now() - last_flush_ < min_interval) {
      return Status::OK();
    }
  }
  return Flush();
}

std::vector<std::pair<std::string, std::vector<MetadataEntry>>>
MetadataStore::List(std::string_view metric, int64_t limit,
                    int64_t limit_per_metric) const {
  std::vector<std::pair<std::string, std::vector<MetadataEntry>>> out;
  {
    ReaderMutexLock lock(&mu_);
    if (!metric.empty()) {
      auto it = metrics_.find(absl::string_view(metric.data(), metric.size()));
      if (it != metrics_.end()) out.emplace_back(it->first, it->second);
    } else {
      out.reserve(metrics_.size());
      for (const auto& [name, entries] : metrics_) {
        out.emplace_back(name, entries);
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  if (limit >= 0 && out.size() > static_cast<size_t>(limit)) {
    out.resize(static_cast<size_t>(limit));
  }
  if (limit_per_metric >= 0) {
    for (auto& [name, entries] : out) {
      if (entries.size() > static_cast<size_t>(limit_per_metric)) {
        entries.resize(static_cast<size_t>(limit_per_metric));
      }
    }
  }
  return out;
}

size_t MetadataStore::size() const {
  ReaderMutexLock lock(&mu_);
  return metrics_.size();
}

int64_t MetadataStore::dropped() const {
  ReaderMutexLock lock(&mu_);
  return dropped_;
}

}  // namespace strata::server
