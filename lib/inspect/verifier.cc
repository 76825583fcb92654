#include "inspect/verifier.h"

#include <map>

#include "block/block_dir.h"
#include "block/block_meta.h"
#include "block/chunk_file_reader.h"
#include "block/chunk_format.h"
#include "block/tombstones.h"
#include "chunk/encoding.h"
#include "chunk/xor_iterator.h"
#include "index/index_file_reader.h"
#include "inspect/data_dir.h"
#include "re2/re2.h"
#include "wal/record.h"
#include "wal/segment.h"
#include "wal/segment_reader.h"

namespace strata::inspect {
namespace {

class BlockVerifier {
 public:
  BlockVerifier(FileSystem* fs, std::string dir, std::string name,
                VerifyReport* report)
      : fs_(fs), dir_(std::move(dir)), name_(std::move(name)), r_(report) {}

  void Run() {
    ++r_->blocks_checked;
    CheckMeta();
    CheckIndex();
    CheckChunks();
    CheckTombstones();
    CheckStats();
  }

 private:
  void Add(const std::string& file, const Status& st,
           const std::string& series = "") {
    Add(file, OffsetFromMessage(st.message()), series,
        std::string(st.message()));
  }
  void Add(const std::string& file, int64_t offset, const std::string& series,
           std::string what) {
    // "<file> at offset N: why" -> "why": file and offset have own fields.
    if (const size_t p = what.find(file); p != std::string::npos) {
      const size_t colon = what.find(": ", p + file.size());
      if (colon != std::string::npos) what = what.substr(colon + 2);
    }
    r_->problems.push_back({file, offset, series, std::move(what), false});
    r_->damaged_blocks.insert(name_);
  }

  void CheckMeta() {
    const std::string path = JoinPath(dir_, kMetaFileName);
    StatusOr<BlockMeta> m = ReadBlockMeta(fs_, dir_);
    if (!m.ok()) {
      Add(path, m.status());
      return;
    }
    meta_ = *m;
    meta_ok_ = true;
    if (meta_.ulid.ToString() != name_) {
      Add(path, -1, "",
          "ulid " + meta_.ulid.ToString() + " differs from the directory name");
    }
    if (meta_.min_time >= meta_.max_time) {
      Add(path, -1, "", "minTime is not before maxTime");
    }
  }

  void CheckIndex() {
    const std::string path = JoinPath(dir_, kIndexFileName);
    StatusOr<std::unique_ptr<IndexFileReader>> idx =
        IndexFileReader::Open(fs_, path);
    if (!idx.ok()) {
      Add(path, idx.status());
      return;
    }
    index_ = std::move(idx).value();
    if (Status st = index_->Verify(); !st.ok()) Add(path, st);
    StatusOr<Postings> all = index_->AllPostings();
    if (!all.ok()) {
      Add(path, all.status());
      return;
    }
    Labels labels;
    std::vector<ChunkMeta> metas;
    for (SeriesId id : *all) {
      metas.clear();
      ++r_->series_checked;
      Status st = index_->Series(id, &labels, &metas);
      if (!st.ok()) {
        Add(path,
            st.message().find("byte") != std::string_view::npos
                ? OffsetFromMessage(st.message())
                : int64_t{id} * 16,
            "series id " + std::to_string(id), std::string(st.message()));
        continue;
      }
      series_.push_back({labels, metas});
    }
  }

