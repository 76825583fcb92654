// Bit-packing of integer sequences for dense chunks: blocks of up to
// dense_format::kBlockValues 64-bit integers, each stored as a base plus
// fixed-width residuals ("frame of reference"), with the few residuals that
// do not fit the width patched in afterwards (patched FOR). FORMAT.md
// ("Integer blocks") has the byte layout.
//
// The integers are uint64_t with wrap-around arithmetic, so any int64
// sequence (deltas, offsets) round-trips, including differences that
// overflow.
//
// Thread-safety: stateless functions.
#ifndef STRATA_CHUNK_INT_PACKING_H_
#define STRATA_CHUNK_INT_PACKING_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "chunk/dense_format.h"
#include "util/coding.h"

namespace strata::chunk {

// Appends `values` to *out as ceil(size / kBlockValues) blocks, each in the
// cheaper of its two base choices and with the width that minimizes its
// bytes.
void PackInts(std::span<const uint64_t> values, std::string* out);

// What a block's header says about its values: value_i = base +
// residual_i, the residual zig-zag decoded first when `zigzag`. When
// `sparse` (width 0) only the residuals at exception_pos[0..num_exceptions)
// are written and all others are 0, so decoders fill the rest directly;
// `constant` is sparse without exceptions.
struct IntBlockInfo {
  uint64_t base = 0;
  bool zigzag = false;
  bool sparse = false;
  bool constant = false;
  int num_exceptions = 0;
  std::array<uint8_t, dense_format::kBlockValues> exception_pos;
};

inline uint64_t IntBlockValue(const IntBlockInfo& block, uint64_t residual) {
  if (!block.zigzag) return block.base + residual;
  return block.base + ((residual >> 1) ^ (0 - (residual & 1)));
}

// Reads the residuals and exceptions of a block whose header ReadIntBlock
// parsed into *block (not constant; `width` from the header) from the
// front of *in. Same contract as ReadIntBlock.
const char* ReadIntBlockBody(std::string_view* in, int n, int width,
                             uint64_t* residuals, IntBlockInfo* block);

// Reads one block of `n` (1..kBlockValues) values from the front of *in:
// its header into *block and, unless constant, its residuals into
// residuals[0..n). Advances *in past it. Returns null, or a static error
// message for truncated or malformed bytes (then the outputs are
// unspecified). Never reads outside *in. The header is parsed inline: a
// constant block (half the blocks of real data) is a few instructions.
inline const char* ReadIntBlock(std::string_view* in, int n,
                                uint64_t* residuals, IntBlockInfo* block) {
  uint8_t header;
  uint64_t base;
  uint64_t exceptions;
  if (!GetByte(in, &header) || !GetUvarint(in, &base) ||
      !GetUvarint(in, &exceptions)) {
    return "truncated dense integer block header";
  }
  const int width = header & dense_format::kWidthMask;
  if (width > dense_format::kMaxWidth) {
    return "dense integer block wider than 64 bits";
  }
  if (exceptions > static_cast<uint64_t>(n) ||
      (width == dense_format::kMaxWidth && exceptions > 0)) {
    return "bad dense integer block exception count";
  }
  block->base = static_cast<uint64_t>(ZigZagDecode(base));
  block->zigzag = (header & dense_format::kZigZagFlag) != 0;
  block->constant = width == 0 && exceptions == 0;
  block->sparse = width == 0;
  block->num_exceptions = static_cast<int>(exceptions);
  if (block->constant) return nullptr;
  return ReadIntBlockBody(in, n, width, residuals, block);
}

// Reads the blocks PackInts wrote for `n` values into out[0..n).
const char* UnpackInts(std::string_view* in, size_t n, uint64_t* out);

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_INT_PACKING_H_
