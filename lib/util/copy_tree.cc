#include "util/copy_tree.h"

#include <memory>
#include <string_view>
#include <vector>

namespace strata {
namespace {

constexpr size_t kCopyPieceBytes = 1 << 20;

// Recreates directory `from` under `to`, placing each file with
// `place_file(src, dst)`, and syncs every directory it creates.
Status MirrorTree(FileSystem* fs, const std::string& from,
                  const std::string& to,
                  const std::function<Status(const std::string&,
                                             const std::string&)>& place_file) {
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(to));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(from));
  for (const std::string& n : names) {
    const std::string src = JoinPath(from, n);
    const std::string dst = JoinPath(to, n);
    if (fs->IsDirectory(src)) {
      STRATA_RETURN_IF_ERROR(MirrorTree(fs, src, dst, place_file));
    } else {
      STRATA_RETURN_IF_ERROR(place_file(src, dst));
    }
  }
  return fs->SyncDir(to);
}

}  // namespace

StatusOr<int64_t> CopyFileSynced(FileSystem* fs, const std::string& from,
                                 const std::string& to) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> in,
                          fs->NewRandomAccessFile(from));
  STRATA_ASSIGN_OR_RETURN(int64_t size, in->Size());
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out,
                          fs->NewWritableFile(to));
  std::string scratch(kCopyPieceBytes, '\0');
  for (int64_t off = 0; off < size;) {
    std::string_view piece;
    STRATA_RETURN_IF_ERROR(
        in->Read(off, scratch.size(), &piece, scratch.data()));
    if (piece.empty()) return Status::IOError("short read of " + from);
    STRATA_RETURN_IF_ERROR(out->Append(piece));
    off += static_cast<int64_t>(piece.size());
  }
  STRATA_RETURN_IF_ERROR(out->Sync());
  STRATA_RETURN_IF_ERROR(out->Close());
  return size;
}

Status CopyTreeSynced(FileSystem* fs, const std::string& from,
                      const std::string& to, int64_t* bytes) {
  return MirrorTree(
      fs, from, to,
      [fs, bytes](const std::string& src, const std::string& dst) -> Status {
        STRATA_ASSIGN_OR_RETURN(int64_t copied, CopyFileSynced(fs, src, dst));
        *bytes += copied;
        return Status::OK();
      });
}

Status LinkTreeSynced(FileSystem* fs, const std::string& from,
                      const std::string& to) {
  return MirrorTree(fs, from, to,
                    [fs](const std::string& src, const std::string& dst) {
                      return fs->Link(src, dst);
                    });
}

}  // namespace strata
