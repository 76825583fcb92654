#include "wal/salvage.h"

#include "util/coding.h"
#include "wal/framing.h"
#include "wal/log_format.h"

namespace strata::wal {
namespace {

int64_t NextPage(int64_t pos) { return (pos / kPageSize + 1) * kPageSize; }

bool StartsRecord(uint8_t type_byte) {
  const auto type = static_cast<FragmentType>(type_byte & kFragmentTypeMask);
  return type == FragmentType::kFull || type == FragmentType::kFirst;
}

// The first valid record start reached from `pos` by stepping over valid
// continuation fragments and page padding, or -1.
int64_t FollowToRecordStart(std::string_view data, int64_t pos) {
  const int64_t size = static_cast<int64_t>(data.size());
  while (pos < size) {
    const int64_t left = PagePadding(pos);
    if ((left > 0 && left < kHeaderSize) || data[pos] == 0) {
      pos = NextPage(pos);  // Padding: the page ends here.
      continue;
    }
    if (!SegmentReader::IntactFragmentAt(data, pos)) return -1;
    if (StartsRecord(static_cast<uint8_t>(data[pos]))) return pos;
    pos += kHeaderSize + DecodeBE16(data.data() + pos + 1);
  }
  return -1;
}

}  // namespace

int64_t FindResumePoint(std::string_view data, int64_t lost,
                        int64_t error_offset) {
  const int64_t size = static_cast<int64_t>(data.size());
  if (error_offset < 0 || error_offset >= size) return -1;
  // 1. The failing fragment itself.
  if (error_offset > lost) {
    const int64_t at = FollowToRecordStart(data, error_offset);
    if (at > lost) return at;
  }
  // 2. Right behind it, when its length field keeps it inside its page.
  const int64_t in_page = kPageSize - error_offset % kPageSize;
  if (in_page >= kHeaderSize && error_offset + kHeaderSize <= size) {
    const int64_t len = DecodeBE16(data.data() + error_offset + 1);
    if (len <= in_page - kHeaderSize) {
      const int64_t at =
          FollowToRecordStart(data, error_offset + kHeaderSize + len);
      if (at > lost) return at;
    }
  }
  // 3. Each later page.
  for (int64_t page = NextPage(error_offset); page < size; page += kPageSize) {
    const int64_t at = FollowToRecordStart(data, page);
    if (at > lost) return at;
  }
  return -1;
}

SalvagingReader::SalvagingReader(std::string_view data) : data_(data) {
  reader_.emplace(data_);
}

bool SalvagingReader::Next(std::string_view* record) {
  while (true) {
    if (at_end_) return false;
    if (reader_->Next(record)) return true;
    at_end_ = true;
    if (reader_->status().ok()) return false;
    const int64_t lost = reader_->record_offset();
    const int64_t resume =
        FindResumePoint(data_, lost, reader_->error_offset());
    const int64_t end =
        resume < 0 ? static_cast<int64_t>(data_.size()) : resume;
    damaged_.push_back(DamagedRange{lost, end - lost, reader_->status()});
    if (resume < 0) return false;
    at_end_ = false;
    reader_.emplace(data_, resume);
  }
}

bool SalvagingReader::damaged_to_end() const {
  return !damaged_.empty() && damaged_.back().offset + damaged_.back().bytes ==
                                  static_cast<int64_t>(data_.size());
}

}  // namespace strata::wal
