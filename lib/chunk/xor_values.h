// The value half of the Gorilla XOR coding, without timestamps: the first
// value's 64 bits, then each value XOR-ed with the one before, in exactly
// the fields of the XOR chunk (FORMAT.md, "Value XOR"). Dense chunks use it
// for values that are not short decimals (ratios, sums of floats).
//
// Thread-safety: stateless functions.
#ifndef STRATA_CHUNK_XOR_VALUES_H_
#define STRATA_CHUNK_XOR_VALUES_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"

namespace strata::chunk {

// One value's XOR fields against the previous value `prev_bits`, with the
// window (*leading, *trailing) that the coding carries from value to value;
// *leading == xor_format::kNoWindow before the first window. Histogram
// chunks code their sums (and float histograms every count) this way.
void WriteXorValue(BitWriter& w, uint64_t bits, uint64_t prev_bits,
                   uint8_t* leading, uint8_t* trailing);
// Reads what WriteXorValue wrote, updating *bits and the window. Returns
// null, or a static error message (malformed window, truncated input).
const char* ReadXorValue(BitReader& r, uint64_t* bits, uint8_t* leading,
                         uint8_t* trailing);

// Appends the bit stream of `values` (at least one) to *out, padded with
// zero bits to a whole byte.
void EncodeXorValues(std::span<const double> values, std::string* out);

// Decodes out.size() values from the front of `in`; on success sets
// *bytes_used to the whole bytes the bit stream took. Returns null, or a
// static error message for truncated or malformed bytes. Never reads
// outside `in`.
const char* DecodeXorValues(std::string_view in, std::span<double> out,
                            size_t* bytes_used);

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_XOR_VALUES_H_
