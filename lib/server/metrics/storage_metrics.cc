#include "server/metrics/storage_metrics.h"

#include <sys/statvfs.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "util/file_system.h"

namespace strata::server {
namespace {

constexpr size_t kUlidLength = 26;
constexpr int kMaxDepth = 8;

bool LooksLikeUlid(const std::string& name) {
  if (name.size() != kUlidLength) return false;
  for (char c : name) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

// Bytes of the regular files under `path`; 0 if it cannot be read.
int64_t TreeBytes(FileSystem* fs, const std::string& path, int depth) {
  if (!fs->IsDirectory(path)) {
    StatusOr<int64_t> size = fs->FileSize(path);
    return size.ok() ? *size : 0;
  }
  if (depth >= kMaxDepth) return 0;
  StatusOr<std::vector<std::string>> names = fs->ListDir(path);
  if (!names.ok()) return 0;
  int64_t total = 0;
  for (const std::string& name : *names) {
    total += TreeBytes(fs, JoinPath(path, name), depth + 1);
  }
  return total;
}

// Free and total bytes of the file system holding `dir`, as `df` reports
// them (free: what an unprivileged writer may still use); nothing if
// statvfs fails.
void AppendFileSystemSpace(const std::string& dir,
                           std::vector<MetricFamily>* out) {
  struct statvfs fs;
  if (statvfs(dir.c_str(), &fs) != 0) return;
  const double unit = static_cast<double>(fs.f_frsize);
  out->push_back(SingleValueFamily(
      "strata_storage_free_bytes",
      "Bytes available to Strata on the file system of the data directory.",
      MetricType::kGauge, static_cast<double>(fs.f_bavail) * unit));
  out->push_back(SingleValueFamily(
      "strata_storage_capacity_bytes",
      "Size in bytes of the file system of the data directory.",
      MetricType::kGauge, static_cast<double>(fs.f_blocks) * unit));
}

}  // namespace

void AddStorageCollector(MetricsRegistry* registry, std::string data_dir) {
  registry->AddCollector(
      {"strata_storage_disk_bytes", "strata_blocks_loaded",
       "strata_storage_free_bytes", "strata_storage_capacity_bytes"},
      [dir = std::move(data_dir)](std::vector<MetricFamily>* out) {
        AppendFileSystemSpace(dir, out);
        FileSystem* fs = FileSystem::Default();
        StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
        if (!names.ok()) return;
        int64_t wal = 0, blocks = 0, head = 0, other = 0, block_count = 0;
        for (const std::string& name : *names) {
          const std::string path = JoinPath(dir, name);
          const int64_t bytes = TreeBytes(fs, path, 0);
          if (name == "wal") {
            wal += bytes;
          } else if (name == "chunks_head") {
            head += bytes;
          } else if (LooksLikeUlid(name) && fs->IsDirectory(path)) {
            blocks += bytes;
            ++block_count;
          } else {
            other += bytes;
          }
        }
        MetricFamily disk;
        disk.name = "strata_storage_disk_bytes";
        disk.help = "Bytes on disk in the data directory, by part.";
        disk.type = MetricType::kGauge;
        for (const auto& [part, bytes] :
             std::vector<std::pair<const char*, int64_t>>{{"blocks", blocks},
                                                          {"chunks_head", head},
                                                          {"other", other},
                                                          {"wal", wal}}) {
          MetricPoint point;
          point.labels.emplace_back("dir", part);
          point.value = static_cast<double>(bytes);
          disk.points.push_back(std::move(point));
        }
        out->push_back(std::move(disk));
        MetricFamily loaded;
        loaded.name = "strata_blocks_loaded";
        loaded.help = "Persistent blocks in the data directory.";
        loaded.type = MetricType::kGauge;
        loaded.points.emplace_back();
        loaded.points.back().value = static_cast<double>(block_count);
        out->push_back(std::move(loaded));
      });
}

}  // namespace strata::server
