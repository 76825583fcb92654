#include "block/block_writer.h"

#include <algorithm>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "block/block_dir.h"
#include "block/chunk_merger.h"
#include "block/tombstones.h"
#include "chunk/encoding.h"
#include "index/compact_index.h"
#include "index/index_writer.h"
#include "util/ulid.h"

namespace strata {
namespace {

// One series as found in one source.
struct SourceSeries {
  Labels labels;
  int source;
  SeriesId id;
};

}  // namespace

BlockCompaction CompactionFromParents(std::span<const BlockMeta> parents) {
  BlockCompaction c;
  c.level = 0;
  std::set<Ulid> sources;
  for (const BlockMeta& p : parents) {
    c.level = std::max(c.level, p.compaction.level);
    sources.insert(p.compaction.sources.begin(), p.compaction.sources.end());
    c.parents.push_back({p.ulid, p.min_time, p.max_time});
  }
  c.level += 1;
  c.sources.assign(sources.begin(), sources.end());
  // Merged out-of-order blocks stay out-of-order: they must not bound the
  // head's in-order range at the next open (DBImpl::BlocksMaxTime).
  if (!parents.empty() &&
      std::all_of(parents.begin(), parents.end(), [](const BlockMeta& p) {
        return p.compaction.FromOutOfOrder();
      })) {
    c.hints.push_back(kHintFromOutOfOrder);
  }
  return c;
}

bool HasDenseChunks(const BlockMeta& meta) {
  const std::vector<std::string>& h = meta.compaction.hints;
  return std::find(h.begin(), h.end(), kHintDenseChunks) != h.end();
}

BlockWriter::BlockWriter(FileSystem* fs, std::string parent_dir,
                         const BlockWriterOptions& options)
    : fs_(fs), parent_dir_(std::move(parent_dir)), options_(options) {}

StatusOr<BlockMeta> BlockWriter::Write(
    std::span<const BlockReader* const> sources, int64_t mint, int64_t maxt,
    const BlockCompaction* compaction) {
  stats_ = BlockWriteStats();
  if (mint >= maxt) {
    return Status::InvalidArgument("block range must have mint < maxt");
  }
  BlockMeta meta;
  meta.ulid = Ulid::Generate();
  meta.min_time = mint;
  meta.max_time = maxt;
  if (compaction != nullptr) {
    meta.compaction = *compaction;
    // A level-1 block of its own (an out-of-order one) is its source.
    if (meta.compaction.sources.empty()) meta.compaction.sources = {meta.ulid};
  } else {
    meta.compaction.level = 1;
    meta.compaction.sources = {meta.ulid};
  }
  std::erase(meta.compaction.hints, kHintDenseChunks);
  if (options_.chunk_format == ChunkFormat::kDense) {
    meta.compaction.hints.push_back(kHintDenseChunks);
  }
  STRATA_RETURN_IF_ERROR(fs_->CreateDirs(parent_dir_));
  const std::string name = meta.ulid.ToString();
  const std::string tmp =
      JoinPath(parent_dir_, name + std::string(kTmpForCreationSuffix));
  const std::string final_dir = JoinPath(parent_dir_, name);

  Status s = WriteInto(tmp, sources, mint, maxt, &meta);
  if (s.ok() && meta.stats.num_samples == 0) {
    // Nothing to persist; leave no directory behind.
    STRATA_RETURN_IF_ERROR(fs_->RemoveAll(tmp));
    return meta;
  }
  if (s.ok()) s = fs_->Rename(tmp, final_dir);
  if (!s.ok()) {
    (void)fs_->RemoveAll(tmp);
    return s.WithContext("writing block " + name);
  }
  STRATA_RETURN_IF_ERROR(fs_->SyncDir(parent_dir_));
  return meta;
}

Status BlockWriter::WriteInto(const std::string& tmp,
                              std::span<const BlockReader* const> sources,
                              int64_t mint, int64_t maxt, BlockMeta* meta) {
  STRATA_RETURN_IF_ERROR(fs_->CreateDirs(tmp));

  // Pass 1: every series of every source, in label order, and the symbols.
  std::vector<SourceSeries> all;
  for (size_t src = 0; src < sources.size(); ++src) {
    const IndexReader& index = sources[src]->Index();
    STRATA_ASSIGN_OR_RETURN(Postings postings, index.AllPostings());
    for (SeriesId id : postings) {
      Labels labels;
      Status st = index.Series(id, &labels, nullptr);
      if (st.IsNotFound()) continue;  // Garbage-collected from the head.
      STRATA_RETURN_IF_ERROR(st.WithContext(sources[src]->Name()));
      all.push_back({std::move(labels), static_cast<int>(src), id});
    }
  }
  auto by_labels = [](const SourceSeries& a, const SourceSeries& b) {
    const int c = Compare(a.labels, b.labels);
    return c != 0 ? c < 0 : a.source < b.source;
  };
  if (!std::is_sorted(all.begin(), all.end(), by_labels)) {
    std::sort(all.begin(), all.end(), by_labels);
  }
  std::vector<std::string> symbols;
  {
    // Prometheus's head lists "" among its symbols (the name and value of
    // its all-postings key), so every block it writes has it; so do ours,
    // for byte-identical index files.
    absl::flat_hash_set<std::string_view> seen = {""};
    for (const SourceSeries& s : all) {
      for (const Label& l : s.labels) {
        seen.insert(l.name);
        seen.insert(l.value);
      }
    }
    symbols.assign(seen.begin(), seen.end());
    std::sort(symbols.begin(), symbols.end());
  }

  STRATA_ASSIGN_OR_RETURN(
      std::unique_ptr<ChunkSegmentWriter> chunk_writer,
      ChunkSegmentWriter::Create(fs_, JoinPath(tmp, kChunksDirName),
                                 options_.chunks));
  STRATA_ASSIGN_OR_RETURN(
      std::unique_ptr<IndexWriter> index_writer,
      IndexWriter::Create(fs_, JoinPath(tmp, kIndexFileName)));
  STRATA_RETURN_IF_ERROR(index_writer->AddSymbols(symbols));

  // Pass 2: series by series, chunks then the index entry.
  ChunkMerger merger(mint, maxt - 1, options_.chunk_range_ms,
                     options_.chunk_format);
  std::vector<Intervals> deleted(sources.size());
  std::vector<SourceChunk> in;
  std::vector<OutputChunk> out;
  std::vector<ChunkMeta> metas, written;
  Labels scratch;
  for (size_t i = 0, j; i < all.size(); i = j) {
    in.clear();
    for (j = i; j < all.size() && all[j].labels == all[i].labels; ++j) {
      const SourceSeries& s = all[j];
      const BlockReader& src = *sources[s.source];
      metas.clear();
      Status st = src.Index().Series(s.id, &scratch, &metas);
      if (st.IsNotFound()) continue;
      STRATA_RETURN_IF_ERROR(st.WithContext(src.Name()));
      const TombstoneReader& stones = src.Tombstones();
      deleted[s.source] = stones.Empty() ? Intervals() : stones.Get(s.id);
      const Intervals* del =
          deleted[s.source].empty() ? nullptr : &deleted[s.source];
      for (const ChunkMeta& m : metas) {
        if (!m.Overlaps(mint, maxt - 1)) continue;
        in.push_back({s.source, m, &src.Chunks(), del});
      }
    }
    if (in.empty()) continue;
    STRATA_RETURN_IF_ERROR(
        merger.Merge(std::move(in), &out)
            .WithContext("series " + all[i].labels.ToString()));
    in = {};
    if (out.empty()) continue;
    written.clear();
    for (const OutputChunk& c : out) {
      STRATA_ASSIGN_OR_RETURN(uint64_t ref,
                              chunk_writer->Write(c.encoding, c.data()));
      written.push_back({ref, c.mint, c.maxt});
      meta->stats.num_samples += static_cast<uint64_t>(c.num_samples);
      ++(c.copied ? stats_.chunks_copied : stats_.chunks_reencoded);
      if (c.encoding == static_cast<uint8_t>(chunk::Encoding::kDense)) {
        ++stats_.chunks_dense;
      }
    }
    STRATA_RETURN_IF_ERROR(
        index_writer->AddSeries(all[i].labels, written).status());
    meta->stats.num_chunks += written.size();
    ++meta->stats.num_series;
  }
  if (meta->stats.num_samples == 0) return Status::OK();

  STRATA_RETURN_IF_ERROR(chunk_writer->Finish());
  STRATA_RETURN_IF_ERROR(index_writer->Finish());
  if (options_.chunk_format == ChunkFormat::kDense) {
    STRATA_RETURN_IF_ERROR(
        compact_index::CompactFile(fs_, JoinPath(tmp, kIndexFileName)));
  }
  STRATA_RETURN_IF_ERROR(WriteTombstonesFile(fs_, tmp, MemTombstones()));
  STRATA_ASSIGN_OR_RETURN(int64_t meta_bytes, WriteBlockMeta(fs_, tmp, *meta));
  STRATA_RETURN_IF_ERROR(fs_->SyncDir(tmp));

  stats_.series = static_cast<int64_t>(meta->stats.num_series);
  stats_.samples = static_cast<int64_t>(meta->stats.num_samples);
  stats_.bytes = chunk_writer->bytes_written() + meta_bytes;
  for (const char* f : {kIndexFileName, tombstone_format::kFileName}) {
    StatusOr<int64_t> n = fs_->FileSize(JoinPath(tmp, f));
    if (n.ok()) stats_.bytes += *n;
  }
  return Status::OK();
}

}  // namespace strata
