#include "index/compact_index.h"

#include <zstd.h>

#include <utility>

#include "index/index_format.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "util/strings.h"

namespace strata::compact_index {
namespace {

// zstd cannot expand one byte of frame into more than this many bytes (its
// densest block, an RLE block of at least 4 bytes, gives at most 128 KiB);
// a declared size beyond it is corrupt, refused before allocating.
constexpr uint64_t kZstdMaxExpansion = 32 * 1024;

// The decoded Prometheus index, owned in memory. Immutable.
class DecodedIndex final : public MappedFile {
 public:
  explicit DecodedIndex(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string_view data() const override { return bytes_; }

 private:
  const std::string bytes_;
};

Status Corrupt(const std::string& path, uint64_t offset,
               std::string_view what) {
  return Status::Corruption(
      Cat("index ", path, ": compact index at byte ", offset, ": ", what));
}

}  // namespace

bool IsCompact(std::string_view file) {
  return file.size() >= 4 && DecodeBE32(file.data()) == kMagic;
}

Status Encode(std::string_view index, std::string* out) {
  const size_t start = out->size();
  PutBE32(out, kMagic);
  out->push_back(static_cast<char>(kVersion));
  PutBE64(out, index.size());
  const size_t frame_start = out->size();
  out->resize(frame_start + ZSTD_compressBound(index.size()));
  const size_t n =
      ZSTD_compress(out->data() + frame_start, out->size() - frame_start,
                    index.data(), index.size(), kZstdLevel);
  if (ZSTD_isError(n)) {
    out->resize(start);
    return Status::Internal(
        Cat("compact index: zstd compression failed: ", ZSTD_getErrorName(n)));
  }
  out->resize(frame_start + n);
  PutBE32(out, crc32c::Value(std::string_view(*out).substr(start)));
  return Status::OK();
}

StatusOr<std::unique_ptr<MappedFile>> Decode(const std::string& path,
                                             std::string_view file) {
  if (file.size() < static_cast<size_t>(kHeaderSize + kCrcSize)) {
    return Corrupt(path, 0, Cat("file too short (", file.size(), " bytes)"));
  }
  if (!IsCompact(file)) return Corrupt(path, 0, "bad magic");
  if (const auto version = static_cast<uint8_t>(file[4]); version != kVersion) {
    return Corrupt(path, 4, Cat("unsupported version ", version));
  }
  const size_t crc_offset = file.size() - kCrcSize;
  if (crc32c::Value(file.substr(0, crc_offset)) !=
      DecodeBE32(file.data() + crc_offset)) {
    return Corrupt(path, crc_offset, "checksum mismatch");
  }
  const uint64_t size = DecodeBE64(file.data() + 5);
  const std::string_view frame =
      file.substr(kHeaderSize, crc_offset - kHeaderSize);
  if (size > index_format::kMaxFileSize ||
      size / kZstdMaxExpansion > frame.size()) {
    return Corrupt(path, 5, Cat("impossible decoded size ", size));
  }
  std::string bytes(size, '\0');
  const size_t n =
      ZSTD_decompress(bytes.data(), bytes.size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != size) {
    return Corrupt(path, kHeaderSize,
                   Cat("zstd frame does not decode to ", size, " bytes: ",
                       ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
  }
  return std::unique_ptr<MappedFile>(
      std::make_unique<DecodedIndex>(std::move(bytes)));
}

Status CompactFile(FileSystem* fs, const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::string index, fs->ReadFile(path));
  std::string compact;
  STRATA_RETURN_IF_ERROR(Encode(index, &compact));
  return WriteFileAtomically(fs, path, compact);
}

}  // namespace strata::compact_index
