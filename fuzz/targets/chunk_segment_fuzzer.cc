// Chunk segment files (block/chunk_file_reader.h) and the XOR chunks in
// them (chunk/xor_iterator.h, xor_chunk.h) on arbitrary bytes, as they are
// and with their chunk CRCs recomputed (crc_fixup.h). The file is served
// from memory and read both through the mapping and by batched preads.
//
// Invariants: Chunk(), ReadBatch() and ForEachChunk() return the same
// bytes; a chunk decodes to the same samples with Next() and NextBatch(),
// with the baseline and the BMI2 decoder; appending to an intact chunk
// keeps its samples and adds the new one.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "block/chunk_file_reader.h"
#include "block/chunk_format.h"
#include "chunk/encoding.h"
#include "chunk/xor_chunk.h"
#include "chunk/xor_iterator.h"
#include "crc_fixup.h"
#include "fuzz_check.h"
#include "memory_file_system.h"

namespace {

using strata::ChunkBytes;
using strata::ChunkMeta;
using strata::chunk::XorIterator;

constexpr char kDir[] = "/block/chunks";
// Chunk refs tried at every offset of the first bytes, valid or not.
constexpr uint32_t kProbedOffsets = 64;
constexpr size_t kMaxBatch = 64;

struct Samples {
  std::vector<int64_t> t;
  std::vector<uint64_t> v_bits;
  bool error = false;
  bool operator==(const Samples&) const = default;
};

Samples DecodeOneByOne(std::string_view chunk) {
  Samples s;
  XorIterator it(chunk);
  while (it.Next()) {
    s.t.push_back(it.t());
    s.v_bits.push_back(it.v_bits());
  }
  s.error = it.error();
  return s;
}

Samples DecodeBatched(std::string_view chunk) {
  Samples s;
  XorIterator it(chunk);
  int64_t ts[37];
  double vs[37];
  for (size_t n; (n = it.NextBatch(ts, vs, 37)) > 0;) {
    for (size_t i = 0; i < n; ++i) {
      s.t.push_back(ts[i]);
      s.v_bits.push_back(std::bit_cast<uint64_t>(vs[i]));
    }
  }
  s.error = it.error();
  return s;
}

void CheckAppend(std::string_view chunk, const Samples& samples) {
  strata::chunk::XorChunk adopted(chunk);
  auto appender = adopted.NewAppender();
  if (!appender || adopted.Full()) return;
  const int64_t last = samples.t.empty() ? 0 : samples.t.back();
  if (last == std::numeric_limits<int64_t>::max()) return;
  appender->Append(last + 1, 0.5);
  Samples want = samples;
  want.t.push_back(last + 1);
  want.v_bits.push_back(std::bit_cast<uint64_t>(0.5));
  FUZZ_CHECK(DecodeOneByOne(adopted.Bytes()) == want,
             "appending to an adopted chunk changed its samples");
}

void DecodeXor(std::string_view chunk) {
  const Samples one = DecodeOneByOne(chunk);
  FUZZ_CHECK(DecodeBatched(chunk) == one, "Next and NextBatch disagree");
  XorIterator::UseBaselineDecoderForTesting(true);
  const Samples baseline = DecodeBatched(chunk);
  XorIterator::UseBaselineDecoderForTesting(false);
  FUZZ_CHECK(baseline == one, "baseline and BMI2 decoders disagree");
  if (!one.error) CheckAppend(chunk, one);
}

void ReadSegment(std::string_view segment) {
  strata::fuzz::MemoryFileSystem fs;
  fs.Put(std::string(kDir) + "/000001", segment);
  strata::ChunkReaderOptions options;
  options.io_mode = strata::ChunkIoMode::kPread;
  auto reader = strata::ChunkFileReader::Open(&fs, kDir, options);
  if (!reader.ok()) return;

  std::vector<ChunkMeta> metas;
  std::vector<std::string> bytes;
  (void)(*reader)->ForEachChunk([&](uint64_t ref, const ChunkBytes& c) {
    if (c.encoding == static_cast<uint8_t>(strata::chunk::Encoding::kXor)) {
      DecodeXor(c.data);
    }
    if (metas.size() < kMaxBatch) {
      metas.push_back({ref, 0, 0});
      bytes.emplace_back(c.data);
    }
    return strata::Status::OK();
  });
  std::vector<ChunkBytes> batch;
  if ((*reader)->ReadBatch(metas, &batch).ok()) {
    FUZZ_CHECK(batch.size() == metas.size(), "ReadBatch result size");
    for (size_t i = 0; i < metas.size(); ++i) {
      FUZZ_CHECK(batch[i].data == bytes[i],
                 "ReadBatch and ForEachChunk differ");
      auto mapped = (*reader)->Chunk(metas[i]);
      FUZZ_CHECK(mapped.ok() && mapped->data == bytes[i],
                 "Chunk and ForEachChunk differ");
    }
  }
  // Refs that point anywhere must fail cleanly, never read out of bounds.
  metas.clear();
  for (uint32_t off = 0; off < kProbedOffsets; ++off) {
    metas.push_back({strata::chunk_format::PackRef(0, off), 0, 0});
    (void)(*reader)->Chunk(metas.back());
  }
  metas.push_back({strata::chunk_format::PackRef(1, 8), 0, 0});
  (void)(*reader)->Chunk(metas.back());
  (void)(*reader)->ReadBatch(metas, &batch);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ReadSegment(input);
  std::string fixed(input);
  strata::fuzz::FixChunkSegmentCrcs(&fixed);
  if (fixed != input) ReadSegment(fixed);  // Put copies it exactly.
  return 0;
}
