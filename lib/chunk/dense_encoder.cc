// EncodeDenseChunk: picks, per chunk, the timestamp grid and the smallest
// of the value codings (dense_chunk.h, FORMAT.md "Dense chunk").
#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <vector>

#include "chunk/dense_chunk.h"
#include "chunk/dense_format.h"
#include "chunk/int_packing.h"
#include "chunk/xor_values.h"
#include "util/coding.h"

namespace strata::chunk {

namespace {

using dense_format::ValueMode;

// The most frequent value of v (the smallest among equally frequent ones).
uint64_t MostCommon(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  uint64_t best = v[0];
  size_t best_run = 0;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j < v.size() && v[j] == v[i]) ++j;
    if (j - i > best_run) {
      best_run = j - i;
      best = v[i];
    }
    i = j;
  }
  return best;
}

// Timestamps: anchor + i * interval + offset_i, with the interval the most
// common difference and the anchor placed so the most common offset is 0;
// the offsets are bit-packed (mostly width 0 plus a few exceptions).
void EncodeTimestamps(std::span<const int64_t> ts, std::string* out) {
  const size_t n = ts.size();
  uint64_t interval = 0;
  if (n >= 2) {
    std::vector<uint64_t> deltas(n - 1);
    for (size_t i = 1; i < n; ++i) {
      deltas[i - 1] =
          static_cast<uint64_t>(ts[i]) - static_cast<uint64_t>(ts[i - 1]);
    }
    interval = MostCommon(std::move(deltas));
  }
  std::vector<uint64_t> offsets(n);
  uint64_t grid = static_cast<uint64_t>(ts[0]);
  for (size_t i = 0; i < n; ++i, grid += interval) {
    offsets[i] = static_cast<uint64_t>(ts[i]) - grid;
  }
  const uint64_t shift = MostCommon(offsets);
  for (uint64_t& o : offsets) o -= shift;

  PutVarint(out, static_cast<int64_t>(static_cast<uint64_t>(ts[0]) + shift));
  if (n >= 2) PutVarint(out, static_cast<int64_t>(interval));
  PackInts(offsets, out);
}

// *n with DecimalValue(*n, e) bit-identical to v, if there is one.
bool ToDecimal(double v, int e, int64_t* n) {
  const double scaled = v * dense_format::kPow10[e];
  if (!(std::fabs(scaled) < dense_format::kMaxScaled)) return false;
  const auto candidate = static_cast<int64_t>(std::nearbyint(scaled));
  if (std::bit_cast<uint64_t>(dense_format::DecimalValue(candidate, e)) !=
      std::bit_cast<uint64_t>(v)) {
    return false;
  }
  *n = candidate;
  return true;
}

// True for the values no exponent can represent: non-finite, -0.0 (its
// decimal 0 gives +0.0) and magnitudes beyond kMaxScaled.
bool NeverDecimal(double v) {
  return !(std::fabs(v) < dense_format::kMaxScaled) ||
         std::bit_cast<uint64_t>(v) == std::bit_cast<uint64_t>(-0.0);
}

// The smallest exponent that represents the most values exactly, or -1 if
// none represents any. Stops at the first exponent that represents every
// value that can be a decimal at all.
int ChooseExponent(std::span<const double> vs) {
  size_t possible = 0;
  for (double v : vs) possible += !NeverDecimal(v);
  int best = -1;
  size_t best_hits = 0;
  for (int e = 0; e <= dense_format::kMaxExponent && best_hits < possible;
       ++e) {
    size_t hits = 0;
    int64_t n;
    for (double v : vs) hits += ToDecimal(v, e, &n);
    if (hits > best_hits) {
      best_hits = hits;
      best = e;
    }
  }
  return best;
}

// Values as decimals with exponent e. The values that are not (NaN, stale
// markers, -0.0, long fractions) are exceptions stored raw; their integer
// slot repeats the previous decimal so that differences stay small.
std::string EncodeDecimal(std::span<const double> vs, int e, bool delta) {
  const size_t n = vs.size();
  std::vector<uint64_t> ints(n);
  std::vector<uint32_t> exceptions;
  bool have_previous = false;
  uint64_t previous = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t d;
    if (ToDecimal(vs[i], e, &d)) {
      ints[i] = static_cast<uint64_t>(d);
      if (!have_previous) {
        // Leading exceptions take the first decimal.
        for (uint32_t x : exceptions) ints[x] = ints[i];
      }
      previous = ints[i];
      have_previous = true;
    } else {
      ints[i] = previous;
      exceptions.push_back(static_cast<uint32_t>(i));
    }
  }

  std::string out;
  out.push_back(static_cast<char>(delta ? ValueMode::kDecimalDelta
                                        : ValueMode::kDecimalFor));
  out.push_back(static_cast<char>(e));
  if (delta) {
    PutVarint(&out, static_cast<int64_t>(ints[0]));
    for (size_t i = n - 1; i > 0; --i) ints[i] -= ints[i - 1];
    PackInts(std::span<const uint64_t>(ints).subspan(1), &out);
  } else {
    PackInts(ints, &out);
  }
  PutUvarint(&out, exceptions.size());
  uint32_t next = 0;
  for (uint32_t pos : exceptions) {
    PutUvarint(&out, pos - next);
    next = pos + 1;
    dense_format::PutLE64(&out, std::bit_cast<uint64_t>(vs[pos]));
  }
  return out;
}

std::string EncodeRaw(std::span<const double> vs) {
  std::string out;
  out.push_back(static_cast<char>(ValueMode::kRaw));
  for (double v : vs) dense_format::PutLE64(&out, std::bit_cast<uint64_t>(v));
  return out;
}

std::string EncodeXor(std::span<const double> vs) {
  std::string out;
  out.push_back(static_cast<char>(ValueMode::kXor));
  EncodeXorValues(vs, &out);
  return out;
}

// Appends the smallest value coding; on ties the one that decodes faster
// (decimal, then raw, then XOR).
void EncodeValues(std::span<const double> vs, std::string* out) {
  std::string best = EncodeRaw(vs);
  const int e = ChooseExponent(vs);
  if (e >= 0) {
    for (bool delta : {true, false}) {
      std::string s = EncodeDecimal(vs, e, delta);
      if (s.size() <= best.size()) best = std::move(s);
    }
  }
  std::string x = EncodeXor(vs);
  if (x.size() < best.size()) best = std::move(x);
  out->append(best);
}

}  // namespace

std::string EncodeDenseChunk(std::span<const int64_t> ts,
                             std::span<const double> vs) {
  assert(ts.size() == vs.size() && ts.size() <= dense_format::kMaxSamples);
  std::string out;
  PutUvarint(&out, ts.size());
  if (ts.empty()) return out;
  EncodeTimestamps(ts, &out);
  EncodeValues(vs, &out);
  return out;
}

}  // namespace strata::chunk
