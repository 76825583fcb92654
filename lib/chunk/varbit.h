// Prometheus's varbit integers (tsdb/chunkenc/varbit.go), the field coding
// of the histogram chunks: a unary prefix of up to eight 1-bits, ended by
// a 0 unless all eight are present, selects the payload width:
//
//   prefix      payload  signed range (unsigned: 0 .. 2^bits-1)
//   0           -        0
//   10          3        -3 .. 4
//   110         6        -31 .. 32
//   1110        9        -255 .. 256
//   11110       12       -2047 .. 2048
//   111110      18       -131071 .. 131072
//   1111110     25       -16777215 .. 16777216
//   11111110    56       -(2^55-1) .. 2^55
//   11111111    64       anything else
//
// Signed payloads are two's complement shifted by one like the XOR chunk's
// timestamp buckets: a raw value r > 2^(bits-1) reads as r - 2^bits.
//
// Thread-safety: stateless functions.
#ifndef STRATA_CHUNK_VARBIT_H_
#define STRATA_CHUNK_VARBIT_H_

#include <cstdint>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"

namespace strata::chunk {

void PutVarbitInt(BitWriter& w, int64_t v);
void PutVarbitUint(BitWriter& w, uint64_t v);

// Read one value. Past the end of the input they read zero bits (see
// BitReader::overrun(), which the caller checks); no prefix is invalid.
int64_t ReadVarbitInt(BitReader& r);
uint64_t ReadVarbitUint(BitReader& r);

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_VARBIT_H_
