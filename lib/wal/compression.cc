#include "wal/compression.h"

#include <snappy.h>
#include <zstd.h>

#include "absl/strings/str_cat.h"
#include "wal/log_format.h"

namespace strata::wal {
namespace {

// Fast levels: the WAL is on the write path, and most records are small.
constexpr int kZstdLevel = -1;
// A record can never be this large; a frame claiming more is corrupt.
constexpr uint64_t kMaxRecordBytes = uint64_t{1} << 32;
// The most bytes one byte of compressed data can decode to, by the formats:
// snappy's densest element is a 3-byte copy of 64 bytes; zstd's a block of
// at least 4 bytes (an RLE block) giving at most 128 KiB. A declared size
// beyond this times the compressed size is corrupt (found by
// fuzz/targets/wal_segment_fuzzer: a 2 KB record claimed 4 GB, allocated
// before decoding).
constexpr uint64_t kSnappyMaxExpansion = 32;
constexpr uint64_t kZstdMaxExpansion = 32 * 1024;
// A zstd frame whose declared size is within this many times its
// compressed size (or under kTrustedZstdBytes) is decoded in one call into
// a buffer of that size; larger claims are decoded in a stream, so the
// buffer only grows with what really decodes.
constexpr uint64_t kTrustedZstdExpansion = 64;
constexpr uint64_t kTrustedZstdBytes = 1 << 20;

// Whether `declared` bytes can come from `compressed` bytes.
bool PlausibleSize(uint64_t declared, size_t compressed, uint64_t expansion) {
  return declared <= kMaxRecordBytes && declared / expansion <= compressed;
}

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> ctx(ZSTD_createCCtx());
  return ctx.get();
}

}  // namespace

uint8_t Compress(Compression compression, std::string_view record,
                 std::string* out) {
  switch (compression) {
    case Compression::kNone:
      return 0;
    case Compression::kSnappy: {
      snappy::Compress(record.data(), record.size(), out);
      return out->size() < record.size() ? kSnappyFlag : 0;
    }
    case Compression::kZstd: {
      out->resize(ZSTD_compressBound(record.size()));
      const size_t n =
          ZSTD_compressCCtx(ThreadCCtx(), out->data(), out->size(),
                            record.data(), record.size(), kZstdLevel);
      if (ZSTD_isError(n) || n >= record.size()) return 0;
      out->resize(n);
      return kZstdFlag;
    }
  }
  return 0;
}

struct Decompressor::ZstdState {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~ZstdState() { ZSTD_freeDCtx(dctx); }
};

Decompressor::Decompressor() = default;
Decompressor::~Decompressor() = default;

Status Decompressor::Decompress(uint8_t flag, std::string_view data,
                                std::string* out) {
  out->clear();
  if (flag == kSnappyFlag) {
    size_t n = 0;
    if (!snappy::GetUncompressedLength(data.data(), data.size(), &n) ||
        !PlausibleSize(n, data.size(), kSnappyMaxExpansion) ||
        !snappy::Uncompress(data.data(), data.size(), out)) {
      return Status::Corruption("snappy record does not decode");
    }
    return Status::OK();
  }
  if (flag != kZstdFlag) {
    return Status::Corruption(
        absl::StrCat("unknown compression flag ", static_cast<int>(flag)));
  }
  if (zstd_ == nullptr) zstd_ = std::make_unique<ZstdState>();
  const unsigned long long size =
      ZSTD_getFrameContentSize(data.data(), data.size());
  if (size == ZSTD_CONTENTSIZE_ERROR) {
    return Status::Corruption("zstd record has no valid frame header");
  }
  if (size == ZSTD_CONTENTSIZE_UNKNOWN) {
    // Writers that stream do not record the size up front.
    return DecompressZstdStream(data, out);
  }
  if (!PlausibleSize(size, data.size(), kZstdMaxExpansion)) {
    return Status::Corruption("zstd record claims an impossible size");
  }
  if (size > kTrustedZstdBytes &&
      !PlausibleSize(size, data.size(), kTrustedZstdExpansion)) {
    STRATA_RETURN_IF_ERROR(DecompressZstdStream(data, out));
    if (out->size() != size) {
      return Status::Corruption("zstd record does not decode: size mismatch");
    }
    return Status::OK();
  }
  out->resize(size);
  const size_t n = ZSTD_decompressDCtx(zstd_->dctx, out->data(), out->size(),
                                       data.data(), data.size());
  if (ZSTD_isError(n) || n != size) {
    return Status::Corruption(
        absl::StrCat("zstd record does not decode: ",
                     ZSTD_isError(n) ? ZSTD_getErrorName(n) : "size mismatch"));
  }
  return Status::OK();
}

Status Decompressor::DecompressZstdStream(std::string_view data,
                                          std::string* out) {
  ZSTD_DCtx_reset(zstd_->dctx, ZSTD_reset_session_only);
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  char buf[16 * 1024];
  size_t ret = 1;
  while (in.pos < in.size || ret != 0) {
    ZSTD_outBuffer o{buf, sizeof(buf), 0};
    ret = ZSTD_decompressStream(zstd_->dctx, &o, &in);
    if (ZSTD_isError(ret)) {
      return Status::Corruption(absl::StrCat("zstd record does not decode: ",
                                             ZSTD_getErrorName(ret)));
    }
    out->append(buf, o.pos);
    if (out->size() > kMaxRecordBytes) {
      return Status::Corruption("zstd record is impossibly large");
    }
    if (o.pos == 0 && in.pos == in.size && ret != 0) {
      return Status::Corruption("zstd record is truncated");
    }
  }
  return Status::OK();
}

}  // namespace strata::wal
