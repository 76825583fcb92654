// Decompressor on records whose header lies about their decoded size.
// Found by fuzz/targets/wal_segment_fuzzer: a record of a few bytes that
// claimed 4 GB got a buffer of that size before anything was decoded.
#include "wal/compression.h"

#include <sys/resource.h>

#include <cstdint>
#include <string>

#include "gtest/gtest.h"
#include "util/coding.h"
#include "wal/log_format.h"

namespace strata::wal {
namespace {

// Peak resident memory of this process, in bytes.
int64_t PeakRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return int64_t{usage.ru_maxrss} * 1024;
}

constexpr int64_t kAllowedGrowth = 64 << 20;
constexpr uint64_t kClaimed = uint64_t{3} << 30;

// A zstd frame declaring `content_size` bytes that holds one raw byte.
std::string LyingZstdFrame(uint64_t content_size) {
  std::string frame;
  for (uint8_t b : {0x28, 0xB5, 0x2F, 0xFD})
    frame.push_back(static_cast<char>(b));
  // Frame header descriptor: an 8-byte content size, single segment.
  frame.push_back(static_cast<char>(0xE0));
  for (int i = 0; i < 8; ++i) {
    frame.push_back(static_cast<char>(content_size >> (8 * i)));
  }
  // One last raw block of 1 byte: header (1 << 3) | last.
  for (uint8_t b : {0x09, 0x00, 0x00}) frame.push_back(static_cast<char>(b));
  frame.push_back('x');
  return frame;
}

TEST(DecompressorTest, ZstdFrameClaimingGigabytesIsCorruptWithoutTheMemory) {
  const int64_t before = PeakRssBytes();
  Decompressor d;
  std::string out;
  const Status st = d.Decompress(kZstdFlag, LyingZstdFrame(kClaimed), &out);
  EXPECT_TRUE(st.Is(StatusCode::kCorruption)) << st.ToString();
  EXPECT_LT(PeakRssBytes() - before, kAllowedGrowth);
}

TEST(DecompressorTest, SnappyRecordClaimingGigabytesIsCorruptWithoutTheMemory) {
  std::string record;
  PutUvarint(&record, kClaimed);      // snappy's length header.
  record += std::string("\x00x", 2);  // A 1-byte literal.
  const int64_t before = PeakRssBytes();
  Decompressor d;
  std::string out;
  const Status st = d.Decompress(kSnappyFlag, record, &out);
  EXPECT_TRUE(st.Is(StatusCode::kCorruption)) << st.ToString();
  EXPECT_LT(PeakRssBytes() - before, kAllowedGrowth);
}

TEST(DecompressorTest, HighlyCompressibleRecordsStillDecode) {
  for (Compression c : {Compression::kSnappy, Compression::kZstd}) {
    const std::string record(8 << 20, 'a');  // zstd: about 1:20000.
    std::string compressed;
    const uint8_t flag = Compress(c, record, &compressed);
    ASSERT_NE(flag, 0);
    Decompressor d;
    std::string out;
    ASSERT_TRUE(d.Decompress(flag, compressed, &out).ok());
    EXPECT_EQ(out, record);
  }
}

}  // namespace
}  // namespace strata::wal
