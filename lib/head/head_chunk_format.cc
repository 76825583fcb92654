#include "head/head_chunk_format.h"

#include <cstdio>

#include "util/coding.h"
#include "util/crc32c.h"

namespace strata::head_chunks {

std::string FileName(uint32_t seq) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%06u", seq);
  return buf;
}

uint32_t ParseFileName(std::string_view name) {
  if (name.empty() || name.size() > 9) return 0;
  uint32_t seq = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return 0;
    seq = seq * 10 + static_cast<uint32_t>(c - '0');
  }
  return seq;
}

void AppendFileHeader(std::string* out) {
  PutBE32(out, kMagic);
  out->push_back(static_cast<char>(kVersion));
  out->append(3, '\0');
}

Status CheckFileHeader(std::string_view data) {
  if (data.size() < static_cast<size_t>(kFileHeaderSize)) {
    return Status::Corruption("head chunk file shorter than its header");
  }
  if (DecodeBE32(data.data()) != kMagic) {
    return Status::Corruption("head chunk file has a wrong magic number");
  }
  if (static_cast<uint8_t>(data[4]) != kVersion) {
    return Status::Corruption("head chunk file has an unknown version");
  }
  return Status::OK();
}

size_t RecordSize(size_t data_size) {
  return kRecordFixedSize + static_cast<size_t>(UvarintLength(data_size)) +
         data_size + kCrcSize;
}

void AppendRecord(const ChunkRecord& record, std::string* out) {
  const size_t start = out->size();
  PutBE64(out, record.series_ref);
  PutBE64(out, static_cast<uint64_t>(record.mint));
  PutBE64(out, static_cast<uint64_t>(record.maxt));
  out->push_back(static_cast<char>(record.encoding));
  PutUvarint(out, record.data.size());
  out->append(record.data);
  const uint32_t crc =
      crc32c::Value(std::string_view(out->data() + start, out->size() - start));
  PutBE32(out, crc);
}

DecodeResult DecodeRecord(std::string_view in, ChunkRecord* record,
                          size_t* size) {
  *size = 0;
  if (in.size() < kRecordFixedSize) {
    return in.find_first_not_of('\0') == std::string_view::npos
               ? DecodeResult::kEnd
               : DecodeResult::kShort;
  }
  record->series_ref = DecodeBE64(in.data());
  record->mint = static_cast<int64_t>(DecodeBE64(in.data() + 8));
  record->maxt = static_cast<int64_t>(DecodeBE64(in.data() + 16));
  // Series refs start at 1: zeros are the unwritten end of the file.
  if (record->series_ref == 0 && record->mint == 0 && record->maxt == 0) {
    return DecodeResult::kEnd;
  }
  record->encoding = static_cast<uint8_t>(in[24]);
  std::string_view rest = in.substr(kRecordFixedSize);
  uint64_t len = 0;
  if (!GetUvarint(&rest, &len)) {
    return rest.size() < static_cast<size_t>(kMaxVarintBytes)
               ? DecodeResult::kShort
               : DecodeResult::kCorrupt;
  }
  if (len > static_cast<uint64_t>(kMaxFileSize)) return DecodeResult::kCorrupt;
  const size_t header = in.size() - rest.size();
  const size_t total = header + len + kCrcSize;
  if (in.size() < total) {
    *size = total;
    return DecodeResult::kShort;
  }
  const uint32_t want = DecodeBE32(in.data() + header + len);
  if (crc32c::Value(in.substr(0, header + len)) != want) {
    return DecodeResult::kCorrupt;
  }
  record->data = in.substr(header, len);
  *size = total;
  return DecodeResult::kOk;
}

}  // namespace strata::head_chunks
