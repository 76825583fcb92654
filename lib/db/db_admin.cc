// DBImpl's administrative operations: snapshots (and their restore, which
// is opening the snapshot as a data dir), deletion and tombstone cleanup.
#include "absl/strings/str_cat.h"
#include "block/block_dir.h"
#include "block/block_meta.h"
#include "block/block_writer.h"
#include "db/db_impl.h"
#include "util/log.h"

namespace strata {
namespace {

// Hard-links every file of block directory `from` into `to`.
Status LinkTree(FileSystem* fs, const std::string& from, const std::string& to) {
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(to));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(from));
  for (const std::string& n : names) {
    const std::string src = JoinPath(from, n);
    const std::string dst = JoinPath(to, n);
    if (fs->IsDirectory(src)) {
      STRATA_RETURN_IF_ERROR(LinkTree(fs, src, dst));
    } else {
      STRATA_RETURN_IF_ERROR(fs->Link(src, dst));
    }
  }
  return fs->SyncDir(to);
}

}  // namespace

Status DBImpl::Snapshot(const std::string& dir, bool with_head) {
  if (closed_.load()) return Status::Unavailable("db is closed");
  // Holding compact_mu_ keeps every listed block's files in place while
  // they are linked; appends go on meanwhile.
  absl::MutexLock lock(&compact_mu_);
  STRATA_RETURN_IF_ERROR(fs_->CreateDirs(dir));
  std::vector<std::shared_ptr<const Block>> blocks;
  {
    absl::MutexLock l(&blocks_mu_);
    blocks = blocks_;
  }
  for (const auto& b : blocks) {
    const std::string name = b->meta().ulid.ToString();
    const std::string tmp = JoinPath(dir, name + std::string(kTmpForCreationSuffix));
    STRATA_RETURN_IF_ERROR(LinkTree(fs_, b->dir(), tmp).WithContext("snapshot " + name));
    STRATA_RETURN_IF_ERROR(fs_->Rename(tmp, JoinPath(dir, name)));
  }
  if (with_head) {
    const int64_t mint = head_->MinTime();
    const int64_t maxt = head_->MaxTime();
    if (mint != kMaxTime && maxt != kMinTime) {
      BlockWriterOptions writer_options;
      writer_options.chunk_range_ms = options_.block_duration_ms;
      BlockWriter writer(fs_, dir, writer_options);
      const BlockReader* sources[] = {head_.get()};
      STRATA_RETURN_IF_ERROR(
          writer.Write(sources, mint, maxt + 1).status().WithContext("snapshot head"));
    }
  }
  STRATA_LOG(kInfo, "snapshot created",
             {{"dir", dir}, {"blocks", absl::StrCat(blocks.size())},
              {"with_head", with_head ? "true" : "false"}});
  return fs_->SyncDir(dir);
}

}  // namespace strata

namespace strata {

Status DBImpl::DeleteSeries(const std::vector<Matcher>&, int64_t, int64_t) {
  return Status::NotSupported("deletion: tombstones are being wired in");
}

Status DBImpl::CleanTombstones() {
  return Status::NotSupported("clean tombstones: being wired in");
}

}  // namespace strata
