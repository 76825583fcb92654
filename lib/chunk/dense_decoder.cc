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
#include "util/target_clones.h"

namespace strata::chunk {

namespace {

using dense_format::kBlockValues;
using dense_format::ValueMode;

// The decoder is bound by its stores (~2 a sample): the fills below are
// also compiled for AVX2, whose stores are twice as wide, and the one the
// CPU runs is picked once at load time (STRATA_AVX2_CLONE).

// out[j] = start + j * step (wrap-around) for j < n. Written as one
// induction variable, the form GCC vectorizes (it leaves j * step scalar,
// and GCC 12 -O3 miscompiles the same fill split into 4 manual lanes).
STRATA_AVX2_CLONE void FillArithmetic(uint64_t start, uint64_t step, int n,
                                      uint64_t* out) {
  uint64_t v = start;
  for (int j = 0; j < n; ++j) {
    out[j] = v;
    v += step;
  }
}

// out[j] = value for j < n.
STRATA_AVX2_CLONE void FillDoubles(double value, int n, double* out) {
  for (int j = 0; j < n; ++j) out[j] = value;
}

// Exact int64 -> double for |n| < 2^51 in an integer and a double
// addition, which vectorize (unlike the scalar conversion): the bits of
// 1.5 * 2^52 + n are those of 1.5 * 2^52 plus n.
constexpr uint64_t kMagicBits = 0x4338000000000000;  // 1.5 * 2^52.
constexpr double kMagic = 0x1.8p52;
constexpr uint64_t kSmallLimit = uint64_t{1} << 51;
inline bool IsSmall(uint64_t n) { return n + kSmallLimit < 2 * kSmallLimit; }

// out[j] = double(first + j * step), for a progression that IsSmall
// throughout; FillSmallScaled divides each by scale.
STRATA_AVX2_CLONE void FillSmallIntegers(uint64_t first, uint64_t step, int n,
                                         double* out) {
  uint64_t bits = first + kMagicBits;
  for (int j = 0; j < n; ++j) {
    out[j] = std::bit_cast<double>(bits) - kMagic;
    bits += step;
  }
}
STRATA_AVX2_CLONE void FillSmallScaled(uint64_t first, uint64_t step, int n,
                                       double scale, double* out) {
  uint64_t bits = first + kMagicBits;
  for (int j = 0; j < n; ++j) {
    out[j] = (std::bit_cast<double>(bits) - kMagic) / scale;
    bits += step;
  }
}

// out[j] = start + j * step + offset_j for the n offsets of a non-sparse
// block (base plus residual, zig-zag decoded first if `zigzag`), in one
// pass.
STRATA_AVX2_CLONE void FillGridPlusResiduals(uint64_t start, uint64_t step,
                                             bool zigzag,
                                             const uint64_t* residuals, int n,
                                             uint64_t* out) {
  uint64_t v = start;
  if (zigzag) {
    for (int j = 0; j < n; ++j) {
      const uint64_t r = residuals[j];
      out[j] = v + static_cast<uint64_t>(ZigZagDecode(r));
      v += step;
    }
  } else {
    for (int j = 0; j < n; ++j) {
      out[j] = v + residuals[j];
      v += step;
    }
  }
}

// Timestamps: the grid plus each block's offsets. A sparse block's offsets
// are its base except at the exceptions, which are patched afterwards.
const char* DecodeTimestamps(std::string_view* in, std::span<int64_t> ts) {
  int64_t anchor;
  int64_t interval = 0;
  if (!GetVarint(in, &anchor) ||
      (ts.size() >= 2 && !GetVarint(in, &interval))) {
    return "truncated dense chunk timestamps";
  }
  const auto step = static_cast<uint64_t>(interval);
  uint64_t grid = static_cast<uint64_t>(anchor);
  std::array<uint64_t, kBlockValues> residuals;
  // int64_t and uint64_t may alias: the grid arithmetic wraps around.
  auto* out = reinterpret_cast<uint64_t*>(ts.data());
  for (size_t i = 0; i < ts.size();
       i += kBlockValues, grid += kBlockValues * step) {
    const int n =
        static_cast<int>(std::min<size_t>(kBlockValues, ts.size() - i));
    IntBlockInfo block;
    if (const char* err = ReadIntBlock(in, n, residuals.data(), &block)) {
      return err;
    }
    if (block.sparse) {
      FillArithmetic(grid + block.base, step, n, out + i);
      for (int k = 0; k < block.num_exceptions; ++k) {
        const int j = block.exception_pos[k];
        out[i + j] += IntBlockValue(block, residuals[j]) - block.base;
      }
    } else {
      FillGridPlusResiduals(grid + block.base, step, block.zigzag,
                            residuals.data(), n, out + i);
    }
  }
  return nullptr;
}

// The decimal n as a double: DecimalValue(n, e) for e known to be 0 (no
// division) or not.
template <bool kScaled>
inline double ToDouble(uint64_t n, double scale) {
  const double d = static_cast<double>(static_cast<int64_t>(n));
  return kScaled ? d / scale : d;
}

// vs[j] = ToDouble(first + j * step) for j < n: a run of equal
// differences between the exceptions of a sparse delta block.
template <bool kScaled>
inline void FillDecimalRun(uint64_t first, uint64_t step, int n, double scale,
                           double* vs) {
  if (n <= 0) return;
  // Small ends and |step| < 2^44 (n <= 128): small throughout, no wrap.
  const uint64_t last = first + static_cast<uint64_t>(n - 1) * step;
  if (IsSmall(first) && IsSmall(last) &&
      step + (uint64_t{1} << 44) < (uint64_t{1} << 45)) {
    if constexpr (kScaled) {
      FillSmallScaled(first, step, n, scale, vs);
    } else {
      FillSmallIntegers(first, step, n, vs);
    }
    return;
  }
  for (int j = 0; j < n; ++j) {
    vs[j] = ToDouble<kScaled>(first + static_cast<uint64_t>(j) * step, scale);
  }
}

// The decimals of a block as doubles into vs[0..n): as they are (FOR) or
// as differences from the one before (*sum is the last decimal and becomes
// this block's last). A block of one repeated decimal (constant gauges,
// idle counters) is converted once.
template <bool kScaled, bool kDelta>
inline void DecimalBlock(const IntBlockInfo& block, const uint64_t* residuals,
                         int n, double scale, uint64_t* sum, double* vs) {
  if constexpr (kDelta) {
    uint64_t s = *sum;
    if (block.constant && block.base == 0) {
      FillDoubles(ToDouble<kScaled>(s, scale), n, vs);
    } else if (block.sparse) {
      // Runs of the base difference between the exceptions.
      int j = 0;
      for (int k = 0; k <= block.num_exceptions; ++k) {
        const int end = k < block.num_exceptions ? block.exception_pos[k] : n;
        FillDecimalRun<kScaled>(s + block.base, block.base, end - j, scale,
                                vs + j);
        s += static_cast<uint64_t>(end - j) * block.base;
        j = end;
        if (j < n) {
          s += IntBlockValue(block, residuals[j]);
          vs[j] = ToDouble<kScaled>(s, scale);
          ++j;
        }
      }
    } else {
      for (int j = 0; j < n; ++j) {
        s += IntBlockValue(block, residuals[j]);
        vs[j] = ToDouble<kScaled>(s, scale);
      }
    }
    *sum = s;
  } else if (block.sparse) {
    FillDoubles(ToDouble<kScaled>(block.base, scale), n, vs);
    for (int k = 0; k < block.num_exceptions; ++k) {
      const int j = block.exception_pos[k];
      vs[j] = ToDouble<kScaled>(IntBlockValue(block, residuals[j]), scale);
    }
  } else if (block.zigzag) {
    for (int j = 0; j < n; ++j) {
      vs[j] = ToDouble<kScaled>(IntBlockValue(block, residuals[j]), scale);
    }
  } else {
    for (int j = 0; j < n; ++j) {
      vs[j] = ToDouble<kScaled>(block.base + residuals[j], scale);
    }
  }
}

template <bool kScaled, bool kDelta>
const char* DecodeDecimalBlocks(std::string_view* in, std::span<double> vs,
                                int e) {
  const double scale = dense_format::kPow10[e];
  std::array<uint64_t, kBlockValues> residuals;
  size_t i = 0;
  uint64_t sum = 0;
  if constexpr (kDelta) {
    int64_t first;
    if (!GetVarint(in, &first)) return "truncated dense chunk values";
    sum = static_cast<uint64_t>(first);
    vs[0] = ToDouble<kScaled>(sum, scale);
    i = 1;
  }
  for (; i < vs.size(); i += kBlockValues) {
    const int n =
        static_cast<int>(std::min<size_t>(kBlockValues, vs.size() - i));
    IntBlockInfo block;
    if (const char* err = ReadIntBlock(in, n, residuals.data(), &block)) {
      return err;
    }
    DecimalBlock<kScaled, kDelta>(block, residuals.data(), n, scale, &sum,
                                  vs.data() + i);
  }
  return nullptr;
}

const char* DecodeDecimals(std::string_view* in, bool delta,
                           std::span<double> vs) {
  uint8_t e;
  if (!GetByte(in, &e)) return "truncated dense chunk values";
  if (e > dense_format::kMaxExponent) return "bad dense chunk exponent";
  const size_t n = vs.size();
  const char* err;
  if (e == 0) {
    err = delta ? DecodeDecimalBlocks<false, true>(in, vs, e)
                : DecodeDecimalBlocks<false, false>(in, vs, e);
  } else {
    err = delta ? DecodeDecimalBlocks<true, true>(in, vs, e)
                : DecodeDecimalBlocks<true, false>(in, vs, e);
  }
  if (err != nullptr) return err;

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
    vs[pos] = std::bit_cast<double>(dense_format::DecodeLE64(in->data()));
    in->remove_prefix(8);
    next = pos + 1;
  }
  return nullptr;
}

const char* DecodeRaw(std::string_view* in, std::span<double> vs) {
  if (in->size() / 8 < vs.size()) return "truncated dense chunk raw values";
  for (double& v : vs) {
    v = std::bit_cast<double>(dense_format::DecodeLE64(in->data()));
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
