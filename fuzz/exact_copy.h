// ExactCopy: bytes in a heap block of exactly their size. Fuzz targets
// parse modified inputs from one, so AddressSanitizer catches a read one
// byte past the end (a std::string's capacity and NUL would hide it).
#ifndef STRATA_FUZZ_EXACT_COPY_H_
#define STRATA_FUZZ_EXACT_COPY_H_

#include <string_view>
#include <vector>

namespace strata::fuzz {

class ExactCopy {
 public:
  // vector's range constructor allocates exactly the range's size.
  explicit ExactCopy(std::string_view data)
      : bytes_(data.begin(), data.end()) {}
  std::string_view view() const { return {bytes_.data(), bytes_.size()}; }

 private:
  std::vector<char> bytes_;
};

}  // namespace strata::fuzz

#endif  // STRATA_FUZZ_EXACT_COPY_H_
