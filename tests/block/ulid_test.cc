#include "util/ulid.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace strata {
namespace {

TEST(UlidTest, KnownValue) {
  // The ULID spec's example; its first 10 characters are the time.
  auto u = Ulid::Parse("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->TimeMs(), 1469922850259u);
  EXPECT_EQ(u->ToString(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  // Case-insensitive, with Crockford's aliases.
  EXPECT_EQ(Ulid::Parse("01arz3ndektsv4rrffq69g5fav").value(), *u);
  EXPECT_EQ(Ulid::Parse("0IARZ3NDEKTSV4RRFFQ69G5FAV").value().ToString(),
            "01ARZ3NDEKTSV4RRFFQ69G5FAV");
}

TEST(UlidTest, Bounds) {
  EXPECT_EQ(Ulid().ToString(), "00000000000000000000000000");
  EXPECT_TRUE(Ulid().IsZero());
  auto max = Ulid::Parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  ASSERT_TRUE(max.ok());
  for (uint8_t b : max->bytes()) EXPECT_EQ(b, 0xff);
  EXPECT_EQ(max->TimeMs(), Ulid::kMaxTimeMs);
  EXPECT_FALSE(Ulid::Parse("80000000000000000000000000").ok());  // Overflow.
  EXPECT_FALSE(Ulid::Parse("0000000000000000000000000").ok());   // Short.
  EXPECT_FALSE(Ulid::Parse("0000000000000000000000000U").ok());  // Not base32.
  EXPECT_FALSE(Ulid::IsValid("01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp"));
}

TEST(UlidTest, GenerateEncodesTimeAndRoundTrips) {
  const int64_t t = 1795620464632;
  Ulid u = Ulid::Generate(t);
  EXPECT_EQ(u.TimeMs(), static_cast<uint64_t>(t));
  EXPECT_EQ(Ulid::Parse(u.ToString()).value(), u);
}

TEST(UlidTest, MonotonicAcrossThreads) {
  constexpr int kThreads = 4, kEach = 2000;
  std::vector<std::vector<Ulid>> got(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&got, i] {
      for (int k = 0; k < kEach; ++k) got[i].push_back(Ulid::Generate());
    });
  }
  for (auto& t : threads) t.join();
  std::set<Ulid> all;
  for (const auto& v : got) {
    for (size_t k = 1; k < v.size(); ++k) {
      EXPECT_LT(v[k - 1], v[k]);
      EXPECT_LT(v[k - 1].ToString(), v[k].ToString());  // Sort as strings.
    }
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kEach});
  // Same millisecond, given explicitly: still increasing.
  Ulid a = Ulid::Generate(1000), b = Ulid::Generate(1000);
  EXPECT_LT(a, b);
}

}  // namespace
}  // namespace strata
