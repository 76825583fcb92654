#include "block/block_salvage.h"

#include <algorithm>
#include <memory>

#include "block/chunk_file_reader.h"
#include "block/tombstones.h"
#include "chunk/chunk_decoding.h"
#include "chunk/encoding.h"
#include "index/index_file_reader.h"
#include "util/data_dir_files.h"

namespace strata {
namespace {

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

// True if the chunk passes its CRC and, being XOR or dense, decodes to the
// end.
bool ChunkIntact(const ChunkReader& chunks, const ChunkMeta& meta) {
  StatusOr<ChunkBytes> c = chunks.Chunk(meta);
  if (!c.ok() || !chunk::IsSupportedEncoding(c->encoding)) return false;
  const chunk::ChunkSummary s = chunk::SummarizeChunk(c->encoding, c->data);
  return s.error.empty() && s.num_samples > 0;
}

// The readable part of a damaged block as a BlockReader for BlockWriter,
// which reads only AllPostings, Series, the chunks and the tombstones: the
// label lookups are not served. Series ids are positions in `series_`.
class SalvageSource final : public BlockReader,
                            private IndexReader,
                            private TombstoneReader {
 public:
  struct Entry {
    Labels labels;
    std::vector<ChunkMeta> chunks;  // Intact ones only.
    Intervals deleted;
  };
  SalvageSource(std::vector<Entry> series, const ChunkReader* chunks,
                int64_t mint, int64_t maxt)
      : series_(std::move(series)), chunks_(chunks), mint_(mint), maxt_(maxt) {}

  // BlockReader.
  int64_t MinTime() const override { return mint_; }
  int64_t MaxTime() const override { return maxt_; }
  const IndexReader& Index() const override { return *this; }
  const ChunkReader& Chunks() const override { return *chunks_; }
  const TombstoneReader& Tombstones() const override { return *this; }
  std::string Name() const override { return "salvage"; }

 private:
  // IndexReader.
  StatusOr<std::vector<std::string>> LabelNames() const override {
    return Status::NotSupported("salvage source: no label lookups");
  }
  StatusOr<std::vector<std::string>> LabelValues(
      std::string_view) const override {
    return Status::NotSupported("salvage source: no label lookups");
  }
  StatusOr<Postings> PostingsFor(
      std::string_view, const std::vector<std::string>&) const override {
    return Status::NotSupported("salvage source: no label lookups");
  }
  StatusOr<Postings> AllPostings() const override {
    Postings all;
    all.addRange(0, series_.size());
    return all;
  }
  Status Series(SeriesId id, Labels* labels,
                std::vector<ChunkMeta>* chunks) const override {
    if (id >= series_.size()) return Status::NotFound("no such series");
    *labels = series_[id].labels;
    if (chunks != nullptr) *chunks = series_[id].chunks;
    return Status::OK();
  }
  bool SortedByLabels() const override { return false; }

  // TombstoneReader.
  Intervals Get(SeriesId id) const override {
    return id < series_.size() ? series_[id].deleted : Intervals();
  }
  bool Empty() const override { return false; }

  const std::vector<Entry> series_;
  const ChunkReader* const chunks_;
  const int64_t mint_;
  const int64_t maxt_;
};

// Every readable series of the block with its intact chunks.
std::vector<SalvageSource::Entry> ReadIntactSeries(
    const IndexFileReader& index, const ChunkReader& chunks,
    const TombstoneReader& stones, SalvageResult* result) {
  std::vector<SalvageSource::Entry> out;
  std::vector<ChunkMeta> metas;
  for (SeriesId id : ReadableSeries(index)) {
    SalvageSource::Entry e;
    metas.clear();
    if (!index.Series(id, &e.labels, &metas).ok()) {
      ++result->series_lost;
      continue;
    }
    for (const ChunkMeta& m : metas) {
      if (ChunkIntact(chunks, m)) {
        e.chunks.push_back(m);
      } else {
        ++result->chunks_lost;
      }
    }
    if (e.chunks.empty()) continue;
    e.deleted = stones.Get(id);
    out.push_back(std::move(e));
  }
  return out;
}

// The new block's range and compaction section: the damaged block's, with
// it as the parent; from the chunks when meta.json is unreadable.
BlockCompaction SalvageCompaction(const StatusOr<BlockMeta>& meta,
                                  const std::string& damaged_dir,
                                  const std::vector<SalvageSource::Entry>& in,
                                  int64_t* mint, int64_t* maxt) {
  BlockCompaction c;
  BlockDesc parent;
  if (meta.ok()) {
    *mint = meta->min_time;
    *maxt = meta->max_time;
    c = meta->compaction;
    if (c.sources.empty()) c.sources = {meta->ulid};
    parent = {meta->ulid, meta->min_time, meta->max_time};
  } else {
    *mint = kMaxTime;
    *maxt = kMinTime;
    for (const SalvageSource::Entry& e : in) {
      *mint = std::min(*mint, e.chunks.front().mint);
      *maxt = std::max(*maxt, e.chunks.back().maxt + 1);
    }
    const size_t slash = damaged_dir.find_last_of('/');
    StatusOr<Ulid> ulid =
        Ulid::Parse(slash == std::string::npos ? damaged_dir
                                               : damaged_dir.substr(slash + 1));
    if (ulid.ok()) {
      c.sources = {*ulid};
      parent = {*ulid, *mint, *maxt};
    }
  }
  c.parents = {parent};
  c.deletable = false;
  c.failed = false;
  if (std::find(c.hints.begin(), c.hints.end(), kHintSalvaged) ==
      c.hints.end()) {
    c.hints.push_back(kHintSalvaged);
  }
  return c;
}

}  // namespace

StatusOr<std::string> QuarantineBlockDir(FileSystem* fs,
                                         const std::string& data_dir,
                                         const std::string& name) {
  const std::string qroot = JoinPath(data_dir, kQuarantineDirName);
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(qroot));
  const std::string q = FreePath(fs, qroot, name);
  STRATA_RETURN_IF_ERROR(fs->Rename(JoinPath(data_dir, name), q));
  STRATA_RETURN_IF_ERROR(fs->SyncDir(qroot));
  STRATA_RETURN_IF_ERROR(fs->SyncDir(data_dir));
  return q;
}

