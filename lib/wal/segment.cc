#include "wal/segment.h"

#include <algorithm>
#include <cstdio>

#include "util/coding.h"
#include "util/crc32c.h"

namespace strata::wal {
namespace {

constexpr std::string_view kCheckpointPrefix = "checkpoint.";
constexpr std::string_view kAbandonSuffix = ".abandoned";
constexpr size_t kMarkerBytes = 12;

// Parses a non-empty string of digits that fits an int; -1 otherwise.
int ParseIndex(std::string_view digits) {
  if (digits.empty() || digits.size() > 9) return -1;
  int v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::string SegmentName(int index) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08d", index);
  return buf;
}

std::string SegmentPath(std::string_view dir, int index) {
  return JoinPath(dir, SegmentName(index));
}

int ParseSegmentName(std::string_view name) { return ParseIndex(name); }

StatusOr<std::vector<SegmentRef>> ListSegments(FileSystem* fs,
                                               const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::vector<SegmentRef> refs;
  for (std::string& name : names) {
    const int index = ParseSegmentName(name);
    if (index >= 0) refs.push_back(SegmentRef{index, std::move(name)});
  }
  std::sort(refs.begin(), refs.end(),
            [](const SegmentRef& a, const SegmentRef& b) {
              return a.index < b.index;
            });
  return refs;
}

StatusOr<SegmentRange> GetSegmentRange(FileSystem* fs, const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<SegmentRef> refs, ListSegments(fs, dir));
  if (refs.empty()) return SegmentRange{};
  return SegmentRange{refs.front().index, refs.back().index};
}

Status RemoveSegmentsBefore(FileSystem* fs, const std::string& dir, int index) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  bool removed = false;
  for (const std::string& name : names) {
    // Segments, and abandon markers whether readable or not.
    std::string_view base(name);
    if (base.ends_with(kAbandonSuffix))
      base.remove_suffix(kAbandonSuffix.size());
    const int n = ParseSegmentName(base);
    if (n < 0 || n >= index) continue;
    STRATA_RETURN_IF_ERROR(fs->RemoveFile(JoinPath(dir, name)));
    removed = true;
  }
  return removed ? fs->SyncDir(dir) : Status::OK();
}

std::string CheckpointName(int index) {
  return std::string(kCheckpointPrefix) + SegmentName(index);
}

int ParseCheckpointName(std::string_view name) {
  if (!name.starts_with(kCheckpointPrefix)) return -1;
  return ParseIndex(name.substr(kCheckpointPrefix.size()));
}

StatusOr<std::vector<CheckpointRef>> ListCheckpoints(FileSystem* fs,
                                                     const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::vector<CheckpointRef> refs;
  for (std::string& name : names) {
    const int index = ParseCheckpointName(name);
    if (index >= 0) refs.push_back(CheckpointRef{index, std::move(name)});
  }
  std::sort(refs.begin(), refs.end(),
            [](const CheckpointRef& a, const CheckpointRef& b) {
              return a.index < b.index;
            });
  return refs;
}

std::string AbandonMarkerName(int index) {
  return SegmentName(index) + std::string(kAbandonSuffix);
}

std::string AbandonMarkerPath(std::string_view dir, int index) {
  return JoinPath(dir, AbandonMarkerName(index));
}

Status WriteAbandonMarker(FileSystem* fs, const std::string& dir, int index,
                          int64_t valid_bytes) {
  std::string content;
  PutBE64(&content, static_cast<uint64_t>(valid_bytes));
  PutBE32(&content, crc32c::Value(content));
  const std::string path = AbandonMarkerPath(dir, index);
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f,
                          fs->NewWritableFile(path));
  STRATA_RETURN_IF_ERROR(f->Append(content));
  STRATA_RETURN_IF_ERROR(f->Sync());
  STRATA_RETURN_IF_ERROR(f->Close());
  return fs->SyncDir(dir);
}

StatusOr<std::map<int, int64_t>> ReadAbandonMarkers(FileSystem* fs,
                                                    const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::map<int, int64_t> markers;
  for (const std::string& name : names) {
    if (!name.ends_with(kAbandonSuffix)) continue;
    const int index = ParseSegmentName(
        std::string_view(name).substr(0, name.size() - kAbandonSuffix.size()));
    if (index < 0) continue;
    StatusOr<std::string> content = fs->ReadFile(JoinPath(dir, name));
    if (!content.ok() || content->size() != kMarkerBytes) continue;
    const std::string_view v(*content);
    if (crc32c::Value(v.substr(0, 8)) != DecodeBE32(v.data() + 8)) continue;
    markers[index] = static_cast<int64_t>(DecodeBE64(v.data()));
  }
  return markers;
}

}  // namespace strata::wal
