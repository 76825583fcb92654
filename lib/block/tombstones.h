// Tombstones: deleted time ranges per series, in memory (MemTombstones) and
// in a block's `tombstones` file, in Prometheus 2.42's format
// (tsdb/tombstones/tombstones.go; layout in FORMAT.md).
//
// Series are named by the SeriesId of the block's index (the series' offset
// in the index file divided by 16, as Prometheus's series refs).
//
// Thread-safety: MemTombstones is safe for concurrent Add and Get.
#ifndef STRATA_BLOCK_TOMBSTONES_H_
#define STRATA_BLOCK_TOMBSTONES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "index/intervals.h"
#include "index/reader.h"
#include "util/file_system.h"
#include "util/mutex.h"

namespace strata {

namespace tombstone_format {
inline constexpr uint32_t kMagic = 0x0130BA30;
inline constexpr uint8_t kVersion1 = 1;
// Magic (4) and version (1).
inline constexpr int kHeaderSize = 5;
inline constexpr int kCrcSize = 4;
inline constexpr char kFileName[] = "tombstones";
}  // namespace tombstone_format

class MemTombstones : public TombstoneReader {
 public:
  MemTombstones() = default;

  // Records that samples of `id` in [iv.mint, iv.maxt] are deleted.
  void Add(SeriesId id, Interval iv);

  // TombstoneReader.
  Intervals Get(SeriesId id) const override;
  bool Empty() const override;

  // Number of intervals over all series (meta.json's numTombstones).
  uint64_t Total() const;
  // Calls fn for every series with intervals, in SeriesId order.
  void ForEach(const std::function<void(SeriesId, const Intervals&)>& fn) const;

  // The file's bytes: magic, version, entries, CRC32C.
  std::string Encode() const;
  // Parses a whole file; `name` is used in Corruption messages.
  static StatusOr<std::unique_ptr<MemTombstones>> Decode(std::string_view file,
                                                         std::string_view name);

 private:
  mutable Mutex mu_;
  std::map<SeriesId, Intervals> stones_ ABSL_GUARDED_BY(mu_);
};

// Writes `<dir>/tombstones` via a temporary file renamed into place,
// fdatasynced. The directory itself is not synced.
Status WriteTombstonesFile(FileSystem* fs, const std::string& dir,
                           const MemTombstones& stones);
// Reads `<dir>/tombstones`; a missing file means no tombstones.
StatusOr<std::unique_ptr<MemTombstones>> ReadTombstonesFile(
    FileSystem* fs, const std::string& dir);

}  // namespace strata

#endif  // STRATA_BLOCK_TOMBSTONES_H_
