#include "block/block.h"

#include <string_view>

#include "chunk/chunk_decoding.h"
#include "chunk/encoding.h"

namespace strata {
namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Prefixes the file's path unless the message already names it.
Status InFile(const Status& s, const std::string& path) {
  if (s.ok() || s.message().find(path) != std::string_view::npos) return s;
  return s.WithContext(path);
}

// Prometheus 2.42's histogram encodings: checked for CRC and sample count
// only, as Strata does not decode them.
constexpr uint8_t kHistogramEncoding = 2;
constexpr uint8_t kFloatHistogramEncoding = 3;

}  // namespace

Block::Block(std::string dir, BlockMeta meta,
             std::unique_ptr<IndexFileReader> index,
             std::unique_ptr<ChunkFileReader> chunks,
             std::unique_ptr<MemTombstones> tombstones, int64_t size)
    : dir_(std::move(dir)),
      meta_(std::move(meta)),
      index_(std::move(index)),
      chunks_(std::move(chunks)),
      tombstones_(std::move(tombstones)),
      size_(size) {}

Block::~Block() = default;

const IndexReader& Block::Index() const { return *index_; }
const ChunkReader& Block::Chunks() const { return *chunks_; }
const TombstoneReader& Block::Tombstones() const { return *tombstones_; }

Status Block::Context(const Status& s) const {
  return s.WithContext("block " + meta_.ulid.ToString());
}

StatusOr<std::shared_ptr<const Block>> Block::Open(
    FileSystem* fs, const std::string& dir, const BlockOptions& options) {
  // Until meta.json is read, the directory name stands for the ULID.
  const std::string name = "block " + BaseName(dir);
  StatusOr<BlockMeta> meta = ReadBlockMeta(fs, dir);
  if (!meta.ok()) {
    return InFile(meta.status(), JoinPath(dir, kMetaFileName))
        .WithContext(name);
  }
  const std::string ctx = "block " + meta->ulid.ToString();
  if (meta->min_time >= meta->max_time) {
    return Status::Corruption(ctx + ": " + JoinPath(dir, kMetaFileName) +
                              ": minTime not before maxTime");
  }
  const std::string index_path = JoinPath(dir, kIndexFileName);
  StatusOr<std::unique_ptr<IndexFileReader>> index =
      IndexFileReader::Open(fs, index_path);
  if (!index.ok()) return InFile(index.status(), index_path).WithContext(ctx);

  const std::string chunks_dir = JoinPath(dir, kChunksDirName);
  StatusOr<std::unique_ptr<ChunkFileReader>> chunks =
      ChunkFileReader::Open(fs, chunks_dir, options.chunks);
  if (!chunks.ok()) return InFile(chunks.status(), chunks_dir).WithContext(ctx);

  StatusOr<std::unique_ptr<MemTombstones>> stones = ReadTombstonesFile(fs, dir);
  if (!stones.ok()) {
    return InFile(stones.status(), JoinPath(dir, tombstone_format::kFileName))
        .WithContext(ctx);
  }
  int64_t size = (*index)->FileSize() + (*chunks)->Size();
  for (const char* f : {kMetaFileName, tombstone_format::kFileName}) {
    StatusOr<int64_t> n = fs->FileSize(JoinPath(dir, f));
    if (n.ok()) size += *n;
  }
  return std::shared_ptr<const Block>(
      new Block(dir, std::move(meta).value(), std::move(index).value(),
                std::move(chunks).value(), std::move(stones).value(), size));
}

