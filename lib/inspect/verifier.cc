#include "inspect/verifier.h"

#include "block/block_check.h"
#include "block/block_dir.h"
#include "inspect/data_dir.h"
#include "util/data_dir_files.h"
#include "wal/record.h"
#include "wal/segment.h"
#include "wal/segment_reader.h"

namespace strata::inspect {
namespace {

// Checks one block with the shared check (block/block_check.h).
void VerifyBlock(FileSystem* fs, const std::string& dir,
                 const std::string& name, VerifyReport* r) {
  ++r->blocks_checked;
  BlockCheckResult result = CheckBlockDir(fs, dir, name);
  r->series_checked += result.series_checked;
  r->chunks_checked += result.chunks_checked;
  if (result.problems.empty()) return;
  r->damaged_blocks.insert(name);
  for (Problem& p : result.problems) r->problems.push_back(std::move(p));
}

// Checks one directory of WAL segments; `is_wal` for the WAL itself (its
// last segment may end in a torn tail), not a checkpoint.
void VerifySegments(FileSystem* fs, const std::string& dir, bool is_wal,
                    VerifyReport* r) {
  StatusOr<std::vector<wal::SegmentRef>> segs = wal::ListSegments(fs, dir);
  if (!segs.ok()) {
    r->problems.push_back({dir, -1, "", std::string(segs.status().message())});
    return;
  }
  std::vector<wal::RefSeries> series;
  std::vector<wal::RefSample> samples;
  std::vector<wal::Stone> stones;
  for (size_t i = 0; i < segs->size(); ++i) {
    const wal::SegmentRef& s = (*segs)[i];
    const std::string path = JoinPath(dir, s.name);
    ++r->segments_checked;
    if (i > 0 && s.index != (*segs)[i - 1].index + 1) {
      r->problems.push_back({path, -1, "",
                             "segment numbers skip from " +
                                 std::to_string((*segs)[i - 1].index)});
    }
    StatusOr<std::unique_ptr<MappedFile>> map = fs->MapFile(path);
    if (!map.ok()) {
      r->problems.push_back(
          {path, -1, "", std::string(map.status().message())});
      if (is_wal) r->damaged_segments.insert(s.index);
      continue;
    }
    wal::SegmentReader reader((*map)->data());
    std::string_view rec;
    while (reader.Next(&rec)) {
      ++r->records_checked;
      Status st;
      switch (wal::GetRecordType(rec)) {
        case wal::RecordType::kSeries:
          series.clear();
          st = wal::DecodeSeries(rec, &series);
          break;
        case wal::RecordType::kSamples:
          samples.clear();
          st = wal::DecodeSamples(rec, &samples);
          break;
        case wal::RecordType::kTombstones:
          stones.clear();
          st = wal::DecodeTombstones(rec, &stones);
          break;
        default:
          break;
      }
      if (!st.ok()) {
        r->problems.push_back(
            {path, reader.record_offset(), "",
             "record does not decode: " + std::string(st.message())});
        if (is_wal) r->damaged_segments.insert(s.index);
      }
    }
    if (reader.error() != wal::SegmentReader::Error::kNone) {
      const bool last = i + 1 == segs->size();
      const bool torn =
          is_wal && last &&
          (reader.error() == wal::SegmentReader::Error::kTruncated ||
           !wal::SegmentReader::ValidFragmentFollows((*map)->data(),
                                                     reader.error_offset()));
      Problem p{path, reader.error_offset(), "",
                std::string(reader.status().message()), torn};
      if (torn) {
        p.what += " (torn tail: an interrupted write; replay cuts it here)";
      }
      r->problems.push_back(p);
      if (is_wal) {
        r->damaged_segments.insert(s.index);
        if (r->first_damage_offset < 0) {
          r->first_damage_offset = reader.record_offset();
        }
      }
    }
  }
}

}  // namespace

int VerifyReport::errors() const {
  int n = 0;
  for (const Problem& p : problems) n += p.warning ? 0 : 1;
  return n;
}

StatusOr<VerifyReport> VerifyDataDir(const std::string& data_dir) {
  FileSystem* fs = FileSystem::Default();
  VerifyReport report;
  if (!fs->IsDirectory(data_dir)) {
    return Status::NotFound("data directory " + data_dir + " does not exist");
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names,
                          ListBlockDirs(fs, data_dir));
  for (const std::string& name : names) {
    VerifyBlock(fs, JoinPath(data_dir, name), name, &report);
  }
  const std::string wal_dir = JoinPath(data_dir, kWalDir);
  if (fs->IsDirectory(wal_dir)) {
    STRATA_ASSIGN_OR_RETURN(std::vector<wal::CheckpointRef> cps,
                            wal::ListCheckpoints(fs, wal_dir));
    if (!cps.empty()) {
      VerifySegments(fs, JoinPath(wal_dir, cps.back().name), false, &report);
    }
    VerifySegments(fs, wal_dir, true, &report);
  }
  return report;
}

}  // namespace strata::inspect
