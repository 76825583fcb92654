#include "chunk/bit_writer.h"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

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

void BitWriter::Free() {
  std::free(buf_);
  buf_ = nullptr;
  cap_log2_ = 0;
}

void BitWriter::Grow(size_t min_capacity) {
  const size_t old_capacity = capacity();
  const int log2 =
      std::max(kMinCapLog2, static_cast<int>(std::bit_width(min_capacity - 1)));
  const size_t new_capacity = size_t{1} << log2;
  auto* grown = static_cast<uint8_t*>(std::realloc(buf_, new_capacity));
  if (grown == nullptr) throw std::bad_alloc();
  // Keeps the invariant: everything after the written bits is zero.
  std::memset(grown + old_capacity, 0, new_capacity - old_capacity);
  buf_ = grown;
  cap_log2_ = static_cast<uint8_t>(log2);
}

}  // namespace strata::chunk
