#include "chunk/bit_writer.h"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <new>
#include <utility>

#include "util/huge_page_pool.h"
#include "util/sanitizers.h"

namespace strata::chunk {

BitWriter::BitWriter(std::string_view bytes, int free_bits) {
  assert(free_bits >= 0 && free_bits <= 8);
  if (bytes.empty()) return;
  Grow(bytes.size() + kSlack);
  std::memcpy(buf_, bytes.data(), bytes.size());
  if (free_bits == 8) {
    extra_byte_ = true;
    buf_[bytes.size() - 1] = 0;
    bits_ = static_cast<uint32_t>((bytes.size() - 1) * 8);
  } else {
    buf_[bytes.size() - 1] &= static_cast<uint8_t>(~((1u << free_bits) - 1));
    bits_ = static_cast<uint32_t>(bytes.size() * 8 - free_bits);
  }
}

BitWriter::BitWriter(const BitWriter& other)
    : bits_(other.bits_), extra_byte_(other.extra_byte_) {
  if (other.buf_ != nullptr) {
    Grow(other.byte_size() + kSlack);
    std::memcpy(buf_, other.buf_, other.byte_size());
  }
}

BitWriter& BitWriter::operator=(const BitWriter& other) {
  if (this != &other) *this = BitWriter(other);
  return *this;
}

BitWriter::BitWriter(BitWriter&& other) noexcept
    : buf_(std::exchange(other.buf_, nullptr)),
      bits_(std::exchange(other.bits_, 0)),
      cap_log2_(std::exchange(other.cap_log2_, 0)),
      extra_byte_(std::exchange(other.extra_byte_, false)) {}

BitWriter& BitWriter::operator=(BitWriter&& other) noexcept {
  if (this != &other) {
    Free();
    buf_ = std::exchange(other.buf_, nullptr);
    bits_ = std::exchange(other.bits_, 0);
    cap_log2_ = std::exchange(other.cap_log2_, 0);
    extra_byte_ = std::exchange(other.extra_byte_, false);
  }
  return *this;
}

BitWriter::~BitWriter() { Free(); }

namespace {

// Buffers up to 2^kMaxPooledLog2 bytes (an open chunk's, mostly) come
// from HugePagePools, one per size, that return empty regions: appends to
// many series then miss the TLB far less often than with malloc (measured
// in bench/results/codec-head-wal.md, "Chunk buffers from huge pages").
// Under AddressSanitizer every buffer comes from malloc, so that overruns
// and uses after free stay detected.
constexpr int kMaxPooledLog2 = STRATA_ADDRESS_SANITIZER ? 0 : 11;
constexpr int kMinPooledLog2 = 7;

bool Pooled(int log2) { return log2 <= kMaxPooledLog2; }

// The pool of 2^log2-byte buffers. Never destroyed: buffers may be freed
// during static destruction.
HugePagePool& PoolOf(int log2) {
  constexpr auto kReturn = HugePagePool::EmptyRegions::kReturn;
  static HugePagePool* const pools[] = {
      new HugePagePool(size_t{1} << 7, kReturn),
      new HugePagePool(size_t{1} << 8, kReturn),
      new HugePagePool(size_t{1} << 9, kReturn),
      new HugePagePool(size_t{1} << 10, kReturn),
      new HugePagePool(size_t{1} << 11, kReturn)};
  static_assert(std::size(pools) == 11 - kMinPooledLog2 + 1);
  return *pools[log2 - kMinPooledLog2];
}

void FreeBuffer(uint8_t* buf, int log2) {
  if (Pooled(log2)) {
    PoolOf(log2).Free(buf);
  } else {
    std::free(buf);
  }
}

}  // namespace

void BitWriter::Free() {
  if (buf_ != nullptr) FreeBuffer(buf_, cap_log2_);
  buf_ = nullptr;
  cap_log2_ = 0;
}

void BitWriter::Grow(size_t min_capacity) {
  static_assert(kMinCapLog2 == kMinPooledLog2);
  const size_t old_capacity = capacity();
  const int log2 =
      std::max(kMinCapLog2, static_cast<int>(std::bit_width(min_capacity - 1)));
  const size_t new_capacity = size_t{1} << log2;
  uint8_t* grown;
  if (buf_ != nullptr && !Pooled(cap_log2_)) {
    grown = static_cast<uint8_t*>(std::realloc(buf_, new_capacity));
    if (grown == nullptr) throw std::bad_alloc();
  } else {
    grown = static_cast<uint8_t*>(Pooled(log2) ? PoolOf(log2).Allocate()
                                               : std::malloc(new_capacity));
    if (grown == nullptr) throw std::bad_alloc();
    if (buf_ != nullptr) {
      std::memcpy(grown, buf_, old_capacity);
      FreeBuffer(buf_, cap_log2_);
    }
  }
  // Keeps the invariant: everything after the written bits is zero.
  std::memset(grown + old_capacity, 0, new_capacity - old_capacity);
  buf_ = grown;
  cap_log2_ = static_cast<uint8_t>(log2);
}

}  // namespace strata::chunk
