#include "wal/replay.h"

#include <algorithm>
#include <ctime>
#include <limits>
#include <map>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "util/log.h"
#include "wal/framing.h"
#include "wal/log_format.h"
#include "wal/salvage.h"
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

std::string QuarantineDir(FileSystem* fs, const std::string& dir,
                          const ReplayOptions& options, ReplayResult* result) {
  if (result->quarantine_dir.empty()) {
    result->quarantine_dir = options.quarantine_dir.empty()
                                 ? UniqueQuarantineDir(fs, dir)
                                 : options.quarantine_dir;
  }
  return result->quarantine_dir;
}

// Moves the abandon marker of segment `index`, if any, into `qdir`.
Status QuarantineMarker(FileSystem* fs, const std::string& dir,
                        const std::string& qdir, int index,
                        const std::map<int, int64_t>& markers,
                        ReplayResult* result) {
  if (!markers.contains(index)) return Status::OK();
  const std::string name = AbandonMarkerName(index);
  STRATA_RETURN_IF_ERROR(fs->Rename(JoinPath(dir, name), JoinPath(qdir, name)));
  result->quarantined.push_back(name);
  return Status::OK();
}

// Replaces a damaged segment by `clean` (the records replay delivered),
// keeping the original bytes in the quarantine. Order matters for crash
// safety: at every step the WAL directory holds either the damaged segment
// or its clean image, never neither.
Status RewriteSegment(FileSystem* fs, const std::string& dir,
                      const SegmentRef& seg, std::string_view clean,
                      std::string_view original,
                      const std::map<int, int64_t>& markers,
                      const ReplayOptions& options, ReplayResult* result) {
  const std::string qdir = QuarantineDir(fs, dir, options, result);
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(qdir));
  const std::string path = JoinPath(dir, seg.name);
  const std::string repair_path = path + std::string(kRepairSuffix);
  STRATA_RETURN_IF_ERROR(WriteWholeFile(fs, repair_path, clean));
  const std::string keep = JoinPath(qdir, seg.name);
  if (!fs->Link(path, keep).ok()) {
    STRATA_RETURN_IF_ERROR(WriteWholeFile(fs, keep, original));
  }
  result->quarantined.push_back(seg.name);
  // The marker describes the original bytes, not the clean image.
  STRATA_RETURN_IF_ERROR(
      QuarantineMarker(fs, dir, qdir, seg.index, markers, result));
  STRATA_RETURN_IF_ERROR(fs->Rename(repair_path, path));
  STRATA_RETURN_IF_ERROR(fs->SyncDir(qdir));
  return fs->SyncDir(dir);
}

// Moves segments[from..] and their abandon markers into the quarantine.
Status QuarantineFrom(FileSystem* fs, const std::string& dir,
                      const std::vector<SegmentRef>& segments, size_t from,
                      const std::map<int, int64_t>& markers,
                      const ReplayOptions& options, ReplayResult* result) {
  const std::string qdir = QuarantineDir(fs, dir, options, result);
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(qdir));
  for (size_t j = from; j < segments.size(); ++j) {
    STRATA_RETURN_IF_ERROR(fs->Rename(JoinPath(dir, segments[j].name),
                                      JoinPath(qdir, segments[j].name)));
    result->quarantined.push_back(segments[j].name);
    STRATA_RETURN_IF_ERROR(
        QuarantineMarker(fs, dir, qdir, segments[j].index, markers, result));
  }
  STRATA_RETURN_IF_ERROR(fs->SyncDir(qdir));
  return fs->SyncDir(dir);
}

// The clean image of a segment some of whose records are dropped: its bytes
// up to the first dropped record as they are, then every later kept record
// framed again with its stored bytes and compression flags (fragment
// boundaries follow the new offsets). Empty until something is dropped.
class CleanImage {
 public:
  explicit CleanImage(std::string_view data) : data_(data) {}

  // The record at `offset` (or the damage starting there) is not kept.
  void Drop(int64_t offset) {
    if (dropped_) return;
    dropped_ = true;
    image_.assign(data_.substr(0, static_cast<size_t>(offset)));
    // A prefix ending in a page's last few bytes (damaged padding) is
    // padded as the writer would, so a header fits where the next begins.
    const int64_t left = PagePadding(static_cast<int64_t>(image_.size()));
    if (left > 0 && left < kHeaderSize) image_.append(left, '\0');
  }
  // The record last delivered is kept.
  void Keep(std::string_view stored, uint8_t flags) {
    if (!dropped_) return;
    AppendFragments(static_cast<int64_t>(image_.size()), stored, flags,
                    &image_);
    ++kept_after_drop_;
  }
  bool dropped() const { return dropped_; }
  const std::string& image() const { return image_; }
  int64_t kept_after_drop() const { return kept_after_drop_; }

 private:
  const std::string_view data_;
  bool dropped_ = false;
  std::string image_;
  int64_t kept_after_drop_ = 0;
};

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

// What reading one segment lost.
struct SegmentLoss {
  std::vector<DamagedRange> skipped;  // Damage and rejected records.
  std::optional<DamagedRange> torn;   // A torn tail, cut rather than kept.
};

