#include "wal/replay.h"

#include <ctime>
#include <map>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "util/log.h"
#include "wal/segment.h"
#include "wal/segment_reader.h"

namespace strata::wal {
namespace {

constexpr std::string_view kRepairSuffix = ".repair";

std::string TrimTrailingSlashes(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

std::string UniqueQuarantineDir(FileSystem* fs, const std::string& dir) {
  const std::string base =
      absl::StrCat(TrimTrailingSlashes(dir), "-quarantine-",
                   static_cast<int64_t>(std::time(nullptr)));
  std::string candidate = base;
  for (int n = 1; fs->Exists(candidate); ++n)
    candidate = absl::StrCat(base, "-", n);
  return candidate;
}

Status WriteWholeFile(FileSystem* fs, const std::string& path,
                      std::string_view data) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f,
                          fs->NewWritableFile(path));
  STRATA_RETURN_IF_ERROR(f->Append(data));
  STRATA_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

// Cuts a segment to `size` bytes durably.
Status TruncateSegment(FileSystem* fs, const std::string& path, int64_t size) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f,
                          fs->NewAppendableFile(path));
  STRATA_RETURN_IF_ERROR(f->Truncate(size));
  STRATA_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

// Moves segments[from..] (and abandon markers of those indexes) of `dir`
// into a quarantine directory. If `prefix` is set, segments[from] is kept in
// place rewritten to those bytes, its original going to the quarantine too.
Status Quarantine(FileSystem* fs, const std::string& dir,
                  const std::vector<SegmentRef>& segments, size_t from,
                  std::optional<std::string_view> prefix,
                  std::string_view original,
                  const std::map<int, int64_t>& markers,
                  const ReplayOptions& options, ReplayResult* result) {
  const std::string qdir = options.quarantine_dir.empty()
                               ? UniqueQuarantineDir(fs, dir)
                               : options.quarantine_dir;
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(qdir));
  result->quarantine_dir = qdir;

  const SegmentRef& damaged = segments[from];
  const std::string damaged_path = JoinPath(dir, damaged.name);
  const std::string repair_path = damaged_path + std::string(kRepairSuffix);
  // Order matters for crash safety: at every step the WAL directory holds
  // either the original damaged segment or its clean prefix, never neither.
  if (prefix.has_value()) {
    STRATA_RETURN_IF_ERROR(WriteWholeFile(fs, repair_path, *prefix));
    const std::string keep = JoinPath(qdir, damaged.name);
    if (!fs->Link(damaged_path, keep).ok()) {
      STRATA_RETURN_IF_ERROR(WriteWholeFile(fs, keep, original));
    }
    result->quarantined.push_back(damaged.name);
  }
  for (size_t j = prefix.has_value() ? from + 1 : from; j < segments.size();
       ++j) {
    STRATA_RETURN_IF_ERROR(fs->Rename(JoinPath(dir, segments[j].name),
                                      JoinPath(qdir, segments[j].name)));
    result->quarantined.push_back(segments[j].name);
  }
  for (const auto& [index, valid] : markers) {
    if (index < damaged.index) continue;
    const std::string name = AbandonMarkerName(index);
    STRATA_RETURN_IF_ERROR(
        fs->Rename(JoinPath(dir, name), JoinPath(qdir, name)));
    result->quarantined.push_back(name);
  }
  if (prefix.has_value()) {
    STRATA_RETURN_IF_ERROR(fs->Rename(repair_path, damaged_path));
  }
  STRATA_RETURN_IF_ERROR(fs->SyncDir(qdir));
  return fs->SyncDir(dir);
}

// Deletes leftovers of an interrupted repair: a ".repair" file is always a
// copy of a prefix of a segment that still exists.
Status RemoveStaleRepairFiles(FileSystem* fs, const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  for (const std::string& name : names) {
    if (name.ends_with(kRepairSuffix) &&
        ParseSegmentName(std::string_view(name).substr(
            0, name.size() - kRepairSuffix.size())) >= 0) {
      STRATA_RETURN_IF_ERROR(fs->RemoveFile(JoinPath(dir, name)));
    }
  }
  return Status::OK();
}

}  // namespace

