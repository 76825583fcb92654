#include "db/wal_backup.h"

#include <climits>
#include <memory>
#include <set>
#include <string_view>
#include <vector>

#include "util/copy_tree.h"
#include "util/data_dir_files.h"
#include "wal/log_format.h"
#include "wal/segment.h"
#include "wal/segment_reader.h"

namespace strata {
namespace {

using wal::kPageSize;

constexpr std::string_view kTmpSuffix = ".tmp";

// A page start at or before `offset` where a record begins (the page does
// not open with the middle or last fragment of an earlier record), so that
// SegmentReader can decode from there. Precondition: offset < data.size().
int64_t RecordStartAtOrBefore(std::string_view data, int64_t offset) {
  int64_t page = offset / kPageSize * kPageSize;
  while (page > 0) {
    const auto type = static_cast<wal::FragmentType>(
        static_cast<uint8_t>(data[static_cast<size_t>(page)]) &
        wal::kFragmentTypeMask);
    if (type != wal::FragmentType::kMiddle &&
        type != wal::FragmentType::kLast) {
      break;
    }
    page -= kPageSize;
  }
  return page;
}

// How much of segment `data` holds only complete, intact records, judging
// from `from` (a record end) on: all of it (padding included) if every
// record after `from` decodes, else the start of the first that does not
// (an append in progress, or damage).
int64_t CompleteEnd(std::string_view data, int64_t from) {
  if (from >= static_cast<int64_t>(data.size())) return from;
  const int64_t start = RecordStartAtOrBefore(data, from);
  wal::SegmentReader reader(data.substr(static_cast<size_t>(start)));
  std::string_view record;
  while (reader.Next(&record)) {
  }
  if (reader.error() == wal::SegmentReader::Error::kNone) {
    return static_cast<int64_t>(data.size());
  }
  return start + reader.record_offset();
}

// Whether the last page of the copy's first `have` bytes equals the source
// there. Segments only grow, so a copy that is a prefix of the source
// matches; a source that cut back a failed write and went on writing does
// not (the cut is at or before the copy's end, and new bytes follow it).
StatusOr<bool> TailMatches(FileSystem* fs, const std::string& copy,
                           std::string_view source, int64_t have) {
  const int64_t n = std::min<int64_t>(have, kPageSize);
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> in,
                          fs->NewRandomAccessFile(copy));
  std::string scratch(static_cast<size_t>(n), '\0');
  std::string_view got;
  STRATA_RETURN_IF_ERROR(
      in->Read(have - n, static_cast<size_t>(n), &got, scratch.data()));
  return got ==
         source.substr(static_cast<size_t>(have - n), static_cast<size_t>(n));
}

// Writes `data` to `path` through a temporary and a rename.
Status WriteNewFile(FileSystem* fs, const std::string& path,
                    std::string_view data) {
  const std::string tmp = path + std::string(kTmpSuffix);
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out,
                          fs->NewWritableFile(tmp));
  STRATA_RETURN_IF_ERROR(out->Append(data));
  STRATA_RETURN_IF_ERROR(out->Sync());
  STRATA_RETURN_IF_ERROR(out->Close());
  return fs->Rename(tmp, path);
}

Status AppendToFile(FileSystem* fs, const std::string& path,
                    std::string_view data) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out,
                          fs->NewAppendableFile(path));
  STRATA_RETURN_IF_ERROR(out->Append(data));
  STRATA_RETURN_IF_ERROR(out->Sync());
  return out->Close();
}

// Brings segment copy `dst` up to date with source segment `src`.
Status MirrorSegment(FileSystem* fs, const std::string& src,
                     const std::string& dst, WalMirrorReport* report) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> mapped, fs->MapFile(src));
  // The size at mapping time; appends after it are not looked at.
  const std::string_view data = mapped->data();
  const bool exists = fs->Exists(dst);
  int64_t have = 0;
  if (exists) {
    STRATA_ASSIGN_OR_RETURN(have, fs->FileSize(dst));
  }
  bool recopy = false;
  if (have > static_cast<int64_t>(data.size())) {
    recopy = true;
  } else if (have > 0) {
    STRATA_ASSIGN_OR_RETURN(bool matches, TailMatches(fs, dst, data, have));
    recopy = !matches;
  }
  if (recopy) have = 0;
  const int64_t end = CompleteEnd(data, have);
  if (exists && !recopy && end <= have) return Status::OK();
  const std::string_view piece =
      data.substr(static_cast<size_t>(have), static_cast<size_t>(end - have));
  if (have > 0) {
    STRATA_RETURN_IF_ERROR(AppendToFile(fs, dst, piece));
  } else {
    STRATA_RETURN_IF_ERROR(WriteNewFile(fs, dst, piece));
  }
  report->segment_bytes += static_cast<int64_t>(piece.size());
  ++report->segments_copied;
  if (recopy) ++report->segments_recopied;
  return Status::OK();
}

// Copies the abandon marker of segment `index` if the copy lacks it.
Status MirrorMarker(FileSystem* fs, const std::string& src,
                    const std::string& dst, int index,
                    WalMirrorReport* report) {
  const std::string from = wal::AbandonMarkerPath(src, index);
  if (!fs->Exists(from)) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(std::string content, fs->ReadFile(from));
  const std::string to = wal::AbandonMarkerPath(dst, index);
  if (fs->Exists(to)) {
    StatusOr<std::string> have = fs->ReadFile(to);
    if (have.ok() && *have == content) return Status::OK();
  }
  report->segment_bytes += static_cast<int64_t>(content.size());
  return WriteFileAtomically(fs, to, content);
}

