// Dense chunks (chunk/dense_chunk.h) on arbitrary bytes, both ways:
//   - the input as a dense chunk: decoding gives samples or an error,
//     never a crash or a read outside the input; samples it gives encode
//     and decode back to themselves;
//   - the input as samples (16 bytes each: int64 t, double bits): they
//     encode and decode back bit-exact, NaN payloads and all.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "chunk/dense_chunk.h"
#include "chunk/dense_format.h"
#include "fuzz_check.h"

namespace {

using strata::chunk::DecodeDenseChunk;
using strata::chunk::DenseNumSamples;
using strata::chunk::EncodeDenseChunk;

struct Samples {
  std::vector<int64_t> t;
  std::vector<double> v;
};

bool SameBits(const Samples& a, const Samples& b) {
  if (a.t != b.t || a.v.size() != b.v.size()) return false;
  for (size_t i = 0; i < a.v.size(); ++i) {
    if (std::bit_cast<uint64_t>(a.v[i]) != std::bit_cast<uint64_t>(b.v[i])) {
      return false;
    }
  }
  return true;
}

// Decodes a dense chunk; false on a decoding error.
bool Decode(std::string_view chunk, Samples* out) {
  const int n = DenseNumSamples(chunk);
  if (n < 0) return false;
  out->t.assign(static_cast<size_t>(n), 0);
  out->v.assign(static_cast<size_t>(n), 0);
  return DecodeDenseChunk(chunk, out->t, out->v) == nullptr;
}

void CheckRoundTrip(const Samples& s) {
  const std::string encoded = EncodeDenseChunk(s.t, s.v);
  Samples back;
  FUZZ_CHECK(Decode(encoded, &back), "own encoding does not decode");
  FUZZ_CHECK(SameBits(back, s), "samples changed in a round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Exactly the input's bytes, so that ASan sees any read past them.
  const std::string copy(reinterpret_cast<const char*>(data), size);
  Samples decoded;
  if (Decode(copy, &decoded)) CheckRoundTrip(decoded);

  Samples raw;
  for (size_t i = 0; i + 16 <= size &&
                     raw.t.size() < strata::chunk::dense_format::kMaxSamples;
       i += 16) {
    int64_t t;
    uint64_t bits;
    std::memcpy(&t, data + i, 8);
    std::memcpy(&bits, data + i + 8, 8);
    raw.t.push_back(t);
    raw.v.push_back(std::bit_cast<double>(bits));
  }
  CheckRoundTrip(raw);
  return 0;
}
