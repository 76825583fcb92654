#include "inspect/repair.h"

#include <ctime>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "block/block_meta.h"
#include "block/chunk_file_reader.h"
#include "block/tombstones.h"
#include "chunk/encoding.h"
#include "chunk/xor_iterator.h"
#include "index/index_file_reader.h"
#include "inspect/block_builder.h"
#include "inspect/block_copy.h"
#include "inspect/data_dir.h"
#include "wal/replay.h"
#include "wal/segment.h"

namespace strata::inspect {
namespace {

// A path under `dir` named `name`, or `name-2`, `name-3`... if taken.
std::string FreePath(FileSystem* fs, const std::string& dir,
                     const std::string& name) {
  std::string p = JoinPath(dir, name);
  for (int i = 2; fs->Exists(p); ++i) {
    p = JoinPath(dir, name + "-" + std::to_string(i));
  }
  return p;
}

// Series of a damaged index: all postings, or when that list is damaged,
// the union of the metric names' lists that still read.
Postings ReadableSeries(const IndexFileReader& index) {
  StatusOr<Postings> all = index.AllPostings();
  if (all.ok()) return *all;
  Postings out;
  StatusOr<std::vector<std::string>> names =
      index.LabelValues(kMetricNameLabel);
  if (!names.ok()) return out;
  for (const std::string& n : *names) {
    StatusOr<Postings> p = index.PostingsFor(kMetricNameLabel, {n});
    if (p.ok()) out |= *p;
  }
  return out;
}

Status SalvageBlock(FileSystem* fs, const std::string& qdir,
                    const std::string& data_dir, RepairReport* report) {
  StatusOr<BlockMeta> meta = ReadBlockMeta(fs, qdir);
  StatusOr<std::unique_ptr<IndexFileReader>> index =
      IndexFileReader::Open(fs, JoinPath(qdir, kIndexFileName));
  if (!index.ok()) {
    report->notes.push_back(qdir + ": index unreadable, no series recoverable");
    return Status::OK();
  }
  ChunkReaderOptions co;
  co.io_mode = ChunkIoMode::kPread;
  StatusOr<std::unique_ptr<ChunkFileReader>> chunks =
      ChunkFileReader::Open(fs, JoinPath(qdir, kChunksDirName), co);
  if (!chunks.ok()) {
    report->notes.push_back(
        qdir + ": chunks unreadable: " + chunks.status().ToString());
    return Status::OK();
  }
  StatusOr<std::unique_ptr<MemTombstones>> stones =
      ReadTombstonesFile(fs, qdir);
  if (!stones.ok()) {
    report->notes.push_back(
        qdir + ": tombstones unreadable; rebuilt without deletions");
    stones = std::make_unique<MemTombstones>();
  }
  const int64_t lo = meta.ok() ? meta->min_time : kMinTime;
  const int64_t hi = meta.ok() ? meta->max_time - 1 : kMaxTime;
  BlockBuilder builder(data_dir);
  Labels labels;
  std::vector<ChunkMeta> metas;
  for (SeriesId id : ReadableSeries(**index)) {
    metas.clear();
    if (!(*index)->Series(id, &labels, &metas).ok()) {
      ++report->series_lost;
      continue;
    }
    const Intervals deleted = (*stones)->Get(id);
    int64_t kept = 0;
    for (const ChunkMeta& m : metas) {
      StatusOr<ChunkBytes> c = (*chunks)->Chunk(m);
      if (!c.ok() || !chunk::IsSupportedEncoding(c->encoding)) {
        ++report->chunks_lost;
        continue;
      }
      chunk::XorIterator it(c->data);
      while (it.Next()) {
        const int64_t t = it.t();
        if (t < lo || t > hi) continue;
        bool gone = false;
        for (const Interval& iv : deleted) gone = gone || iv.Contains(t);
        if (gone) continue;
        STRATA_RETURN_IF_ERROR(builder.Add(labels, t, it.v()));
        ++kept;
      }
      if (it.error()) ++report->chunks_lost;
    }
    if (kept > 0) ++report->series_kept;
    report->samples_kept += kept;
  }
  STRATA_RETURN_IF_ERROR(builder.Finish());
  for (const BuiltBlock& b : builder.stats().written) {
    report->rebuilt_blocks.push_back(b.ulid);
  }
  return Status::OK();
}

// The WAL: ReplayWal does the work, as at every DB open (wal/salvage.h):
// each damaged segment is rewritten holding every intact record, the
// original going to quarantine/wal-<time>/original/.
Status RepairWal(FileSystem* fs, const std::string& data_dir,
                 RepairReport* report) {
  const std::string qdir =
      JoinPath(FreePath(fs, JoinPath(data_dir, kQuarantineDirName),
                        "wal-" + std::to_string(std::time(nullptr))),
               "original");
  wal::ReplayResult result;
  wal::ReplayOptions ro;
  ro.quarantine_dir = qdir;
  STRATA_RETURN_IF_ERROR(wal::ReplayWal(
      fs, JoinPath(data_dir, kWalDirName),
      [](std::string_view) { return Status::OK(); }, &result, ro));
  for (const std::string& n : result.quarantined) {
    report->quarantined.push_back(JoinPath(qdir, n));
  }
  for (const wal::ReplayResult::SkippedRange& r : result.skipped) {
    report->notes.push_back("wal segment " + wal::SegmentName(r.segment) +
                            ": " + std::to_string(r.bytes) +
                            " damaged bytes skipped at offset " +
                            std::to_string(r.offset));
  }
  report->wal_records_salvaged = result.records_salvaged;
  return Status::OK();
}

}  // namespace

StatusOr<RepairReport> RepairDataDir(const std::string& data_dir,
                                     const VerifyReport& verify) {
  FileSystem* fs = FileSystem::Default();
  RepairReport report;
  const std::string qroot = JoinPath(data_dir, kQuarantineDirName);
  for (const std::string& name : verify.damaged_blocks) {
    STRATA_RETURN_IF_ERROR(fs->CreateDirs(qroot));
    const std::string q = FreePath(fs, qroot, name);
    STRATA_RETURN_IF_ERROR(fs->Rename(JoinPath(data_dir, name), q));
    STRATA_RETURN_IF_ERROR(fs->SyncDir(qroot));
    STRATA_RETURN_IF_ERROR(fs->SyncDir(data_dir));
    report.quarantined.push_back(q);
    STRATA_RETURN_IF_ERROR(SalvageBlock(fs, q, data_dir, &report)
                               .WithContext("rebuilding " + name));
  }
  if (!verify.damaged_segments.empty()) {
    STRATA_RETURN_IF_ERROR(RepairWal(fs, data_dir, &report));
  }
  return report;
}

}  // namespace strata::inspect