Status ReplayWal(FileSystem* fs, const std::string& dir,
                 const RecordCallback& callback, ReplayResult* result,
                 const ReplayOptions& options) {
  *result = ReplayResult{};
  if (fs == nullptr) fs = FileSystem::Default();
  if (!fs->IsDirectory(dir)) return Status::OK();
  if (options.repair) STRATA_RETURN_IF_ERROR(RemoveStaleRepairFiles(fs, dir));
  STRATA_ASSIGN_OR_RETURN(std::vector<SegmentRef> segments,
                          ListSegments(fs, dir));
  STRATA_ASSIGN_OR_RETURN(auto markers, ReadAbandonMarkers(fs, dir));

  // Records damage at (segments[i], offset) and quarantines from there.
  auto corrupt = [&](size_t i, int64_t offset, const Status& reason,
                     std::optional<std::string_view> prefix,
                     std::string_view original) -> Status {
    const SegmentRef& seg = segments[i];
    result->corruption = Status::Corruption(
        absl::StrCat("wal segment ", seg.name, " offset ", offset, ": ",
                     std::string(reason.message())));
    result->corrupt_segment = seg.index;
    result->corrupt_offset = offset;
    STRATA_LOG(kWarn, "WAL corruption; replay stops here",
               {{"dir", dir},
                {"segment", seg.name},
                {"offset", absl::StrCat(offset)},
                {"err", std::string(reason.message())}});
    if (!options.repair) return result->corruption;
    STRATA_RETURN_IF_ERROR(Quarantine(fs, dir, segments, i, prefix, original,
                                      markers, options, result));
    STRATA_LOG(kWarn, "Moved damaged WAL segments to quarantine",
               {{"dir", result->quarantine_dir},
                {"files", absl::StrCat(result->quarantined.size())}});
    return Status::OK();
  };

  for (size_t i = 0; i < segments.size(); ++i) {
    const SegmentRef& seg = segments[i];
    if (i > 0 && seg.index != segments[i - 1].index + 1) {
      return corrupt(i, 0,
                     Status::Corruption(
                         absl::StrCat("segments ", segments[i - 1].index + 1,
                                      " to ", seg.index - 1, " are missing")),
                     std::nullopt, {});
    }
    const std::string path = JoinPath(dir, seg.name);
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> map, fs->MapFile(path));
    const std::string_view data = map->data();
    if (result->first_segment < 0) result->first_segment = seg.index;
    result->last_segment = seg.index;
    result->bytes += static_cast<int64_t>(data.size());

    SegmentReader reader(data);
    std::string_view record;
    while (reader.Next(&record)) {
      Status s = callback(record);
      if (s.ok()) {
        ++result->records;
        continue;
      }
      if (!s.IsCorruption() || !options.quarantine_on_callback_corruption) {
        return s;
      }
      const int64_t at = reader.record_offset();
      return corrupt(i, at, s, data.substr(0, at), data);
    }
    if (reader.status().ok()) continue;

    const int64_t cut = reader.record_offset();
    const auto marker = markers.find(seg.index);
    const bool abandoned_tail =
        marker != markers.end() && cut >= marker->second;
    const bool last_torn =
        i + 1 == segments.size() &&
        !SegmentReader::ValidFragmentFollows(data, reader.error_offset());
    if (!abandoned_tail && !last_torn) {
      return corrupt(i, cut, reader.status(), data.substr(0, cut), data);
    }
    TornTail torn{seg.index, cut, static_cast<int64_t>(data.size()) - cut,
                  reader.status()};
    STRATA_LOG(kWarn, "Cutting torn tail of WAL segment",
               {{"segment", seg.name},
                {"offset", absl::StrCat(cut)},
                {"bytes", absl::StrCat(torn.bytes_dropped)},
                {"err", std::string(reader.status().message())}});
    map.reset();  // Unmap before the file shrinks under the mapping.
    if (options.repair) STRATA_RETURN_IF_ERROR(TruncateSegment(fs, path, cut));
    result->torn_tails.push_back(std::move(torn));
  }
  return Status::OK();
}

Status ReadSegments(FileSystem* fs, const std::string& dir, int first, int last,
                    const RecordCallback& callback) {
  if (fs == nullptr) fs = FileSystem::Default();
  STRATA_ASSIGN_OR_RETURN(std::vector<SegmentRef> segments,
                          ListSegments(fs, dir));
  int prev = -1;
  for (const SegmentRef& seg : segments) {
    if (first >= 0 && seg.index < first) continue;
    if (last >= 0 && seg.index > last) break;
    if (prev >= 0 && seg.index != prev + 1) {
      return Status::Corruption(absl::StrCat(
          "wal segment ", seg.name, ": segments before it are missing"));
    }
    prev = seg.index;
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> map,
                            fs->MapFile(JoinPath(dir, seg.name)));
    SegmentReader reader(map->data());
    std::string_view record;
    while (reader.Next(&record)) STRATA_RETURN_IF_ERROR(callback(record));
    if (!reader.status().ok()) {
      return Status::Corruption(
          absl::StrCat("wal segment ", seg.name, ": ",
                       std::string(reader.status().message())));
    }
  }
  return Status::OK();
}

}  // namespace strata::wal
