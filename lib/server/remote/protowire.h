// A minimal reader of the protobuf wire format, for decoding remote write
// and OTLP requests without building message objects: strings come back as
// views into the input, so a request decodes without allocating per label.
//
// Only what proto3 messages use is accepted: field numbers 1..2^29-1 and the
// wire types VARINT, I64, LEN and I32. Groups (wire types 3 and 4) and any
// truncation are errors, so a decoder built on this never reads past its
// input.
//
// Thread-safety: a WireReader is a cursor used by one thread.
#ifndef STRATA_SERVER_REMOTE_PROTOWIRE_H_
#define STRATA_SERVER_REMOTE_PROTOWIRE_H_

#include <cstdint>
#include <string_view>

#include "util/coding.h"

namespace strata::server {

enum class WireType : uint8_t {
  kVarint = 0,
  kI64 = 1,
  kLen = 2,
  kI32 = 5,
};

class WireReader {
 public:
  explicit WireReader(std::string_view data)
      : rest_(data), size_(data.size()) {}

  // Reads the next field. Returns false at the end of the input or when it
  // is malformed; error() tells them apart.
  bool Next() {
    if (rest_.empty() || error_ != nullptr) return false;
    field_begin_ = offset();
    uint64_t key;
    if (!GetUvarint(&rest_, &key)) return Fail("truncated field key");
    const uint64_t number = key >> 3;
    if (number == 0 || number > kMaxFieldNumber) {
      return Fail("invalid field number");
    }
    field_ = static_cast<uint32_t>(number);
    switch (key & 7) {
      case 0:
        type_ = WireType::kVarint;
        if (!GetUvarint(&rest_, &scalar_)) return Fail("truncated varint");
        return true;
      case 1:
        type_ = WireType::kI64;
        if (rest_.size() < 8) return Fail("truncated fixed64");
        scalar_ = DecodeLE(rest_.data(), 8);
        rest_.remove_prefix(8);
        return true;
      case 2: {
        type_ = WireType::kLen;
        uint64_t len;
        if (!GetUvarint(&rest_, &len)) return Fail("truncated length");
        if (len > rest_.size()) return Fail("length past the end of input");
        bytes_ = rest_.substr(0, static_cast<size_t>(len));
        rest_.remove_prefix(static_cast<size_t>(len));
        return true;
      }
      case 5: {
        type_ = WireType::kI32;
        if (rest_.size() < 4) return Fail("truncated fixed32");
        scalar_ = DecodeLE(rest_.data(), 4);
        rest_.remove_prefix(4);
        return true;
      }
      default:
        return Fail("unsupported wire type");
    }
  }

  uint32_t field() const { return field_; }
  WireType type() const { return type_; }

  // Typed accessors for the current field. Each fails (and sets error())
  // if the wire type does not fit, as a proto parser must.
  bool Varint(uint64_t* v) {
    if (type_ != WireType::kVarint) return Fail("wrong wire type for varint");
    *v = scalar_;
    return true;
  }
  bool Int64(int64_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  bool Uint32(uint32_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    *v = static_cast<uint32_t>(u);  // Truncates, as protobuf does.
    return true;
  }
  // sint32: the varint's low 32 bits, zig-zag decoded, as protobuf does.
  bool Sint32(int32_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    const uint32_t low = static_cast<uint32_t>(u);
    *v = static_cast<int32_t>(low >> 1) ^ -static_cast<int32_t>(low & 1);
    return true;
  }
  bool Double(double* v) {
    if (type_ != WireType::kI64) return Fail("wrong wire type for double");
    *v = BitsToDouble(scalar_);
    return true;
  }
  // fixed64 and sfixed64 (the bits as they are).
  bool Fixed64(uint64_t* v) {
    if (type_ != WireType::kI64) return Fail("wrong wire type for fixed64");
    *v = scalar_;
    return true;
  }
  bool Bytes(std::string_view* v) {
    if (type_ != WireType::kLen) return Fail("wrong wire type for bytes");
    *v = bytes_;
    return true;
  }

  // Calls fn(uint64_t) for each value of a repeated varint field, which may
  // arrive packed (one LEN field) or one value per field.
  template <typename Fn>
  bool RepeatedVarint(Fn fn) {
    if (type_ == WireType::kVarint) {
      fn(scalar_);
      return true;
    }
    if (type_ != WireType::kLen) return Fail("wrong wire type for varints");
    std::string_view packed = bytes_;
    while (!packed.empty()) {
      uint64_t v;
      if (!GetUvarint(&packed, &v)) return Fail("truncated packed varint");
      fn(v);
    }
    return true;
  }

  // Calls fn(uint64_t) with the bits of each value of a repeated fixed64
  // or double field, packed (one LEN field) or one value per field.
  template <typename Fn>
  bool RepeatedFixed64(Fn fn) {
    if (type_ == WireType::kI64) {
      fn(scalar_);
      return true;
    }
    if (type_ != WireType::kLen) return Fail("wrong wire type for fixed64s");
    const std::string_view packed = bytes_;
    if (packed.size() % 8 != 0) return Fail("truncated packed fixed64");
    for (size_t i = 0; i < packed.size(); i += 8) {
      fn(DecodeLE(packed.data() + i, 8));
    }
    return true;
  }

  // nullptr while the input is well-formed.
  const char* error() const { return error_; }
  // Bytes consumed so far, for error messages.
  size_t offset() const { return size_ - rest_.size(); }
  // Where the current field (its key) starts.
  size_t field_begin() const { return field_begin_; }

 private:
  static constexpr uint64_t kMaxFieldNumber = (uint64_t{1} << 29) - 1;

  // Fixed-width fields are little endian on the wire.
  static uint64_t DecodeLE(const char* p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
    return v;
  }

  bool Fail(const char* what) {
    if (error_ == nullptr) error_ = what;
    return false;
  }

  std::string_view rest_;
  size_t size_;
  size_t field_begin_ = 0;
  const char* error_ = nullptr;
  uint32_t field_ = 0;
  WireType type_ = WireType::kVarint;
  uint64_t scalar_ = 0;
  std::string_view bytes_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_PROTOWIRE_H_
