#include "server/api/snapshot_retention.h"

#include <charconv>
#include <vector>

#include "absl/time/civil_time.h"
#include "util/file_system.h"
#include "util/log.h"

namespace strata::server {
namespace {

// "20260101T120000Z-" + 16 hex digits.
constexpr size_t kTimeLength = 16;
constexpr size_t kNameLength = kTimeLength + 1 + 16;

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

SnapshotRetention::SnapshotRetention(std::string snapshots_dir,
                                     absl::Duration retention,
                                     absl::Duration check_interval)
    : dir_(std::move(snapshots_dir)),
      retention_(retention),
      check_interval_(check_interval) {
  if (retention_ > absl::ZeroDuration()) {
    thread_ = std::thread([this] { Loop(); });
  }
}

SnapshotRetention::~SnapshotRetention() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
    stop_cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

void SnapshotRetention::BeginWrite(const std::string& name) {
  MutexLock lock(&mu_);
  writing_.insert(name);
}

void SnapshotRetention::EndWrite(const std::string& name) {
  MutexLock lock(&mu_);
  writing_.erase(name);
}

std::optional<absl::Time> SnapshotRetention::SnapshotTime(
    std::string_view name) {
  if (name.size() != kNameLength || name[kTimeLength] != '-') {
    return std::nullopt;
  }
  for (char c : name.substr(kTimeLength + 1)) {
    if (!IsHex(c)) return std::nullopt;
  }
  // Fixed-width fields (absl::ParseTime's %Y would take every digit).
  int field[6];
  const size_t offsets[6] = {0, 4, 6, 9, 11, 13};
  const size_t widths[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    const char* begin = name.data() + offsets[i];
    const char* end = begin + widths[i];
    auto [ptr, ec] = std::from_chars(begin, end, field[i]);
    if (ec != std::errc() || ptr != end) return std::nullopt;
  }
  if (name[8] != 'T' || name[15] != 'Z') return std::nullopt;
  const absl::CivilSecond civil(field[0], field[1], field[2], field[3],
                                field[4], field[5]);
  // CivilSecond normalizes out-of-range fields; a real name has none.
  if (civil.month() != field[1] || civil.day() != field[2] ||
      civil.hour() != field[3] || civil.minute() != field[4] ||
      civil.second() != field[5]) {
    return std::nullopt;
  }
  return absl::FromCivil(civil, absl::UTCTimeZone());
}

int SnapshotRetention::RemoveExpired(absl::Time now) {
  if (retention_ <= absl::ZeroDuration()) return 0;
  MutexLock pass(&remove_mu_);
  FileSystem* fs = FileSystem::Default();
  if (!fs->IsDirectory(dir_)) return 0;
  StatusOr<std::vector<std::string>> names = fs->ListDir(dir_);
  if (!names.ok()) {
    STRATA_LOG(kWarn, "Listing snapshots failed",
               {{"dir", dir_}, {"err", names.status().ToString()}});
    return 0;
  }
  int removed = 0;
  for (const std::string& name : *names) {
    const std::optional<absl::Time> t = SnapshotTime(name);
    if (!t.has_value() || now - *t <= retention_) continue;
    {
      MutexLock lock(&mu_);
      // New snapshots are named after the current time, never an expired
      // one; this guards against a clock stepping back.
      if (writing_.contains(name)) continue;
    }
    const std::string path = JoinPath(dir_, name);
    if (!fs->IsDirectory(path)) continue;
    if (Status st = fs->RemoveAll(path); !st.ok()) {
      STRATA_LOG(kWarn, "Removing expired snapshot failed",
                 {{"snapshot", name}, {"err", st.ToString()}});
      continue;
    }
    ++removed;
    STRATA_LOG(
        kInfo, "Expired snapshot removed",
        {{"snapshot", name}, {"retention", absl::FormatDuration(retention_)}});
  }
  if (removed > 0) (void)fs->SyncDir(dir_);
  return removed;
}

void SnapshotRetention::Loop() {
  for (;;) {
    {
      MutexLock lock(&mu_);
      const absl::Time deadline = absl::Now() + check_interval_;
      while (!stop_ && !stop_cv_.WaitWithDeadline(&mu_, deadline)) {
      }
      if (stop_) return;
    }
    RemoveExpired(absl::Now());
  }
}

}  // namespace strata::server
