// Every chunk of the shared recorded block (written by Prometheus 2.42),
// read with the block chunk reader, decoded, encoded as a dense chunk and
// decoded again: the same samples, bit for bit. With CI=true a missing
// dataset fails.
#include <bit>
#include <cstdint>
#include <vector>

#include "chunk/dense_chunk.h"
#include "chunk/encoding.h"
#include "chunk/xor_iterator.h"
#include "dataset_chunks.h"
#include "gtest/gtest.h"
#include "test_env.h"

namespace strata::chunk {
namespace {

TEST(DenseDatasetTest, EveryRecordedChunkRoundTripsBitExact) {
  testing::Dataset dataset;
  const Status s = testing::LoadDataset(strata::testing::SharedDir(), &dataset);
  if (!s.ok()) {
    STRATA_SKIP_OR_FAIL_IF_MISSING(s.ToString());
  }
  int64_t samples = 0;
  int64_t xor_bytes = 0;
  int64_t dense_bytes = 0;
  std::vector<int64_t> t, t2;
  std::vector<double> v, v2;
  for (size_t c = 0; c < dataset.chunks.size(); ++c) {
    const testing::DatasetChunk& chunk = dataset.chunks[c];
    ASSERT_EQ(chunk.encoding, static_cast<uint8_t>(Encoding::kXor));
    t.clear();
    v.clear();
    XorIterator it(chunk.data);
    while (it.Next()) {
      t.push_back(it.t());
      v.push_back(it.v());
    }
    ASSERT_FALSE(it.error()) << "chunk " << c;
    const std::string dense = EncodeDenseChunk(t, v);
    t2.assign(t.size(), 0);
    v2.assign(v.size(), 0);
    ASSERT_EQ(DecodeDenseChunk(dense, t2, v2), nullptr) << "chunk " << c;
    ASSERT_EQ(t2, t) << "chunk " << c;
    for (size_t i = 0; i < v.size(); ++i) {
      ASSERT_EQ(std::bit_cast<uint64_t>(v2[i]), std::bit_cast<uint64_t>(v[i]))
          << "chunk " << c << " sample " << i;
    }
    samples += static_cast<int64_t>(t.size());
    xor_bytes += static_cast<int64_t>(chunk.data.size());
    dense_bytes += static_cast<int64_t>(dense.size());
  }
  EXPECT_EQ(samples, 343835);  // The dataset's README.
  // The point of the encoding; exact figures are in bench/RESULTS.md.
  EXPECT_LT(dense_bytes, xor_bytes);
  RecordProperty("xor_bytes", std::to_string(xor_bytes));
  RecordProperty("dense_bytes", std::to_string(dense_bytes));
  std::printf("%lld samples: XOR %lld bytes, dense %lld bytes\n",
              static_cast<long long>(samples),
              static_cast<long long>(xor_bytes),
              static_cast<long long>(dense_bytes));
}

}  // namespace
}  // namespace strata::chunk
