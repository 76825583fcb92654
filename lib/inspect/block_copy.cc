#include "inspect/block_copy.h"

#include <vector>

#include "block/block.h"
#include "block/block_dir.h"
#include "util/copy_tree.h"
#include "util/file_system.h"

namespace strata::inspect {
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
    Status st = CopyTreeSynced(fs, JoinPath(src_dir, name), tmp, &bytes);
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

}  // namespace strata::inspect
