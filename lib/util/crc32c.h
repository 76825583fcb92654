// CRC32C (Castagnoli), as Prometheus's WAL, index and chunk files use.
// Uses the SSE4.2 instruction when the CPU has it.
#ifndef STRATA_UTIL_CRC32C_H_
#define STRATA_UTIL_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace strata::crc32c {

// Extends `crc` (the CRC of earlier bytes, 0 to start) over `data`.
uint32_t Extend(uint32_t crc, std::string_view data);
inline uint32_t Value(std::string_view data) { return Extend(0, data); }

}  // namespace strata::crc32c

#endif  // STRATA_UTIL_CRC32C_H_