  void CheckChunks() {
    const std::string cdir = JoinPath(dir_, kChunksDirName);
    ChunkReaderOptions o;
    o.io_mode = ChunkIoMode::kPread;
    StatusOr<std::unique_ptr<ChunkFileReader>> cr =
        ChunkFileReader::Open(fs_, cdir, o);
    if (!cr.ok()) {
      Add(cdir, cr.status());
      return;
    }
    Status st = (*cr)->ForEachChunk([&](uint64_t, const ChunkBytes&) {
      ++r_->chunks_checked;
      return Status::OK();
    });
    // The file-order pass stops at its first bad chunk; the per-series pass
    // below finds the others and names their series.
    if (!st.ok()) Add(FileOf(cdir, st), st);
    for (const SeriesInfo& s : series_) {
      const std::string name = s.labels.ToString();
      for (const ChunkMeta& m : s.chunks) {
        ++found_.num_chunks;
        const std::string file = JoinPath(
            cdir,
            chunk_format::SegmentFileName(chunk_format::RefSegment(m.ref)));
        const int64_t off = chunk_format::RefOffset(m.ref);
        if (meta_ok_ && (m.mint < meta_.min_time || m.maxt >= meta_.max_time)) {
          Add(file, off, name,
              "chunk [" + std::to_string(m.mint) + ", " +
                  std::to_string(m.maxt) + "] outside the block's range");
        }
        StatusOr<ChunkBytes> c = (*cr)->Chunk(m);
        if (!c.ok()) {
          Add(file, off, name, std::string(c.status().message()));
          continue;
        }
        if (!chunk::IsSupportedEncoding(c->encoding)) {
          found_.num_samples += std::max(0, chunk::XorNumSamples(c->data));
          continue;  // Histograms: checked by CRC only.
        }
        chunk::XorIterator it(c->data);
        int64_t first = 0, last = 0, n = 0;
        bool ordered = true;
        while (it.Next()) {
          if (n > 0 && it.t() <= last) ordered = false;
          if (n == 0) first = it.t();
          last = it.t();
          ++n;
        }
        found_.num_samples += n;
        if (it.error()) {
          Add(file, off, name,
              "chunk does not decode: " + std::string(it.error_message()));
        } else if (!ordered) {
          Add(file, off, name, "timestamps not increasing");
        } else if (n == 0 || first != m.mint || last != m.maxt) {
          Add(file, off, name,
              "chunk holds [" + std::to_string(first) + ", " +
                  std::to_string(last) + "], index says [" +
                  std::to_string(m.mint) + ", " + std::to_string(m.maxt) + "]");
        }
      }
    }
    chunks_ok_ = true;
  }

  void CheckTombstones() {
    const std::string path = JoinPath(dir_, tombstone_format::kFileName);
    StatusOr<std::unique_ptr<MemTombstones>> t = ReadTombstonesFile(fs_, dir_);
    if (!t.ok()) {
      Add(path, t.status());
      return;
    }
    tombstones_ = (*t)->Total();
    tombstones_ok_ = true;
  }

  void CheckStats() {
    if (!meta_ok_ || !index_ || !chunks_ok_ || !tombstones_ok_) return;
    if (r_->damaged_blocks.count(name_) > 0) return;  // Counts are off anyway.
    found_.num_series = series_.size();
    found_.num_tombstones = tombstones_;
    if (found_ != meta_.stats) {
      Add(JoinPath(dir_, kMetaFileName), -1, "",
          "stats say " + std::to_string(meta_.stats.num_series) + " series, " +
              std::to_string(meta_.stats.num_chunks) + " chunks, " +
              std::to_string(meta_.stats.num_samples) + " samples, " +
              std::to_string(meta_.stats.num_tombstones) +
              " tombstones; the files hold " +
              std::to_string(found_.num_series) + ", " +
              std::to_string(found_.num_chunks) + ", " +
              std::to_string(found_.num_samples) + ", " +
              std::to_string(found_.num_tombstones));
    }
  }

  // The segment file a chunk reader message names, else the directory.
  static std::string FileOf(const std::string& cdir, const Status& st) {
    std::string msg(st.message());
    const size_t p = msg.find(cdir + "/");
    if (p == std::string::npos) return cdir;
    const size_t end = msg.find(' ', p);
    return msg.substr(p, end == std::string::npos ? end : end - p);
  }

  struct SeriesInfo {
    Labels labels;
    std::vector<ChunkMeta> chunks;
  };
  FileSystem* const fs_;
  const std::string dir_;
  const std::string name_;
  VerifyReport* const r_;
  BlockMeta meta_;
  bool meta_ok_ = false;
  bool chunks_ok_ = false;
  bool tombstones_ok_ = false;
  uint64_t tombstones_ = 0;
  std::unique_ptr<IndexFileReader> index_;
  std::vector<SeriesInfo> series_;
  BlockStats found_;
};

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

int64_t OffsetFromMessage(std::string_view message) {
  static const LazyRE2 kRe = {R"((?:at byte|at offset|offset) (\d+))"};
  long long off = -1;
  if (RE2::PartialMatch(std::string(message), *kRe, &off)) return off;
  return -1;
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
    BlockVerifier(fs, JoinPath(data_dir, name), name, &report).Run();
  }
  const std::string wal_dir = JoinPath(data_dir, kWalDirName);
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
