// Dense chunks (Strata-only chunk encoding 0x53, Encoding::kDense): a whole
// series chunk encoded at once for cold, immutable blocks, about a third of
// the XOR chunk's size on real scrape data and faster to decode. Timestamps
// are a regular grid plus bit-packed offsets; values are short decimals as
// bit-packed integers (or their differences), else XOR-coded or raw. The
// layout and the measurements behind it are in FORMAT.md ("Dense chunk").
//
// Lossless: every int64 timestamp sequence and every double bit pattern
// (NaN payloads, stale markers, -0.0, infinities) decodes exactly as given.
// In a block's chunk segment a dense chunk is framed like any other (length,
// encoding byte, data, CRC32C of encoding byte and data), so corruption is
// caught by that CRC; the decoder itself only guarantees that bad bytes give
// an error, never a crash or a read outside them.
//
// Thread-safety: stateless functions.
#ifndef STRATA_CHUNK_DENSE_CHUNK_H_
#define STRATA_CHUNK_DENSE_CHUNK_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace strata::chunk {

// The chunk data (without the encoding byte) for the samples (ts[i], vs[i]).
// ts and vs have the same size, at most dense_format::kMaxSamples.
// Timestamps need not be increasing (any int64 sequence round-trips).
std::string EncodeDenseChunk(std::span<const int64_t> ts,
                             std::span<const double> vs);

// The sample count in the header, or -1 if it is missing or above
// dense_format::kMaxSamples.
int DenseNumSamples(std::string_view chunk);

// The value coding (a dense_format::ValueMode) of a non-empty chunk, for
// diagnostics and tests; -1 if the chunk is empty or unreadable.
int DenseValueMode(std::string_view chunk);

// Decodes every sample of `chunk` into ts and vs, whose sizes must equal
// DenseNumSamples(chunk). Returns null, or a static error message for
// truncated, malformed or trailing bytes (the outputs are then
// unspecified). Never reads outside `chunk`.
const char* DecodeDenseChunk(std::string_view chunk, std::span<int64_t> ts,
                             std::span<double> vs);

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_DENSE_CHUNK_H_
