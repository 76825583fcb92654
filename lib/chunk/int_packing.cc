#include "chunk/int_packing.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <utility>

#include "chunk/dense_format.h"
#include "util/coding.h"
#include "util/target_clones.h"

namespace strata::chunk {

namespace {

using dense_format::kBlockValues;
using dense_format::kMaxWidth;

// Bytes the unpacking loop may read past the packed bits: one 8-byte load
// at the last value's byte, plus one byte for widths above 56.
constexpr size_t kReadSlack = 16;

uint64_t LowMask(int width) {
  return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
}

size_t PackedBytes(int n, int width) {
  return (static_cast<size_t>(n) * width + 7) / 8;
}

// A way to store one block: residual r_i = v_i - base, or its zig-zag
// code when `zigzag` (for values scattered on both sides of the base).
struct BlockPlan {
  int64_t base = 0;
  bool zigzag = false;
  int width = 0;
  size_t bytes = 0;  // Packed bits and exceptions; the header is alike.
};

// Picks the width that minimizes packed bytes plus exceptions for the
// residuals r: an exception costs its position byte and the uvarint of
// r >> width. Only 0 and the bit widths present are tried (between two of
// them the packed bits grow and the exceptions stay); ties go to the wider
// width (fewer patches to decode).
void ChooseWidth(std::span<const uint64_t> r, BlockPlan* plan) {
  std::array<int, kMaxWidth + 1> count_by_width{};
  for (uint64_t x : r) ++count_by_width[std::bit_width(x)];
  std::array<int, kMaxWidth + 1> present;
  int num_present = 0;
  for (int w = 0; w <= kMaxWidth; ++w) {
    if (count_by_width[w] > 0) present[num_present++] = w;
  }
  const int n = static_cast<int>(r.size());
  size_t best = SIZE_MAX;
  for (int c = num_present; c >= 0; --c) {
    const int width = c == num_present ? present[num_present - 1]
                      : c == 0         ? 0
                                       : present[c - 1];
    size_t cost = PackedBytes(n, width);
    for (int k = num_present - 1; k >= 0 && present[k] > width; --k) {
      const int w = present[k];
      cost +=
          static_cast<size_t>(count_by_width[w]) * (1 + (w - width + 6) / 7);
    }
    if (cost < best) {
      best = cost;
      plan->width = width;
    }
  }
  plan->bytes = best;
}

uint64_t Residual(uint64_t v, const BlockPlan& plan) {
  const uint64_t d = v - static_cast<uint64_t>(plan.base);
  return plan.zigzag ? ZigZagEncode(static_cast<int64_t>(d)) : d;
}

// The plan for one block: frame of reference from the minimum, or zig-zag
// around the median, whichever is smaller.
BlockPlan PlanBlock(std::span<const uint64_t> v, uint64_t* residuals) {
  std::array<int64_t, kBlockValues> sorted{};
  const size_t n = v.size();
  for (size_t i = 0; i < n; ++i) sorted[i] = static_cast<int64_t>(v[i]);
  std::sort(sorted.begin(), sorted.begin() + n);

  BlockPlan from_min;
  from_min.base = sorted[0];
  for (size_t i = 0; i < n; ++i) residuals[i] = Residual(v[i], from_min);
  ChooseWidth({residuals, n}, &from_min);

  BlockPlan around_median;
  around_median.base = sorted[n / 2];
  around_median.zigzag = true;
  for (size_t i = 0; i < n; ++i) residuals[i] = Residual(v[i], around_median);
  ChooseWidth({residuals, n}, &around_median);

  const BlockPlan& best =
      around_median.bytes < from_min.bytes ? around_median : from_min;
  for (size_t i = 0; i < n; ++i) residuals[i] = Residual(v[i], best);
  return best;
}

void PackBlock(std::span<const uint64_t> v, std::string* out) {
  std::array<uint64_t, kBlockValues> r{};
  const BlockPlan plan = PlanBlock(v, r.data());
  const int n = static_cast<int>(v.size());
  const uint64_t mask = LowMask(plan.width);

  out->push_back(static_cast<char>(
      plan.width | (plan.zigzag ? dense_format::kZigZagFlag : 0)));
  PutVarint(out, plan.base);
  int exceptions = 0;
  for (int i = 0; i < n; ++i) exceptions += (r[i] & ~mask) != 0;
  PutUvarint(out, static_cast<uint64_t>(exceptions));

  // Low `width` bits of each residual, LSB first.
  unsigned __int128 acc = 0;
  int acc_bits = 0;
  for (int i = 0; i < n; ++i) {
    acc |= static_cast<unsigned __int128>(r[i] & mask) << acc_bits;
    acc_bits += plan.width;
    while (acc_bits >= 8) {
      out->push_back(static_cast<char>(static_cast<uint8_t>(acc)));
      acc >>= 8;
      acc_bits -= 8;
    }
  }
  if (acc_bits > 0)
    out->push_back(static_cast<char>(static_cast<uint8_t>(acc)));

  for (int i = 0; i < n; ++i) {
    if ((r[i] & ~mask) == 0) continue;
    out->push_back(static_cast<char>(i));
    PutUvarint(out, r[i] >> plan.width);
  }
}

// out[i] = the i-th `width`-bit field of p (LSB first). Reads up to
// kReadSlack bytes past the packed bits.
template <bool kWide>
void UnpackBits(const uint8_t* p, int n, int width, uint64_t* out) {
  const uint64_t mask = LowMask(width);
  size_t bit = 0;
  for (int i = 0; i < n; ++i, bit += static_cast<size_t>(width)) {
    const size_t byte = bit >> 3;
    const int shift = static_cast<int>(bit & 7);
    uint64_t w = dense_format::DecodeLE64(p + byte) >> shift;
    if constexpr (kWide) {
      if (shift != 0) w |= uint64_t{p[byte + 8]} << (64 - shift);
    }
    out[i] = w & mask;
  }
}

// UnpackBits for a width known at compile time: groups of 8 values span
// exactly kWidth bytes, so within a group every shift is a constant and
// the compiler unrolls the group into loads, shifts and masks.
// Widths up to 8 read each group with one 8-byte load (UnpackNarrow).
template <int kWidth>
[[gnu::always_inline]] inline void UnpackFixed(const uint8_t* p, int n,
                                               uint64_t* out) {
  constexpr uint64_t kMask = (uint64_t{1} << kWidth) - 1;
  int i = 0;
  for (; i + 8 <= n; i += 8, p += kWidth) {
    if constexpr (kWidth <= 8) {
      // Two vectors of 4 lanes, each lane shifting the group by its own
      // constant (one vpsrlvq on AVX2; GCC leaves the scalar form scalar).
      using U64x4 = uint64_t __attribute__((vector_size(32)));
      const uint64_t group = dense_format::DecodeLE64(p);
      const U64x4 g = {group, group, group, group};
      const U64x4 kLow = {0, kWidth, 2 * kWidth, 3 * kWidth};
      const U64x4 kHigh = {4 * kWidth, 5 * kWidth, 6 * kWidth, 7 * kWidth};
      const U64x4 lo = (g >> kLow) & kMask;
      const U64x4 hi = (g >> kHigh) & kMask;
      std::memcpy(out + i, &lo, sizeof(lo));
      std::memcpy(out + i + 4, &hi, sizeof(hi));
    } else {
#pragma GCC unroll 8
      for (int k = 0; k < 8; ++k) {
        out[i + k] = (dense_format::DecodeLE64(p + (k * kWidth) / 8) >>
                      ((k * kWidth) % 8)) &
                     kMask;
      }
    }
  }
  UnpackBits<false>(p, n - i, kWidth, out + i);
}

using Unpacker = void (*)(const uint8_t*, int, uint64_t*);

template <size_t... kWidths>
constexpr std::array<Unpacker, sizeof...(kWidths)> MakeUnpackers(
    std::index_sequence<kWidths...>) {
  return {&UnpackFixed<static_cast<int>(kWidths)>...};
}

// kUnpackers[w] for widths 0..56 (width 0 blocks are sparse and never
// unpacked, but the entry is harmless).
constexpr int kMaxFixedWidth = 56;
constexpr auto kUnpackers =
    MakeUnpackers(std::make_index_sequence<kMaxFixedWidth + 1>());

// UnpackFixed for widths 1..8 (the offsets of jittered scrapes, small
// counter steps), also compiled for AVX2 (picked once at load time:
// STRATA_AVX2_CLONE), whose
// variable shifts and wider stores unpack 4 values an instruction. (Clang
// clones no templates, hence the switch.)
STRATA_AVX2_CLONE void UnpackNarrow(const uint8_t* p, int n, int width,
                                    uint64_t* out) {
  switch (width) {
    case 1:
      return UnpackFixed<1>(p, n, out);
    case 2:
      return UnpackFixed<2>(p, n, out);
    case 3:
      return UnpackFixed<3>(p, n, out);
    case 4:
      return UnpackFixed<4>(p, n, out);
    case 5:
      return UnpackFixed<5>(p, n, out);
    case 6:
      return UnpackFixed<6>(p, n, out);
    case 7:
      return UnpackFixed<7>(p, n, out);
    default:
      return UnpackFixed<8>(p, n, out);
  }
}

void UnpackAll(const uint8_t* p, int n, int width, uint64_t* out) {
  if (width > 0 && width <= 8) {
    UnpackNarrow(p, n, width, out);
  } else if (width <= kMaxFixedWidth) {
    kUnpackers[width](p, n, out);
  } else {
    UnpackBits<true>(p, n, width, out);
  }
}

// A width-0 block: only the exceptions carry residuals; they go to
// residuals[pos] and their positions to block->exception_pos.
const char* ReadSparseExceptions(std::string_view* in, int n,
                                 uint64_t* residuals, IntBlockInfo* block) {
  int previous = -1;
  for (int k = 0; k < block->num_exceptions; ++k) {
    uint8_t pos;
    uint64_t high;
    if (!GetByte(in, &pos) || !GetUvarint(in, &high)) {
      return "truncated dense integer block exception";
    }
    if (pos <= previous || pos >= n || high == 0) {
      return "bad dense integer block exception";
    }
    residuals[pos] = high;
    block->exception_pos[k] = pos;
    previous = pos;
  }
  return nullptr;
}

}  // namespace

void PackInts(std::span<const uint64_t> values, std::string* out) {
  for (size_t i = 0; i < values.size(); i += kBlockValues) {
    PackBlock(
        values.subspan(i, std::min<size_t>(kBlockValues, values.size() - i)),
        out);
  }
}

const char* ReadIntBlockBody(std::string_view* in, int n, int width,
                             uint64_t* residuals, IntBlockInfo* block) {
  const auto exceptions = static_cast<uint64_t>(block->num_exceptions);
  const size_t packed = PackedBytes(n, width);
  if (in->size() < packed) return "truncated dense integer block";
  if (block->sparse) return ReadSparseExceptions(in, n, residuals, block);
  const auto* p = reinterpret_cast<const uint8_t*>(in->data());
  if (in->size() >= packed + kReadSlack) {
    UnpackAll(p, n, width, residuals);
  } else {
    // Near the end of the chunk: unpack from a copy with zero slack (only
    // the bytes the unpacker reads are written: zeroing the whole buffer
    // cost more than the unpacking).
    std::array<uint8_t, kBlockValues * 8 + kReadSlack> copy;
    std::memcpy(copy.data(), p, packed);
    std::memset(copy.data() + packed, 0, kReadSlack);
    UnpackAll(copy.data(), n, width, residuals);
  }
  in->remove_prefix(packed);

  int previous = -1;
  for (uint64_t k = 0; k < exceptions; ++k) {
    uint8_t pos;
    uint64_t high;
    if (!GetByte(in, &pos) || !GetUvarint(in, &high)) {
      return "truncated dense integer block exception";
    }
    if (pos <= previous || pos >= n || high == 0 ||
        (width > 0 && (high >> (64 - width)) != 0)) {
      return "bad dense integer block exception";
    }
    residuals[pos] |= high << width;
    previous = pos;
  }
  return nullptr;
}

const char* UnpackInts(std::string_view* in, size_t n, uint64_t* out) {
  for (size_t i = 0; i < n; i += kBlockValues) {
    const int block = static_cast<int>(std::min<size_t>(kBlockValues, n - i));
    IntBlockInfo info;
    if (const char* err = ReadIntBlock(in, block, out + i, &info)) return err;
    if (info.sparse) {
      // Only the exceptions' residuals were written.
      for (int j = 0; j < block; ++j) {
        const bool patched = std::binary_search(
            info.exception_pos.begin(),
            info.exception_pos.begin() + info.num_exceptions, j);
        out[i + j] = IntBlockValue(info, patched ? out[i + j] : 0);
      }
      continue;
    }
    for (int j = 0; j < block; ++j)
      out[i + j] = IntBlockValue(info, out[i + j]);
  }
  return nullptr;
}

}  // namespace strata::chunk
