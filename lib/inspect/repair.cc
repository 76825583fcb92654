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
#include "util/copy_tree.h"
#include "util/crc32c.h"
#include "wal/compression.h"
#include "wal/log_format.h"
#include "wal/record.h"
#include "wal/replay.h"
#include "wal/segment.h"
#include "wal/segment_reader.h"
#include "wal/wal.h"

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

// Records readable from `data` after `from`: fragments are walked page by
// page from the page after the damage, each checked against its CRC; a
// record is kept when its fragments come complete and in order (full, or
// first, middle..., last) and it decompresses. Anything else is skipped.
void SalvageRecords(std::string_view data, int64_t from,
                    std::vector<std::string>* out) {
  const int64_t size = static_cast<int64_t>(data.size());
  wal::Decompressor decompressor;
  std::string assembling;
  bool in_record = false;
  uint8_t flags = 0;
  auto emit = [&](const std::string& raw) {
    if (flags & wal::kCompressionMask) {
      std::string plain;
      if (decompressor.Decompress(flags & wal::kCompressionMask, raw, &plain)
              .ok()) {
        out->push_back(std::move(plain));
      }
    } else {
      out->push_back(raw);
    }
  };
  for (int64_t page = (from / wal::kPageSize + 1) * wal::kPageSize; page < size;
       page += wal::kPageSize) {
    const int64_t page_end = std::min(size, page + wal::kPageSize);
    int64_t pos = page;
    while (pos + wal::kHeaderSize <= page_end) {
      const uint8_t type_byte = static_cast<uint8_t>(data[pos]);
      const auto type =
          static_cast<wal::FragmentType>(type_byte & wal::kFragmentTypeMask);
      if (type == wal::FragmentType::kPageTerm) break;
      const int64_t len = (static_cast<uint8_t>(data[pos + 1]) << 8) |
                          static_cast<uint8_t>(data[pos + 2]);
      const uint32_t crc =
          (uint32_t{static_cast<uint8_t>(data[pos + 3])} << 24) |
          (uint32_t{static_cast<uint8_t>(data[pos + 4])} << 16) |
          (uint32_t{static_cast<uint8_t>(data[pos + 5])} << 8) |
          uint32_t{static_cast<uint8_t>(data[pos + 6])};
      if (pos + wal::kHeaderSize + len > page_end) break;
      const std::string_view part = data.substr(pos + wal::kHeaderSize, len);
      pos += wal::kHeaderSize + len;
      if (crc32c::Value(part) != crc) {
        in_record = false;
        continue;
      }
      switch (type) {
        case wal::FragmentType::kFull:
          flags = type_byte;
          emit(std::string(part));
          in_record = false;
          break;
        case wal::FragmentType::kFirst:
          flags = type_byte;
          assembling.assign(part);
          in_record = true;
          break;
        case wal::FragmentType::kMiddle:
          if (in_record) assembling.append(part);
          break;
        case wal::FragmentType::kLast:
          if (in_record) {
            assembling.append(part);
            emit(assembling);
          }
          in_record = false;
          break;
        default:
          in_record = false;
      }
    }
  }
}

Status RepairWal(FileSystem* fs, const std::string& data_dir,
                 const VerifyReport& verify, RepairReport* report) {
  const std::string wal_dir = JoinPath(data_dir, kWalDirName);
  const int first_bad = *verify.damaged_segments.begin();
  const std::string qroot = JoinPath(data_dir, kQuarantineDirName);
  const std::string qdir =
      FreePath(fs, qroot, "wal-" + std::to_string(std::time(nullptr)));
  const std::string originals = JoinPath(qdir, "original");
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(originals));
  STRATA_ASSIGN_OR_RETURN(std::vector<wal::SegmentRef> segs,
                          wal::ListSegments(fs, wal_dir));
  // 1. Keep the original bytes of every segment from the first damaged one.
  //    Also note every series record (refs must resolve) and the records
  //    that come after the damage.
  std::vector<std::string> after;
  std::vector<std::string> series_records;
  for (const wal::SegmentRef& s : segs) {
    const std::string path = JoinPath(wal_dir, s.name);
    StatusOr<std::unique_ptr<MappedFile>> map = fs->MapFile(path);
    if (!map.ok()) continue;
    std::string_view data = (*map)->data();
    if (s.index >= first_bad) {
      STRATA_RETURN_IF_ERROR(
          CopyFileSynced(fs, path, JoinPath(originals, s.name)).status());
      report->quarantined.push_back(JoinPath(originals, s.name));
    }
    wal::SegmentReader reader(data);
    std::string_view rec;
    std::vector<std::string> readable;
    while (reader.Next(&rec)) readable.emplace_back(rec);
    if (reader.error() != wal::SegmentReader::Error::kNone) {
      SalvageRecords(data, reader.error_offset(), &readable);
    }
    for (std::string& r : readable) {
      const bool past = s.index > first_bad ||
                        (s.index == first_bad &&
                         reader.error() != wal::SegmentReader::Error::kNone);
      if (wal::GetRecordType(r) == wal::RecordType::kSeries) {
        series_records.push_back(r);
      }
      if (past) after.push_back(std::move(r));
    }
  }
  // Records of the damaged segment before the damage stay in the WAL; the
  // ones above from that segment include them, so keep only what follows:
  // re-read the clean prefix to know how many to skip.
  {
    const std::string path = JoinPath(wal_dir, wal::SegmentName(first_bad));
    StatusOr<std::unique_ptr<MappedFile>> map = fs->MapFile(path);
    if (map.ok()) {
      wal::SegmentReader reader((*map)->data());
      std::string_view rec;
      size_t prefix = 0;
      while (reader.Next(&rec)) ++prefix;
      if (reader.error() != wal::SegmentReader::Error::kNone) {
        after.erase(after.begin(),
                    after.begin() + std::min(prefix, after.size()));
      }
    }
  }
  // 2. Cut the WAL back to its valid prefix; replay moves the damaged and
  //    later segments into the quarantine.
  wal::ReplayResult result;
  wal::ReplayOptions ro;
  ro.quarantine_dir = qdir;
  STRATA_RETURN_IF_ERROR(wal::ReplayWal(
      fs, wal_dir, [](std::string_view) { return Status::OK(); }, &result, ro));
  for (const std::string& n : result.quarantined) {
    report->quarantined.push_back(JoinPath(qdir, n));
  }
  // 3. Append what was readable after the damage, preceded by the series
  //    records so every sample's ref resolves on replay.
  if (!after.empty()) {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<wal::Wal> w,
                            wal::Wal::Open(wal_dir, fs, wal::WalOptions{}));
    STRATA_RETURN_IF_ERROR(
        w->Log(std::span<const std::string>(series_records)));
    STRATA_RETURN_IF_ERROR(w->Log(std::span<const std::string>(after)));
    STRATA_RETURN_IF_ERROR(w->Close());
    report->wal_records_salvaged = static_cast<int64_t>(after.size());
  }
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
    STRATA_RETURN_IF_ERROR(RepairWal(fs, data_dir, verify, &report));
  }
  return report;
}

}  // namespace strata::inspect