// Delivers every intact record of `data` to `callback`, telling `image`
// which are kept. Damage running to the end of the data from `torn_from` on
// is a torn tail.
Status ReadSegment(std::string_view data, const RecordCallback& callback,
                   const ReplayOptions& options, int64_t torn_from,
                   CleanImage* image, SegmentLoss* loss, ReplayResult* result) {
  SalvagingReader reader(data);
  size_t damage_seen = 0;
  auto note_damage = [&] {
    for (; damage_seen < reader.damaged().size(); ++damage_seen) {
      image->Drop(reader.damaged()[damage_seen].offset);
    }
  };
  std::vector<DamagedRange> rejected;
  std::string_view record;
  while (reader.Next(&record)) {
    note_damage();
    Status s = callback(record);
    if (s.ok()) {
      ++result->records;
      image->Keep(reader.stored_record(), reader.stored_flags());
      continue;
    }
    if (!s.IsCorruption() || !options.quarantine_on_callback_corruption) {
      return s;
    }
    image->Drop(reader.record_offset());
    rejected.push_back(DamagedRange{
        reader.record_offset(), reader.offset() - reader.record_offset(), s});
  }
  note_damage();
  loss->skipped = reader.damaged();
  if (reader.damaged_to_end() && loss->skipped.back().offset >= torn_from) {
    loss->torn = loss->skipped.back();
    loss->skipped.pop_back();
  }
  loss->skipped.insert(loss->skipped.end(), rejected.begin(), rejected.end());
  std::sort(loss->skipped.begin(), loss->skipped.end(),
            [](const DamagedRange& a, const DamagedRange& b) {
              return a.offset < b.offset;
            });
  return Status::OK();
}

// Logs the ranges skipped in `seg` and adds them to `result`.
void ReportSkipped(const std::string& dir, const SegmentRef& seg,
                   const std::vector<DamagedRange>& skipped,
                   ReplayResult* result) {
  for (const DamagedRange& r : skipped) {
    if (result->corruption.ok()) {
      result->corruption = Status::Corruption(
          absl::StrCat("wal segment ", seg.name, " offset ", r.offset, ": ",
                       std::string(r.reason.message())));
      result->corrupt_segment = seg.index;
      result->corrupt_offset = r.offset;
    }
    result->skipped.push_back(
        ReplayResult::SkippedRange{seg.index, r.offset, r.bytes, r.reason});
    STRATA_LOG(kWarn, "WAL corruption; skipping the damaged record(s)",
               {{"dir", dir},
                {"segment", seg.name},
                {"offset", absl::StrCat(r.offset)},
                {"bytes", absl::StrCat(r.bytes)},
                {"err", std::string(r.reason.message())}});
  }
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
  std::erase_if(segments, [&](const SegmentRef& seg) {
    return seg.index < options.first_segment;
  });
  STRATA_ASSIGN_OR_RETURN(auto markers, ReadAbandonMarkers(fs, dir));

  for (size_t i = 0; i < segments.size(); ++i) {
    const SegmentRef& seg = segments[i];
    if (i > 0 && seg.index != segments[i - 1].index + 1) {
      result->corruption = Status::Corruption(absl::StrCat(
          "wal segment ", seg.name, " offset 0: segments ",
          segments[i - 1].index + 1, " to ", seg.index - 1, " are missing"));
      result->corrupt_segment = seg.index;
      result->corrupt_offset = 0;
      STRATA_LOG(kWarn, "WAL segments missing; replay stops here",
                 {{"dir", dir}, {"err", result->corruption.ToString()}});
      if (!options.repair) return result->corruption;
      STRATA_RETURN_IF_ERROR(
          QuarantineFrom(fs, dir, segments, i, markers, options, result));
      STRATA_LOG(kWarn, "Moved WAL segments after the gap to quarantine",
                 {{"dir", result->quarantine_dir},
                  {"files", absl::StrCat(result->quarantined.size())}});
      return Status::OK();
    }
    const std::string path = JoinPath(dir, seg.name);
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> map, fs->MapFile(path));
    const std::string_view data = map->data();
    if (options.on_segment) {
      options.on_segment(seg.index, static_cast<int64_t>(data.size()));
    }
    if (result->first_segment < 0) result->first_segment = seg.index;
    result->last_segment = seg.index;
    result->bytes += static_cast<int64_t>(data.size());

    const auto marker = markers.find(seg.index);
    int64_t torn_from = std::numeric_limits<int64_t>::max();
    if (marker != markers.end()) torn_from = marker->second;
    if (i + 1 == segments.size()) torn_from = 0;
    CleanImage image(data);
    SegmentLoss loss;
    STRATA_RETURN_IF_ERROR(
        ReadSegment(data, callback, options, torn_from, &image, &loss, result));
    if (loss.torn.has_value()) {
      const DamagedRange& t = *loss.torn;
      STRATA_LOG(kWarn, "Cutting torn tail of WAL segment",
                 {{"segment", seg.name},
                  {"offset", absl::StrCat(t.offset)},
                  {"bytes", absl::StrCat(t.bytes)},
                  {"err", std::string(t.reason.message())}});
      result->torn_tails.push_back(
          TornTail{seg.index, t.offset, t.bytes, t.reason});
    }
    if (loss.skipped.empty()) {
      if (!loss.torn.has_value() || !options.repair) continue;
      map.reset();  // Unmap before the file shrinks under the mapping.
      STRATA_RETURN_IF_ERROR(TruncateSegment(fs, path, loss.torn->offset));
      continue;
    }
    ReportSkipped(dir, seg, loss.skipped, result);
    result->records_salvaged += image.kept_after_drop();
    if (!options.repair) return result->corruption;
    STRATA_RETURN_IF_ERROR(RewriteSegment(fs, dir, seg, image.image(), data,
                                          markers, options, result));
    STRATA_LOG(kWarn, "Rewrote damaged WAL segment with its intact records",
               {{"segment", seg.name},
                {"records_after_damage", absl::StrCat(image.kept_after_drop())},
                {"original", JoinPath(result->quarantine_dir, seg.name)}});
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
