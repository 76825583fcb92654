#include "index/index_format.h"

#include "util/coding.h"
#include "util/crc32c.h"

namespace strata::index_format {

void Toc::EncodeTo(std::string* dst) const {
  const size_t start = dst->size();
  PutBE64(dst, symbols);
  PutBE64(dst, series);
  PutBE64(dst, label_indices);
  PutBE64(dst, label_indices_table);
  PutBE64(dst, postings);
  PutBE64(dst, postings_table);
  PutBE32(dst, crc32c::Value(std::string_view(*dst).substr(start)));
}

bool Toc::DecodeFrom(std::string_view src) {
  if (src.size() != static_cast<size_t>(kEncodedSize)) return false;
  const std::string_view body = src.substr(0, kEncodedSize - kCrcSize);
  if (crc32c::Value(body) != DecodeBE32(src.data() + body.size())) {
    return false;
  }
  const char* p = src.data();
  symbols = DecodeBE64(p);
  series = DecodeBE64(p + 8);
  label_indices = DecodeBE64(p + 16);
  label_indices_table = DecodeBE64(p + 24);
  postings = DecodeBE64(p + 32);
  postings_table = DecodeBE64(p + 40);
  return true;
}

}  // namespace strata::index_format
