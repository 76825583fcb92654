#include "block/block_check.h"

#include <algorithm>
#include <memory>

#include "block/block_meta.h"
#include "block/chunk_file_reader.h"
#include "block/chunk_format.h"
#include "block/tombstones.h"
#include "chunk/chunk_decoding.h"
#include "chunk/encoding.h"
#include "index/index_file_reader.h"

namespace strata {
namespace {

class BlockChecker {
 public:
  BlockChecker(FileSystem* fs, std::string dir, std::string name,
               const BlockCheckOptions& options, BlockCheckResult* result)
      : fs_(fs),
        dir_(std::move(dir)),
        name_(std::move(name)),
        options_(options),
        r_(result) {}

  void Run() {
    CheckMeta();
    CheckIndex();
    CheckChunks();
    CheckTombstones();
    CheckStats();
  }

 private:
  // Counts bytes read; false once the throttle said stop.
  bool Read(int64_t bytes) {
    r_->bytes_read += bytes;
    if (!r_->interrupted && options_.throttle && !options_.throttle(bytes)) {
      r_->interrupted = true;
    }
    return !r_->interrupted;
  }

  void Add(CorruptionKind kind, const std::string& file, const Status& st,
           const std::string& series = "") {
    Add(kind, file, OffsetFromMessage(st.message()), series,
        std::string(st.message()));
  }
  void Add(CorruptionKind kind, const std::string& file, int64_t offset,
           const std::string& series, std::string what) {
    // "<file> at offset N: why" -> "why": file and offset have own fields.
    if (const size_t p = what.find(file); p != std::string::npos) {
      const size_t colon = what.find(": ", p + file.size());
      if (colon != std::string::npos) what = what.substr(colon + 2);
    }
    r_->problems.push_back(
        {file, offset, series, std::move(what), false, kind});
  }

  void CheckMeta() {
    const std::string path = JoinPath(dir_, kMetaFileName);
    StatusOr<BlockMeta> m = ReadBlockMeta(fs_, dir_);
    if (!m.ok()) {
      Add(CorruptionKind::kBlock, path, m.status());
      return;
    }
    meta_ = *m;
    meta_ok_ = true;
    if (meta_.ulid.ToString() != name_) {
      Add(CorruptionKind::kBlock, path, -1, "",
          "ulid " + meta_.ulid.ToString() + " differs from the directory name");
    }
    if (meta_.min_time >= meta_.max_time) {
      Add(CorruptionKind::kBlock, path, -1, "",
          "minTime is not before maxTime");
    }
  }

  void CheckIndex() {
    const std::string path = JoinPath(dir_, kIndexFileName);
    StatusOr<std::unique_ptr<IndexFileReader>> idx =
        IndexFileReader::Open(fs_, path);
    if (!idx.ok()) {
      Add(CorruptionKind::kIndex, path, idx.status());
      return;
    }
    index_ = std::move(idx).value();
    if (Status st = index_->Verify(); !st.ok()) {
      Add(CorruptionKind::kIndex, path, st);
    }
    if (!Read(index_->FileSize())) return;
    StatusOr<Postings> all = index_->AllPostings();
    if (!all.ok()) {
      Add(CorruptionKind::kIndex, path, all.status());
      return;
    }
    Labels labels;
    std::vector<ChunkMeta> metas;
    for (SeriesId id : *all) {
      metas.clear();
      ++r_->series_checked;
      Status st = index_->Series(id, &labels, &metas);
      // A series entry is a few dozen bytes: count what it points to.
      if (!Read(static_cast<int64_t>(16 * (1 + metas.size())))) return;
      if (!st.ok()) {
        Add(CorruptionKind::kIndex, path,
            st.message().find("byte") != std::string_view::npos
                ? OffsetFromMessage(st.message())
                : int64_t{id} * 16,
            "series id " + std::to_string(id), std::string(st.message()));
        continue;
      }
      series_.push_back({labels, metas});
    }
  }

  // Every chunk of every segment in file order: CRCs, also of chunks no
  // series references. Stops at the first bad one; the per-series pass
  // finds the others and names their series.
  void CheckChunkFiles(const ChunkFileReader& cr, const std::string& cdir) {
    Status st = cr.ForEachChunk([&](uint64_t, const ChunkBytes& c) {
      ++r_->chunks_checked;
      if (!Read(static_cast<int64_t>(c.data.size()))) {
        return Status::Cancelled("check interrupted");
      }
      return Status::OK();
    });
    if (!st.ok() && !r_->interrupted)
      Add(CorruptionKind::kChunk, FileOf(cdir, st), st);
  }

