#include "block/tombstones.h"

#include <algorithm>

#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {

void MemTombstones::Add(SeriesId id, Interval iv) {
  MutexLock lock(&mu_);
  AddInterval(&stones_[id], iv);
}

Intervals MemTombstones::Get(SeriesId id) const {
  MutexLock lock(&mu_);
  auto it = stones_.find(id);
  return it == stones_.end() ? Intervals() : it->second;
}

bool MemTombstones::Empty() const {
  MutexLock lock(&mu_);
  return stones_.empty();
}

uint64_t MemTombstones::Total() const {
  MutexLock lock(&mu_);
  uint64_t n = 0;
  for (const auto& [id, ivs] : stones_) n += ivs.size();
  return n;
}

void MemTombstones::ForEach(
    const std::function<void(SeriesId, const Intervals&)>& fn) const {
  MutexLock lock(&mu_);
  for (const auto& [id, ivs] : stones_) fn(id, ivs);
}

std::string MemTombstones::Encode() const {
  std::string out;
  PutBE32(&out, tombstone_format::kMagic);
  out.push_back(static_cast<char>(tombstone_format::kVersion1));
  ForEach([&out](SeriesId id, const Intervals& ivs) {
    for (const Interval& iv : ivs) {
      PutUvarint(&out, id);
      PutVarint(&out, iv.mint);
      PutVarint(&out, iv.maxt);
    }
  });
  // The CRC covers the entries, not the magic or the version byte.
  const uint32_t crc = crc32c::Value(
      std::string_view(out).substr(tombstone_format::kHeaderSize));
  PutBE32(&out, crc);
  return out;
}

StatusOr<std::unique_ptr<MemTombstones>> MemTombstones::Decode(
    std::string_view file, std::string_view name) {
  auto corrupt = [name](std::string_view why) {
    return Status::Corruption(std::string(name) + ": " + std::string(why));
  };
  if (file.size() < static_cast<size_t>(tombstone_format::kHeaderSize +
                                        tombstone_format::kCrcSize)) {
    return corrupt("tombstones file too short");
  }
  if (DecodeBE32(file.data()) != tombstone_format::kMagic) {
    return corrupt("bad tombstones magic");
  }
  if (static_cast<uint8_t>(file[4]) != tombstone_format::kVersion1) {
    return corrupt("unknown tombstones version");
  }
  std::string_view entries = file.substr(
      tombstone_format::kHeaderSize,
      file.size() - tombstone_format::kHeaderSize - tombstone_format::kCrcSize);
  const uint32_t want = DecodeBE32(file.data() + file.size() - 4);
  if (crc32c::Value(entries) != want) {
    return corrupt("tombstones checksum mismatch");
  }
  auto stones = std::make_unique<MemTombstones>();
  while (!entries.empty()) {
    uint64_t ref;
    Interval iv;
    if (!GetUvarint(&entries, &ref) || !GetVarint(&entries, &iv.mint) ||
        !GetVarint(&entries, &iv.maxt)) {
      return corrupt("truncated tombstone entry");
    }
    if (ref > UINT32_MAX) return corrupt("tombstone series ref out of range");
    if (iv.mint > iv.maxt)
      return corrupt("tombstone interval ends before start");
    stones->Add(static_cast<SeriesId>(ref), iv);
  }
  return stones;
}

Status WriteTombstonesFile(FileSystem* fs, const std::string& dir,
                           const MemTombstones& stones) {
  return WriteFileAtomically(fs, JoinPath(dir, tombstone_format::kFileName),
                             stones.Encode());
}

StatusOr<std::unique_ptr<MemTombstones>> ReadTombstonesFile(
    FileSystem* fs, const std::string& dir) {
  const std::string path = JoinPath(dir, tombstone_format::kFileName);
  if (!fs->Exists(path)) return std::make_unique<MemTombstones>();
  STRATA_ASSIGN_OR_RETURN(std::string bytes, fs->ReadFile(path));
  return MemTombstones::Decode(bytes, path);
}

}  // namespace strata
