#include "inspect/data_dir.h"

#include "block/block_dir.h"
#include "db/replay_shards.h"
#include "db/wal_head_loader.h"
#include "query/block_querier.h"
#include "util/data_dir_files.h"
#include "wal/checkpoint.h"
#include "wal/replay.h"
#include "wal/segment.h"

namespace strata::inspect {

StatusOr<std::unique_ptr<DataDir>> DataDir::Open(
    const std::string& dir, const DataDirOptions& options) {
  FileSystem* fs = FileSystem::Default();
  if (!fs->IsDirectory(dir)) {
    return Status::NotFound("data directory " + dir + " does not exist");
  }
  std::unique_ptr<DataDir> d(new DataDir(dir, fs));
  STRATA_RETURN_IF_ERROR(d->LoadBlocks());
  if (options.load_head) STRATA_RETURN_IF_ERROR(d->LoadWal(options));
  return d;
}

Status DataDir::LoadBlocks() {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names,
                          ListBlockDirs(fs_, dir_));
  for (const std::string& name : names) {
    BlockEntry e;
    e.name = name;
    e.dir = JoinPath(dir_, name);
    StatusOr<std::shared_ptr<const Block>> b = Block::Open(fs_, e.dir);
    if (b.ok()) {
      e.block = std::move(b).value();
    } else {
      e.open_error = b.status();
    }
    blocks_.push_back(std::move(e));
  }
  return Status::OK();
}

int64_t DataDir::BlocksMaxTime() const {
  int64_t max = kMinTime;
  for (const BlockEntry& e : blocks_) {
    if (e.block) max = std::max(max, e.block->meta().max_time);
  }
  return max;
}

Status DataDir::LoadWal(const DataDirOptions& options) {
  const std::string wal_dir = JoinPath(dir_, kWalDir);
  if (!fs_->IsDirectory(wal_dir)) return Status::OK();
  HeadOptions head_options;
  head_options.chunk_range_ms = options.block_range_ms;
  head_ = std::make_shared<Head>(head_options);
  // As DB replay does (the same loader): what blocks hold is skipped.
  WalHeadLoader loader(head_.get(), BlocksMaxTime(),
                       ReplayShards::DefaultWorkers());
  const Status st = ReadWal(
      wal_dir, [&](std::string_view rec) { return loader.OnRecord(rec); });
  const Status undecodable = loader.Finish();
  const WalHeadLoader::Counts& c = loader.counts();
  wal_.records = c.records;
  wal_.series = c.series_created;
  wal_.samples = c.samples;
  wal_.samples_in_blocks = c.samples_before_min_valid;
  return st.ok() ? undecodable : st;
}

Status DataDir::ReadWal(const std::string& wal_dir,
                        const wal::RecordCallback& on_record) {
  int first = 0;
  STRATA_ASSIGN_OR_RETURN(std::string checkpoint,
                          wal::LatestCheckpoint(fs_, wal_dir));
  if (!checkpoint.empty()) {
    const std::string name = checkpoint.substr(checkpoint.rfind('/') + 1);
    wal_.checkpoint = name;
    first = wal::ParseCheckpointName(name) + 1;
    STRATA_ASSIGN_OR_RETURN(std::vector<wal::SegmentRef> cp_segments,
                            wal::ListSegments(fs_, checkpoint));
    for (const wal::SegmentRef& s : cp_segments) {
      StatusOr<int64_t> size = fs_->FileSize(JoinPath(checkpoint, s.name));
      if (size.ok()) wal_.bytes += *size;
    }
    if (!cp_segments.empty()) {
      Status st = wal::ReadSegments(fs_, checkpoint, cp_segments.front().index,
                                    cp_segments.back().index, on_record);
      if (!st.ok()) {
        wal_error_ = st.WithContext(name);
        return Status::OK();
      }
    }
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<wal::SegmentRef> segments,
                          wal::ListSegments(fs_, wal_dir));
  for (const wal::SegmentRef& s : segments) {
    StatusOr<int64_t> size = fs_->FileSize(JoinPath(wal_dir, s.name));
    if (size.ok()) wal_.bytes += *size;
    ++wal_.segments;
    if (wal_.first_segment < 0) wal_.first_segment = s.index;
    wal_.last_segment = s.index;
  }
  for (const wal::SegmentRef& s : segments) {
    if (s.index < first) continue;
    if (!wal_error_.ok()) break;
    Status st = wal::ReadSegments(fs_, wal_dir, s.index, s.index, on_record);
    if (!st.ok()) wal_error_ = st;
  }
  return Status::OK();
}

std::vector<std::shared_ptr<const BlockReader>> DataDir::Readers() const {
  std::vector<std::shared_ptr<const BlockReader>> out;
  for (const BlockEntry& e : blocks_) {
    if (e.block) out.push_back(e.block);
  }
  if (head_ && head_->NumSeries() > 0) out.push_back(head_);
  return out;
}

std::unique_ptr<Querier> DataDir::NewQuerier(int64_t mint, int64_t maxt) const {
  return std::make_unique<BlockQuerier>(Readers(), mint, maxt);
}

int64_t NewestBlockEnd(const std::string& dir) {
  FileSystem* fs = FileSystem::Default();
  int64_t end = kMinTime;
  StatusOr<std::vector<std::string>> names = ListBlockDirs(fs, dir);
  if (!names.ok()) return end;
  for (const std::string& n : *names) {
    StatusOr<BlockMeta> m = ReadBlockMeta(fs, JoinPath(dir, n));
    if (m.ok()) end = std::max(end, m->max_time);
  }
  return end;
}

std::optional<int64_t> MovedHeadBoundary(const std::string& dir,
                                         int64_t previous_end) {
  const int64_t end = NewestBlockEnd(dir);
  if (end <= previous_end) return std::nullopt;
  FileSystem* fs = FileSystem::Default();
  const std::string wal_dir = JoinPath(dir, kWalDir);
  StatusOr<std::vector<wal::SegmentRef>> segs = wal::ListSegments(fs, wal_dir);
  int64_t bytes = 0;
  if (segs.ok()) {
    for (const wal::SegmentRef& s : *segs) {
      StatusOr<int64_t> n = fs->FileSize(JoinPath(wal_dir, s.name));
      if (n.ok()) bytes += *n;
    }
  }
  StatusOr<std::string> cp = wal::LatestCheckpoint(fs, wal_dir);
  if (bytes == 0 && (!cp.ok() || cp->empty())) return std::nullopt;
  return end;
}

}  // namespace strata::inspect
