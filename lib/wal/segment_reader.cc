#include "wal/segment_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "wal/log_format.h"

namespace strata::wal {
namespace {

bool ValidTypeByte(uint8_t b) {
  const uint8_t type = b & kFragmentTypeMask;
  const uint8_t flags = b & ~kFragmentTypeMask;
  if (type < static_cast<uint8_t>(FragmentType::kFull) ||
      type > static_cast<uint8_t>(FragmentType::kLast)) {
    return false;
  }
  return flags == 0 || flags == kSnappyFlag || flags == kZstdFlag;
}

}  // namespace

bool SegmentReader::IntactFragmentAt(std::string_view data, int64_t pos) {
  const int64_t size = static_cast<int64_t>(data.size());
  if (pos < 0 || pos + kHeaderSize > size) return false;
  if (kPageSize - pos % kPageSize < kHeaderSize) return false;
  const char* h = data.data() + pos;
  if (!ValidTypeByte(static_cast<uint8_t>(h[0]))) return false;
  const int64_t len = DecodeBE16(h + 1);
  if (len > kPageSize - pos % kPageSize - kHeaderSize) return false;
  if (pos + kHeaderSize + len > size) return false;
  return crc32c::Value(data.substr(pos + kHeaderSize, len)) ==
         DecodeBE32(h + 3);
}

bool SegmentReader::Fail(Error error, int64_t offset, std::string_view what) {
  error_ = error;
  error_offset_ = offset;
  status_ = Status::Corruption(
      absl::StrCat(std::string(what), " at offset ", offset));
  pos_ = static_cast<int64_t>(data_.size());
  return false;
}

bool SegmentReader::Next(std::string_view* record) {
  if (!status_.ok()) return false;
  const int64_t size = static_cast<int64_t>(data_.size());
  bool in_record = false;
  uint8_t record_flags = 0;
  assembled_.clear();

  while (true) {
    if (!in_record) record_offset_ = pos_;
    if (pos_ >= size) {
      if (in_record) {
        return Fail(Error::kTruncated, pos_, "segment ends inside a record");
      }
      return false;
    }
    const int64_t page_left = kPageSize - pos_ % kPageSize;
    const uint8_t type_byte = static_cast<uint8_t>(data_[pos_]);

    if (type_byte == static_cast<uint8_t>(FragmentType::kPageTerm)) {
      // The rest of the page (or of a short segment) must be zeros.
      const int64_t end = std::min(pos_ + page_left, size);
      for (int64_t i = pos_ + 1; i < end; ++i) {
        if (data_[i] != 0) {
          return Fail(Error::kCorrupt, i, "non-zero byte in page padding");
        }
      }
      pos_ = end;
      continue;
    }
    if (page_left < kHeaderSize) {
      return Fail(Error::kCorrupt, pos_,
                  "fragment header crosses a page boundary");
    }
    if (pos_ + kHeaderSize > size) {
      return Fail(Error::kTruncated, pos_,
                  "segment ends inside a fragment header");
    }
    if (!ValidTypeByte(type_byte)) {
      return Fail(Error::kCorrupt, pos_,
                  absl::StrCat("invalid fragment type byte ",
                               static_cast<int>(type_byte)));
    }
    const FragmentType type =
        static_cast<FragmentType>(type_byte & kFragmentTypeMask);
    const uint8_t flags = type_byte & kCompressionMask;
    const int64_t len = DecodeBE16(data_.data() + pos_ + 1);
    const uint32_t crc = DecodeBE32(data_.data() + pos_ + 3);
    if (len > page_left - kHeaderSize) {
      return Fail(Error::kCorrupt, pos_,
                  absl::StrCat("fragment length ", len, " exceeds its page"));
    }
    if (pos_ + kHeaderSize + len > size) {
      return Fail(Error::kTruncated, pos_, "segment ends inside a fragment");
    }
    const std::string_view part = data_.substr(pos_ + kHeaderSize, len);
    if (crc32c::Value(part) != crc) {
      return Fail(Error::kCorrupt, pos_, "fragment checksum mismatch");
    }

    const bool starts =
        type == FragmentType::kFull || type == FragmentType::kFirst;
    if (starts == in_record) {
      return Fail(Error::kCorrupt, pos_,
                  in_record ? "record start inside another record"
                            : "record continuation without a start");
    }
    if (in_record && flags != record_flags) {
      return Fail(Error::kCorrupt, pos_,
                  "compression flags change within a record");
    }
    in_record = true;
    record_flags = flags;
    pos_ += kHeaderSize + len;

    std::string_view whole;
    if (type == FragmentType::kFull) {
      whole = part;
    } else {
      assembled_.append(part);
      if (type != FragmentType::kLast) continue;
      whole = assembled_;
    }
    stored_ = whole;
    stored_flags_ = record_flags;
    if (record_flags == 0) {
      *record = whole;
      return true;
    }
    Status s = decompressor_.Decompress(record_flags, whole, &decompressed_);
    if (!s.ok()) {
      return Fail(Error::kCorrupt, record_offset_, s.message());
    }
    *record = decompressed_;
    return true;
  }
}

bool SegmentReader::ValidFragmentFollows(std::string_view data,
                                         int64_t error_offset) {
  const int64_t size = static_cast<int64_t>(data.size());
  if (error_offset < 0 || error_offset >= size) return false;
  // Right behind the bad fragment, when its length field is plausible.
  if (error_offset + kHeaderSize <= size &&
      kPageSize - error_offset % kPageSize >= kHeaderSize) {
    const int64_t len = DecodeBE16(data.data() + error_offset + 1);
    const int64_t next = error_offset + kHeaderSize + len;
    if (len <= kPageSize - error_offset % kPageSize - kHeaderSize &&
        next / kPageSize == error_offset / kPageSize &&
        IntactFragmentAt(data, next)) {
      return true;
    }
  }
  for (int64_t page = (error_offset / kPageSize + 1) * kPageSize; page < size;
       page += kPageSize) {
    if (IntactFragmentAt(data, page)) return true;
  }
  return false;
}

}  // namespace strata::wal
