#include "block_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "block/block.h"
#include "block/block_dir.h"
#include "util/file_system.h"

namespace strata::tsdb {
namespace {
constexpr size_t kCopyBufferBytes = 1 << 20;

Status CopyTree(FileSystem* fs, const std::string& from, const std::string& to,
                int64_t* bytes) {
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(to));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(from));
  for (const std::string& n : names) {
    const std::string src = JoinPath(from, n);
    const std::string dst = JoinPath(to, n);
    if (fs->IsDirectory(src)) {
      STRATA_RETURN_IF_ERROR(CopyTree(fs, src, dst, bytes));
    } else {
      STRATA_ASSIGN_OR_RETURN(int64_t b, CopyFileSynced(src, dst));
      *bytes += b;
    }
  }
  return fs->SyncDir(to);
}
}  // namespace

StatusOr<int64_t> CopyFileSynced(const std::string& from,
                                 const std::string& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status::FromErrno(errno, "open " + from);
  const int out =
      ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    const int err = errno;
    ::close(in);
    return Status::FromErrno(err, "create " + to);
  }
  std::vector<char> buf(kCopyBufferBytes);
  int64_t total = 0;
  Status st;
  while (true) {
    const ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      st = Status::FromErrno(errno, "read " + from);
      break;
    }
    if (n == 0) break;
    ssize_t done = 0;
    while (done < n) {
      const ssize_t w = ::write(out, buf.data() + done, n - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        st = Status::FromErrno(errno, "write " + to);
        break;
      }
      done += w;
    }
    if (!st.ok()) break;
    total += n;
  }
  if (st.ok() && ::fdatasync(out) != 0) {
    st = Status::FromErrno(errno, "fdatasync " + to);
  }
  ::close(in);
  if (::close(out) != 0 && st.ok())
    st = Status::FromErrno(errno, "close " + to);
  if (!st.ok()) return st;
  return total;
}

StatusOr<CopyReport> CopyBlocks(const std::string& src_dir,
                                const std::string& dst_dir) {
  FileSystem* fs = FileSystem::Default();
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(dst_dir));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names,
                          ListBlockDirs(fs, src_dir));
  CopyReport report;
  for (const std::string& name : names) {
    const std::string dst = JoinPath(dst_dir, name);
    if (fs->Exists(dst)) {
      ++report.blocks_skipped;
      continue;
    }
    const std::string tmp = dst + std::string(kTmpForCreationSuffix);
    if (fs->Exists(tmp)) STRATA_RETURN_IF_ERROR(fs->RemoveAll(tmp));
    int64_t bytes = 0;
    Status st = CopyTree(fs, JoinPath(src_dir, name), tmp, &bytes);
    if (st.ok()) {
      StatusOr<std::shared_ptr<const Block>> b = Block::Open(fs, tmp);
      st = b.ok() ? (*b)->Verify() : b.status();
    }
    if (!st.ok()) {
      (void)fs->RemoveAll(tmp);  // Only our own partial copy.
      return st.WithContext("copying block " + name);
    }
    STRATA_RETURN_IF_ERROR(fs->Rename(tmp, dst));
    STRATA_RETURN_IF_ERROR(fs->SyncDir(dst_dir));
    ++report.blocks_copied;
    report.bytes_copied += bytes;
    report.copied.push_back(name);
  }
  return report;
}

}  // namespace strata::tsdb