Status Block::Verify() const {
  const std::string index_path = JoinPath(dir_, kIndexFileName);
  const std::string meta_path = JoinPath(dir_, kMetaFileName);
  STRATA_RETURN_IF_ERROR(Context(InFile(index_->Verify(), index_path)));

  // Every chunk in the segments, referenced or not, must pass its CRC.
  uint64_t chunks_in_files = 0;
  STRATA_RETURN_IF_ERROR(Context(
      chunks_->ForEachChunk([&chunks_in_files](uint64_t, const ChunkBytes&) {
        ++chunks_in_files;
        return Status::OK();
      })));

  StatusOr<Postings> all = index_->AllPostings();
  if (!all.ok()) return Context(InFile(all.status(), index_path));
  BlockStats found;
  Labels labels, prev;
  std::vector<ChunkMeta> metas;
  for (SeriesId id : *all) {
    metas.clear();
    STRATA_RETURN_IF_ERROR(
        Context(InFile(index_->Series(id, &labels, &metas), index_path)));
    const std::string series = "series " + labels.ToString();
    if (labels.empty()) {
      return Context(Status::Corruption(index_path + ": series " +
                                        std::to_string(id) + " has no labels"));
    }
    if (found.num_series > 0 && !(prev < labels)) {
      return Context(Status::Corruption(index_path + ": " + series +
                                        " out of label order"));
    }
    prev = labels;
    ++found.num_series;
    for (size_t i = 0; i < metas.size(); ++i) {
      const ChunkMeta& m = metas[i];
      if (m.mint > m.maxt || (i > 0 && m.mint <= metas[i - 1].maxt)) {
        return Context(Status::Corruption(index_path + ": " + series +
                                          ": chunks overlap or are unordered"));
      }
      if (m.mint < meta_.min_time || m.maxt >= meta_.max_time) {
        return Context(Status::Corruption(
            index_path + ": " + series + ": chunk [" + std::to_string(m.mint) +
            ", " + std::to_string(m.maxt) + "] outside the block's range"));
      }
      StatusOr<ChunkBytes> c = chunks_->Chunk(m);
      if (!c.ok()) return Context(c.status().WithContext(series));
      ++found.num_chunks;
      if (c->encoding == kHistogramEncoding ||
          c->encoding == kFloatHistogramEncoding) {
        found.num_samples += static_cast<uint64_t>(
            std::max(0, chunk::ChunkNumSamples(c->encoding, c->data)));
        continue;
      }
      auto bad_chunk = [&](const std::string& why) {
        return Context(Status::Corruption(chunks_->dir() + ": chunk ref " +
                                          std::to_string(m.ref) + " of " +
                                          series + ": " + why));
      };
      if (!chunk::IsSupportedEncoding(c->encoding)) {
        return bad_chunk("unknown encoding " + std::to_string(c->encoding));
      }
      const chunk::ChunkSummary s = chunk::SummarizeChunk(c->encoding, c->data);
      if (!s.error.empty()) return bad_chunk(std::string(s.error));
      if (!s.increasing) return bad_chunk("timestamps not increasing");
      if (s.num_samples == 0) return bad_chunk("empty chunk");
      if (s.first != m.mint || s.last != m.maxt) {
        return bad_chunk("holds [" + std::to_string(s.first) + ", " +
                         std::to_string(s.last) + "], index says [" +
                         std::to_string(m.mint) + ", " +
                         std::to_string(m.maxt) + "]");
      }
      found.num_samples += static_cast<uint64_t>(s.num_samples);
    }
  }
  found.num_tombstones = tombstones_->Total();
  if (found != meta_.stats) {
    return Context(Status::Corruption(
        meta_path + ": stats say " + std::to_string(meta_.stats.num_series) +
        " series, " + std::to_string(meta_.stats.num_chunks) + " chunks, " +
        std::to_string(meta_.stats.num_samples) + " samples, " +
        std::to_string(meta_.stats.num_tombstones) +
        " tombstones; files hold " + std::to_string(found.num_series) + ", " +
        std::to_string(found.num_chunks) + ", " +
        std::to_string(found.num_samples) + ", " +
        std::to_string(found.num_tombstones)));
  }
  if (chunks_in_files < found.num_chunks) {
    return Context(Status::Corruption(chunks_->dir() +
                                      ": fewer chunks than the index uses"));
  }
  return Status::OK();
}

}  // namespace strata
