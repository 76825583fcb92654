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

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace strata::chunk {

// Appends `values` to *out as ceil(size / kBlockValues) blocks, each in the
// cheaper of its two base choices and with the width that minimizes its
// bytes.
void PackInts(std::span<const uint64_t> values, std::string* out);

// Reads one block of `n` (1..kBlockValues) values from the front of *in
// into out[0..n) and advances *in past it. Returns null, or a static error
// message for truncated or malformed bytes (then *in and out are
// unspecified). Never reads outside *in.
const char* UnpackIntBlock(std::string_view* in, int n, uint64_t* out);

// Reads the blocks PackInts wrote for `n` values into out[0..n).
const char* UnpackInts(std::string_view* in, size_t n, uint64_t* out);

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_INT_PACKING_H_