  void CheckSeriesChunk(const ChunkFileReader& cr, const std::string& cdir,
                        const std::string& name, const ChunkMeta& m) {
    ++found_.num_chunks;
    const std::string file = JoinPath(
        cdir, chunk_format::SegmentFileName(chunk_format::RefSegment(m.ref)));
    const int64_t off = chunk_format::RefOffset(m.ref);
    auto bad = [&](std::string what) {
      Add(CorruptionKind::kChunk, file, off, name, std::move(what));
    };
    if (meta_ok_ && (m.mint < meta_.min_time || m.maxt >= meta_.max_time)) {
      bad("chunk [" + std::to_string(m.mint) + ", " + std::to_string(m.maxt) +
          "] outside the block's range");
    }
    StatusOr<ChunkBytes> c = cr.Chunk(m);
    if (!c.ok()) {
      bad(std::string(c.status().message()));
      return;
    }
    (void)Read(static_cast<int64_t>(c->data.size()));
    if (!chunk::IsReadableEncoding(c->encoding)) {
      found_.num_samples +=
          std::max(0, chunk::ChunkNumSamples(c->encoding, c->data));
      return;  // An encoding this version cannot read: checked by CRC only.
    }
    // Every encoding, native histograms included, is decoded whole.
    const chunk::ChunkSummary s = chunk::SummarizeChunk(c->encoding, c->data);
    found_.num_samples += s.num_samples;
    const int stated = chunk::ChunkNumSamples(c->encoding, c->data);
    if (!s.error.empty()) {
      bad("chunk does not decode: " + std::string(s.error));
    } else if (s.num_samples != stated) {
      bad("chunk holds " + std::to_string(s.num_samples) +
          " samples, its header says " + std::to_string(stated));
    } else if (!s.increasing) {
      bad("timestamps not increasing");
    } else if (s.num_samples == 0 || s.first != m.mint || s.last != m.maxt) {
      bad("chunk holds [" + std::to_string(s.first) + ", " +
          std::to_string(s.last) + "], index says [" + std::to_string(m.mint) +
          ", " + std::to_string(m.maxt) + "]");
    }
  }

  void CheckChunks() {
    const std::string cdir = JoinPath(dir_, kChunksDirName);
    ChunkReaderOptions o;
    o.io_mode = ChunkIoMode::kPread;
    StatusOr<std::unique_ptr<ChunkFileReader>> cr =
        ChunkFileReader::Open(fs_, cdir, o);
    if (!cr.ok()) {
      Add(CorruptionKind::kChunk, cdir, cr.status());
      return;
    }
    CheckChunkFiles(**cr, cdir);
    for (const SeriesInfo& s : series_) {
      if (r_->interrupted) return;
      const std::string name = s.labels.ToString();
      for (const ChunkMeta& m : s.chunks) CheckSeriesChunk(**cr, cdir, name, m);
    }
    chunks_ok_ = true;
  }

  void CheckTombstones() {
    const std::string path = JoinPath(dir_, tombstone_format::kFileName);
    StatusOr<std::unique_ptr<MemTombstones>> t = ReadTombstonesFile(fs_, dir_);
    if (!t.ok()) {
      Add(CorruptionKind::kBlock, path, t.status());
      return;
    }
    tombstones_ = (*t)->Total();
    tombstones_ok_ = true;
  }

  void CheckStats() {
    if (!meta_ok_ || !index_ || !chunks_ok_ || !tombstones_ok_) return;
    if (r_->interrupted) return;
    if (!r_->problems.empty()) return;  // Counts are off anyway.
    found_.num_series = series_.size();
    found_.num_tombstones = tombstones_;
    if (found_ != meta_.stats) {
      Add(CorruptionKind::kBlock, JoinPath(dir_, kMetaFileName), -1, "",
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
  const BlockCheckOptions& options_;
  BlockCheckResult* const r_;
  BlockMeta meta_;
  bool meta_ok_ = false;
  bool chunks_ok_ = false;
  bool tombstones_ok_ = false;
  uint64_t tombstones_ = 0;
  std::unique_ptr<IndexFileReader> index_;
  std::vector<SeriesInfo> series_;
  BlockStats found_;
};

// Parses the digits at the start of `s`; -1 if there are none.
int64_t LeadingNumber(std::string_view s) {
  int64_t n = -1;
  for (char c : s) {
    if (c < '0' || c > '9') break;
    n = (n < 0 ? 0 : n * 10) + (c - '0');
  }
  return n;
}

}  // namespace

BlockCheckResult CheckBlockDir(FileSystem* fs, const std::string& dir,
                               const std::string& name,
                               const BlockCheckOptions& options) {
  BlockCheckResult result;
  BlockChecker(fs, dir, name, options, &result).Run();
  return result;
}

int64_t OffsetFromMessage(std::string_view message) {
  static constexpr std::string_view kPrefixes[] = {"at byte ", "at offset ",
                                                   "offset "};
  for (size_t i = 0; i < message.size(); ++i) {
    for (std::string_view prefix : kPrefixes) {
      if (message.substr(i, prefix.size()) != prefix) continue;
      const int64_t n = LeadingNumber(message.substr(i + prefix.size()));
      if (n >= 0) return n;
    }
  }
  return -1;
}

}  // namespace strata
