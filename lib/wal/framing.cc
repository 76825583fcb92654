#include "wal/framing.h"

#include <algorithm>

#include "util/coding.h"
#include "util/crc32c.h"
#include "wal/log_format.h"

namespace strata::wal {

int64_t PagePadding(int64_t offset) {
  const int64_t in_page = offset % kPageSize;
  return in_page == 0 ? 0 : kPageSize - in_page;
}

int64_t AppendFragments(int64_t offset, std::string_view data, uint8_t flags,
                        std::string* out) {
  bool first = true;
  // One pass even for an empty record: it is stored as an empty kFull.
  do {
    const int64_t room = kPageSize - offset % kPageSize - kHeaderSize;
    const size_t n = std::min<size_t>(data.size(), static_cast<size_t>(room));
    const bool last = n == data.size();
    FragmentType type;
    if (first) {
      type = last ? FragmentType::kFull : FragmentType::kFirst;
    } else {
      type = last ? FragmentType::kLast : FragmentType::kMiddle;
    }
    const std::string_view part = data.substr(0, n);
    char header[kHeaderSize];
    header[0] = static_cast<char>(static_cast<uint8_t>(type) | flags);
    header[1] = static_cast<char>(n >> 8);
    header[2] = static_cast<char>(n);
    EncodeBE32(header + 3, crc32c::Value(part));
    out->append(header, kHeaderSize);
    out->append(part);
    offset += kHeaderSize + static_cast<int64_t>(n);
    data.remove_prefix(n);
    first = false;

    const int64_t left = PagePadding(offset);
    if (left > 0 && left < kHeaderSize) {
      out->append(static_cast<size_t>(left), '\0');
      offset += left;
    }
  } while (!data.empty());
  return offset;
}

int64_t SegmentRoom(int64_t offset, int64_t segment_bytes) {
  const int64_t pages = segment_bytes / kPageSize;
  const int64_t done_pages = offset / kPageSize;
  const int64_t in_page = offset % kPageSize;
  int64_t room = 0;
  if (done_pages < pages) {
    room = (kPageSize - in_page - kHeaderSize) +
           (pages - done_pages - 1) * kMaxFragmentData;
  }
  return std::max<int64_t>(room, 0);
}

}  // namespace strata::wal
