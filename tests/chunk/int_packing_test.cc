// Integer blocks of dense chunks (lib/chunk/int_packing.h): round trips at
// every width, across block boundaries, with exceptions, and errors for
// damaged blocks.
#include "chunk/int_packing.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "chunk/dense_format.h"
#include "gtest/gtest.h"

namespace strata::chunk {
namespace {

std::string ExpectRoundTrip(const std::vector<uint64_t>& values) {
  std::string packed;
  PackInts(values, &packed);
  std::string_view in = packed;
  std::vector<uint64_t> out(values.size());
  const char* err = UnpackInts(&in, values.size(), out.data());
  EXPECT_EQ(err, nullptr) << err;
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(out, values);
  return packed;
}

TEST(IntPackingTest, EveryWidth) {
  std::mt19937_64 rng(1);
  for (int width = 0; width <= 64; ++width) {
    std::vector<uint64_t> v(200);
    for (uint64_t& x : v) {
      x = width == 64 ? rng() : rng() & ((uint64_t{1} << width) - 1);
    }
    SCOPED_TRACE(width);
    ExpectRoundTrip(v);
  }
}

TEST(IntPackingTest, BlockBoundaries) {
  for (size_t n : {1, 2, 127, 128, 129, 255, 256, 257, 1000}) {
    std::vector<uint64_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = i * 3 + 5;
    ExpectRoundTrip(v);
  }
}

TEST(IntPackingTest, ConstantBlockIsThreeBytes) {
  EXPECT_EQ(ExpectRoundTrip(std::vector<uint64_t>(128, 0)).size(), 3u);
}

TEST(IntPackingTest, OutliersBecomeExceptions) {
  std::vector<uint64_t> v(128, 2);
  v[3] = 1000000;
  v[100] = static_cast<uint64_t>(-7);  // Below the base.
  const std::string packed = ExpectRoundTrip(v);
  EXPECT_LT(packed.size(), 16u);
}

TEST(IntPackingTest, ExtremeValuesWrapAround) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const auto min64 = static_cast<uint64_t>(std::numeric_limits<int64_t>::min());
  ExpectRoundTrip({0, max, min64, min64 - 1, 1, max - 1});
  ExpectRoundTrip({min64, min64 - 1});
}

TEST(IntPackingTest, DamagedBlocksAreErrors) {
  std::vector<uint64_t> v(100);
  for (size_t i = 0; i < v.size(); ++i) v[i] = i * i;
  v[50] = uint64_t{1} << 50;
  std::string packed;
  PackInts(v, &packed);
  std::vector<uint64_t> out(v.size());
  for (size_t len = 0; len < packed.size(); ++len) {
    std::string_view in = std::string_view(packed).substr(0, len);
    EXPECT_NE(UnpackInts(&in, v.size(), out.data()), nullptr) << len;
  }
  std::string wide = packed;
  wide[0] = 65;  // Width above 64.
  std::string_view in = wide;
  EXPECT_NE(UnpackInts(&in, v.size(), out.data()), nullptr);
}

}  // namespace
}  // namespace strata::chunk