bool IsSalvagedBlock(const BlockMeta& meta) {
  const std::vector<std::string>& h = meta.compaction.hints;
  return std::find(h.begin(), h.end(), kHintSalvaged) != h.end();
}

StatusOr<SalvageResult> SalvageBlock(FileSystem* fs,
                                     const std::string& damaged_dir,
                                     const std::string& out_dir,
                                     const BlockWriterOptions& options) {
  SalvageResult result;
  StatusOr<std::unique_ptr<IndexFileReader>> index =
      IndexFileReader::Open(fs, JoinPath(damaged_dir, kIndexFileName));
  if (!index.ok()) {
    result.notes.push_back(damaged_dir +
                           ": index unreadable, no series recoverable");
    return result;
  }
  ChunkReaderOptions co;
  co.io_mode = ChunkIoMode::kPread;
  StatusOr<std::unique_ptr<ChunkFileReader>> chunks =
      ChunkFileReader::Open(fs, JoinPath(damaged_dir, kChunksDirName), co);
  if (!chunks.ok()) {
    result.notes.push_back(
        damaged_dir + ": chunks unreadable: " + chunks.status().ToString());
    return result;
  }
  StatusOr<std::unique_ptr<MemTombstones>> stones =
      ReadTombstonesFile(fs, damaged_dir);
  if (!stones.ok()) {
    result.notes.push_back(
        damaged_dir + ": tombstones unreadable; rebuilt without deletions");
    stones = std::make_unique<MemTombstones>();
  }
  std::vector<SalvageSource::Entry> series =
      ReadIntactSeries(**index, **chunks, **stones, &result);
  if (series.empty()) return result;
  const StatusOr<BlockMeta> meta = ReadBlockMeta(fs, damaged_dir);
  int64_t mint = 0, maxt = 0;
  const BlockCompaction compaction =
      SalvageCompaction(meta, damaged_dir, series, &mint, &maxt);
  SalvageSource source(std::move(series), chunks->get(), mint, maxt - 1);
  const BlockReader* sources[] = {&source};
  BlockWriter writer(fs, out_dir, options);
  STRATA_ASSIGN_OR_RETURN(BlockMeta written,
                          writer.Write(sources, mint, maxt, &compaction));
  result.series_kept = static_cast<int64_t>(written.stats.num_series);
  result.samples_kept = static_cast<int64_t>(written.stats.num_samples);
  if (written.stats.num_samples > 0) result.written = std::move(written);
  return result;
}

}  // namespace strata