// Deletes from `dst` the segments and markers not in `keep`, checkpoints
// other than `checkpoint` and leftover temporaries.
Status RemoveStale(FileSystem* fs, const std::string& dst,
                   const std::set<int>& keep, const std::string& checkpoint,
                   WalMirrorReport* report) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dst));
  constexpr std::string_view kMarkerSuffix = ".abandoned";
  for (const std::string& name : names) {
    bool remove = name.ends_with(kTmpSuffix);
    if (const int seg = wal::ParseSegmentName(name); seg >= 0) {
      remove = !keep.contains(seg);
      if (remove) ++report->segments_removed;
    } else if (name.ends_with(kMarkerSuffix)) {
      remove =
          !keep.contains(wal::ParseSegmentName(std::string_view(name).substr(
              0, name.size() - kMarkerSuffix.size())));
    } else if (wal::ParseCheckpointName(name) >= 0) {
      remove = name != checkpoint;
    }
    if (remove) STRATA_RETURN_IF_ERROR(fs->RemoveAll(JoinPath(dst, name)));
  }
  return fs->SyncDir(dst);
}

}  // namespace

Status MirrorWbl(FileSystem* fs, const std::string& src_db_dir,
                 const std::string& dst_db_dir, WalMirrorReport* report) {
  const std::string src = JoinPath(src_db_dir, kWblDir);
  if (!fs->IsDirectory(src)) return Status::OK();
  return MirrorWal(fs, src, JoinPath(dst_db_dir, kWblDir), report);
}

Status MirrorWal(FileSystem* fs, const std::string& src, const std::string& dst,
                 WalMirrorReport* report) {
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(dst));
  STRATA_ASSIGN_OR_RETURN(std::vector<wal::CheckpointRef> checkpoints,
                          wal::ListCheckpoints(fs, src));
  STRATA_ASSIGN_OR_RETURN(std::vector<wal::SegmentRef> segments,
                          wal::ListSegments(fs, src));
  // 1. The newest checkpoint, complete before it gets its name.
  std::string checkpoint;
  int first_needed = INT_MAX;  // Segments below it are covered or gone.
  if (!checkpoints.empty()) {
    checkpoint = checkpoints.back().name;
    first_needed = checkpoints.back().index + 1;
    const std::string target = JoinPath(dst, checkpoint);
    if (!fs->IsDirectory(target)) {
      const std::string tmp = target + std::string(kTmpSuffix);
      if (fs->Exists(tmp)) STRATA_RETURN_IF_ERROR(fs->RemoveAll(tmp));
      STRATA_RETURN_IF_ERROR(CopyTreeSynced(fs, JoinPath(src, checkpoint), tmp,
                                            &report->checkpoint_bytes));
      STRATA_RETURN_IF_ERROR(fs->Rename(tmp, target));
      STRATA_RETURN_IF_ERROR(fs->SyncDir(dst));
      ++report->checkpoints_copied;
    }
  }
  if (!segments.empty()) first_needed = segments.front().index;
  // 2. Segments the checkpoint replaced: gone before newer ones arrive, so
  // the copy never has a gap in its segment numbers.
  STRATA_ASSIGN_OR_RETURN(std::vector<wal::SegmentRef> old,
                          wal::ListSegments(fs, dst));
  for (const wal::SegmentRef& s : old) {
    if (s.index < first_needed) ++report->segments_removed;
  }
  STRATA_RETURN_IF_ERROR(wal::RemoveSegmentsBefore(fs, dst, first_needed));
  // 3. What each segment gained.
  std::set<int> keep;
  for (const wal::SegmentRef& s : segments) {
    keep.insert(s.index);
    STRATA_RETURN_IF_ERROR(MirrorMarker(fs, src, dst, s.index, report));
    STRATA_RETURN_IF_ERROR(
        MirrorSegment(fs, JoinPath(src, s.name), JoinPath(dst, s.name), report)
            .WithContext("copying WAL segment " + s.name));
  }
  STRATA_RETURN_IF_ERROR(fs->SyncDir(dst));
  // 4. Everything else the source does not have.
  return RemoveStale(fs, dst, keep, checkpoint, report);
}

bool WalIsEmpty(FileSystem* fs, const std::string& dir) {
  if (!fs->IsDirectory(dir)) return true;
  StatusOr<std::vector<wal::CheckpointRef>> checkpoints =
      wal::ListCheckpoints(fs, dir);
  if (!checkpoints.ok() || !checkpoints->empty()) return false;
  StatusOr<std::vector<wal::SegmentRef>> segments = wal::ListSegments(fs, dir);
  if (!segments.ok()) return false;
  for (const wal::SegmentRef& s : *segments) {
    StatusOr<int64_t> size = fs->FileSize(JoinPath(dir, s.name));
    if (!size.ok() || *size > 0) return false;
  }
  return true;
}

bool WalFilesMatch(FileSystem* fs, const std::string& a, const std::string& b) {
  StatusOr<std::vector<std::string>> names_a = fs->ListDir(a);
  StatusOr<std::vector<std::string>> names_b = fs->ListDir(b);
  if (!names_a.ok() || !names_b.ok() || *names_a != *names_b) return false;
  for (const std::string& name : *names_a) {
    const std::string pa = JoinPath(a, name);
    const std::string pb = JoinPath(b, name);
    if (fs->IsDirectory(pa) != fs->IsDirectory(pb)) return false;
    if (fs->IsDirectory(pa)) continue;  // Checkpoints never change.
    StatusOr<int64_t> sa = fs->FileSize(pa);
    StatusOr<int64_t> sb = fs->FileSize(pb);
    if (!sa.ok() || !sb.ok() || *sa != *sb) return false;
  }
  return true;
}

}  // namespace strata
