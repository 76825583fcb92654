// DecodeDenseChunk: the fast path of cold reads (dense_chunk.h, FORMAT.md
// "Dense chunk"). Each section decodes in tight loops over whole blocks;
// every length and index is checked against the bytes before use.
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

#include "chunk/dense_chunk.h"
#include "chunk/dense_format.h"
#include "chunk/int_packing.h"
#include "chunk/xor_values.h"
#include "util/coding.h"

namespace strata::chunk {

namespace {

using dense_format::kBlockValues;
using dense_format::ValueMode;

uint64_t LoadLE64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  if constexpr (std::endian::native == std::endian::big) {
    w = __builtin_bswap64(w);
  }
  return w;
}

const char* DecodeTimestamps(std::string_view* in, std::span<int64_t> ts) {
  int64_t anchor;
  int64_t interval = 0;
  if (!GetVarint(in, &anchor) ||
      (ts.size() >= 2 && !GetVarint(in, &interval))) {
    return "truncated dense chunk timestamps";
  }
  // int64_t and uint64_t may alias: the offsets are unpacked in place.
  auto* offsets = reinterpret_cast<uint64_t*>(ts.data());
  if (const char* err = UnpackInts(in, ts.size(), offsets)) return err;
  uint64_t grid = static_cast<uint64_t>(anchor);
  const auto step = static_cast<uint64_t>(interval);
  for (size_t i = 0; i < ts.size(); ++i, grid += step) {
    ts[i] = static_cast<int64_t>(grid + offsets[i]);
  }
  return nullptr;
}

// vs[i] = DecimalValue(ints[i], e), with the division only when e > 0.
void ToDoubles(const uint64_t* ints, size_t n, int e, double* vs) {
  if (e == 0) {
    for (size_t i = 0; i < n; ++i) {
      vs[i] = static_cast<double>(static_cast<int64_t>(ints[i]));
    }
  } else {
    const double scale = dense_format::kPow10[e];
    for (size_t i = 0; i < n; ++i) {
      vs[i] = static_cast<double>(static_cast<int64_t>(ints[i])) / scale;
    }
  }
}

const char* DecodeDecimals(std::string_view* in, bool delta,
                           std::span<double> vs) {
  uint8_t e;
  if (!GetByte(in, &e)) return "truncated dense chunk values";
  if (e > dense_format::kMaxExponent) return "bad dense chunk exponent";
  const size_t n = vs.size();
  std::array<uint64_t, kBlockValues> ints;
  size_t i = 0;
  uint64_t sum = 0;
  if (delta) {
    int64_t first;
    if (!GetVarint(in, &first)) return "truncated dense chunk values";
    sum = static_cast<uint64_t>(first);
    ints[0] = sum;
    ToDoubles(ints.data(), 1, e, vs.data());
    i = 1;
  }
  for (; i < n; i += kBlockValues) {
    const int block = static_cast<int>(std::min<size_t>(kBlockValues, n - i));
    if (const char* err = UnpackIntBlock(in, block, ints.data())) return err;
    if (delta) {
      for (int j = 0; j < block; ++j) ints[j] = sum += ints[j];
    }
    ToDoubles(ints.data(), static_cast<size_t>(block), e, vs.data() + i);
  }

  uint64_t exceptions;
  if (!GetUvarint(in, &exceptions) || exceptions > n) {
    return "bad dense chunk exception count";
  }
  uint64_t next = 0;
  for (uint64_t k = 0; k < exceptions; ++k) {
    uint64_t gap;
    if (!GetUvarint(in, &gap) || gap >= n - next) {
      return "bad dense chunk exception position";
    }
    if (in->size() < 8) return "truncated dense chunk exception";
    const uint64_t pos = next + gap;
    vs[pos] = std::bit_cast<double>(LoadLE64(in->data()));
    in->remove_prefix(8);
    next = pos + 1;
  }
  return nullptr;
}

const char* DecodeRaw(std::string_view* in, std::span<double> vs) {
  if (in->size() / 8 < vs.size()) return "truncated dense chunk raw values";
  for (double& v : vs) {
    v = std::bit_cast<double>(LoadLE64(in->data()));
    in->remove_prefix(8);
  }
  return nullptr;
}

const char* DecodeValues(std::string_view* in, std::span<double> vs) {
  uint8_t mode;
  if (!GetByte(in, &mode)) return "truncated dense chunk values";
  switch (static_cast<ValueMode>(mode)) {
    case ValueMode::kDecimalFor:
      return DecodeDecimals(in, false, vs);
    case ValueMode::kDecimalDelta:
      return DecodeDecimals(in, true, vs);
    case ValueMode::kXor: {
      size_t used = 0;
      if (const char* err = DecodeXorValues(*in, vs, &used)) return err;
      in->remove_prefix(used);
      return nullptr;
    }
    case ValueMode::kRaw:
      return DecodeRaw(in, vs);
  }
  return "unknown dense chunk value mode";
}

}  // namespace

int DenseNumSamples(std::string_view chunk) {
  uint64_t n;
  if (!GetUvarint(&chunk, &n) || n > dense_format::kMaxSamples) return -1;
  return static_cast<int>(n);
}

int DenseValueMode(std::string_view chunk) {
  const int n = DenseNumSamples(chunk);
  uint64_t count;
  if (n <= 0 || !GetUvarint(&chunk, &count)) return -1;
  std::vector<int64_t> ts(static_cast<size_t>(n));
  if (DecodeTimestamps(&chunk, ts) != nullptr || chunk.empty()) return -1;
  return static_cast<uint8_t>(chunk[0]);
}

const char* DecodeDenseChunk(std::string_view chunk, std::span<int64_t> ts,
                             std::span<double> vs) {
  uint64_t n;
  if (!GetUvarint(&chunk, &n) || n > dense_format::kMaxSamples) {
    return "bad dense chunk sample count";
  }
  if (ts.size() != n || vs.size() != n) {
    return "dense chunk sample count differs from the output size";
  }
  if (n > 0) {
    if (const char* err = DecodeTimestamps(&chunk, ts)) return err;
    if (const char* err = DecodeValues(&chunk, vs)) return err;
  }
  if (!chunk.empty()) return "trailing bytes after dense chunk";
  return nullptr;
}

}  // namespace strata::chunk
