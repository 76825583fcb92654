// Chunk segment files: layout, cutting, mmap reads, io_uring and pread
// batches, and corruption reports.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "block/chunk_file_reader.h"
#include "block/chunk_writer.h"
#include "block_test_util.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "util/fault_injection_file_system.h"

namespace strata {
namespace {

using testing::TempDir;

struct Written {
  uint64_t ref;
  uint8_t encoding;
  std::string data;
};

std::vector<Written> WriteChunks(const std::string& dir, int n,
                                 int64_t segment_bytes, size_t max_len) {
  std::mt19937 rng(42);
  auto w = ChunkSegmentWriter::Create(FileSystem::Default(), dir,
                                      {.segment_bytes = segment_bytes});
  EXPECT_TRUE(w.ok());
  std::vector<Written> out;
  for (int i = 0; i < n; ++i) {
    Written c;
    c.encoding = static_cast<uint8_t>(1 + i % 3);
    c.data.resize(1 + rng() % max_len);
    for (char& ch : c.data) ch = static_cast<char>(rng());
    auto ref = (*w)->Write(c.encoding, c.data);
    EXPECT_TRUE(ref.ok()) << ref.status().ToString();
    c.ref = *ref;
    out.push_back(std::move(c));
  }
  EXPECT_TRUE((*w)->Finish().ok());
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(ChunkFilesTest, PrometheusLayout) {
  TempDir dir;
  auto w = ChunkSegmentWriter::Create(FileSystem::Default(), dir.path());
  ASSERT_TRUE(w.ok());
  const std::string data(200, 'x');  // Two-byte length varint.
  auto r1 = (*w)->Write(1, "ab");
  auto r2 = (*w)->Write(1, data);
  ASSERT_TRUE((*w)->Finish().ok());
  EXPECT_EQ(*r1, 8u);  // Segment 0, right after the header.
  EXPECT_EQ(*r2, 8u + 1 + 1 + 2 + 4);
  std::string want("\x85\xBD\x40\xDD\x01\x00\x00\x00", 8);
  for (const std::string& d : {std::string("ab"), data}) {
    PutUvarint(&want, d.size());
    const std::string body = std::string(1, '\x01') + d;
    want += body;
    PutBE32(&want, crc32c::Value(body));
  }
  EXPECT_EQ(ReadFile(dir.path() + "/000001"), want);
  EXPECT_EQ((*w)->bytes_written(), static_cast<int64_t>(want.size()));
}

TEST(ChunkFilesTest, CutsSegmentsAndReadsBack) {
  TempDir dir;
  constexpr int64_t kSegment = 64 << 10;
  auto chunks = WriteChunks(dir.path(), 600, kSegment, 1000);
  uint32_t last_seg = 0;
  for (const Written& c : chunks) {
    const uint32_t seg = chunk_format::RefSegment(c.ref);
    EXPECT_GE(seg, last_seg);
    last_seg = seg;
  }
  EXPECT_GE(last_seg, 3u);
  for (uint32_t s = 0; s <= last_seg; ++s) {
    const std::string path =
        dir.path() + "/" + chunk_format::SegmentFileName(s);
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_LE(std::filesystem::file_size(path),
              static_cast<uint64_t>(kSegment));
  }
  EXPECT_EQ(chunk_format::SegmentFileName(0), "000001");

  auto r = ChunkFileReader::Open(FileSystem::Default(), dir.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->num_segments(), last_seg + 1);
  for (const Written& c : chunks) {
    auto got = (*r)->Chunk({c.ref, 0, 0});
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->encoding, c.encoding);
    EXPECT_EQ(got->data, c.data);
  }
  size_t n = 0;
  ASSERT_TRUE((*r)->ForEachChunk([&](uint64_t ref, const ChunkBytes& b) {
                    EXPECT_EQ(ref, chunks[n].ref);
                    EXPECT_EQ(b.data, chunks[n].data);
                    ++n;
                    return Status::OK();
                  })
                  .ok());
  EXPECT_EQ(n, chunks.size());
}

TEST(ChunkFilesTest, OversizedChunkGetsItsOwnSegment) {
  TempDir dir;
  auto w = ChunkSegmentWriter::Create(FileSystem::Default(), dir.path(),
                                      {.segment_bytes = 100});
  ASSERT_TRUE(w.ok());
  auto a = (*w)->Write(1, std::string(10, 'a'));
  auto b = (*w)->Write(1, std::string(500, 'b'));
  auto c = (*w)->Write(1, std::string(10, 'c'));
  ASSERT_TRUE((*w)->Finish().ok());
  EXPECT_EQ(chunk_format::RefSegment(*a), 0u);
  EXPECT_EQ(chunk_format::RefSegment(*b), 1u);
  EXPECT_EQ(chunk_format::RefSegment(*c), 2u);
  EXPECT_EQ((*w)->num_segments(), 3);
}

// Every io mode reads the same bytes, also when chunks are longer than the
// first read and requests come in random order.
TEST(ChunkFilesTest, BatchReadsMatchMappedReads) {
  TempDir dir;
  auto chunks = WriteChunks(dir.path(), 400, 32 << 10, 2000);
  std::vector<ChunkMeta> metas;
  for (const Written& c : chunks) metas.push_back({c.ref, 0, 0});
  std::shuffle(metas.begin(), metas.end(), std::mt19937(7));
  auto mapped = ChunkFileReader::Open(FileSystem::Default(), dir.path());
  ASSERT_TRUE(mapped.ok());

  struct Mode {
    ChunkIoMode mode;
    size_t initial;
    const char* name;
  };
  for (Mode m : {Mode{ChunkIoMode::kUring, 512, "io_uring"},
                 Mode{ChunkIoMode::kUring, 16, "io_uring"},
                 Mode{ChunkIoMode::kUring, 3, "io_uring"},
                 Mode{ChunkIoMode::kPread, 512, "pread"},
                 Mode{ChunkIoMode::kPread, 16, "pread"}}) {
    SCOPED_TRACE(std::string(m.name) + " " + std::to_string(m.initial));
    ChunkReaderOptions opts;
    opts.io_mode = m.mode;
    opts.initial_read_bytes = m.initial;
    opts.uring_queue_depth = 32;  // Fewer than a batch: several rounds.
    auto r = ChunkFileReader::Open(FileSystem::Default(), dir.path(), opts);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_STREQ((*r)->io_mode_name(), m.name);
    std::vector<ChunkBytes> got;
    ASSERT_TRUE((*r)->ReadBatch(metas, &got).ok());
    ASSERT_EQ(got.size(), metas.size());
    for (size_t i = 0; i < metas.size(); ++i) {
      auto want = (*mapped)->Chunk(metas[i]);
      ASSERT_TRUE(want.ok());
      EXPECT_EQ(got[i].encoding, want->encoding);
      EXPECT_EQ(got[i].data, want->data) << i;
    }
  }
}

TEST(ChunkFilesTest, FallsBackToPreadWhenIoUringCannotStart) {
  TempDir dir;
  auto chunks = WriteChunks(dir.path(), 20, 1 << 20, 100);
  ChunkReaderOptions opts;
  // More entries than io_uring_queue_init accepts: setup fails.
  opts.uring_queue_depth = 1u << 20;
  auto r = ChunkFileReader::Open(FileSystem::Default(), dir.path(), opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_STREQ((*r)->io_mode_name(), "pread");
  std::vector<ChunkMeta> metas;
  for (const Written& c : chunks) metas.push_back({c.ref, 0, 0});
  std::vector<ChunkBytes> got;
  ASSERT_TRUE((*r)->ReadBatch(metas, &got).ok());
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(got[i].data, chunks[i].data);
  }
  // Demanding io_uring then fails instead.
  opts.io_mode = ChunkIoMode::kUring;
  auto u = ChunkFileReader::Open(FileSystem::Default(), dir.path(), opts);
  EXPECT_EQ(u.status().code(), StatusCode::kNotSupported);
  // The default picks io_uring where the kernel has it (this machine).
  auto d = ChunkFileReader::Open(FileSystem::Default(), dir.path());
  ASSERT_TRUE(d.ok());
  EXPECT_STREQ((*d)->io_mode_name(), "io_uring");
}

TEST(ChunkFilesTest, PreadReportsIoErrors) {
  TempDir dir;
  auto chunks = WriteChunks(dir.path(), 10, 1 << 20, 100);
  FaultInjectionFileSystem fs(FileSystem::Default());
  auto r =
      ChunkFileReader::Open(&fs, dir.path(), {.io_mode = ChunkIoMode::kPread});
  ASSERT_TRUE(r.ok());
  fs.Arm(Fault::On(FaultOp::kRead, EIO).Matching("000001").Persistent());
  std::vector<ChunkBytes> got;
  Status s =
      (*r)->ReadBatch(std::vector<ChunkMeta>{{chunks[3].ref, 0, 0}}, &got);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  // The mapping is unaffected.
  EXPECT_TRUE((*r)->Chunk({chunks[3].ref, 0, 0}).ok());
}

TEST(ChunkFilesTest, CorruptionNamesFileAndOffset) {
  TempDir dir;
  auto chunks = WriteChunks(dir.path(), 10, 1 << 20, 100);
  const Written& victim = chunks[4];
  const uint32_t off = chunk_format::RefOffset(victim.ref);
  {
    std::fstream f(dir.path() + "/000001",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(off + 3);  // Inside the data.
    f.put('\xee');
  }
  for (ChunkIoMode mode : {ChunkIoMode::kUring, ChunkIoMode::kPread}) {
    auto r = ChunkFileReader::Open(FileSystem::Default(), dir.path(),
                                   {.io_mode = mode});
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE((*r)->Chunk({chunks[3].ref, 0, 0}).ok());
    auto bad = (*r)->Chunk({victim.ref, 0, 0});
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(bad.status().IsCorruption());
    const std::string msg(bad.status().message());
    EXPECT_NE(msg.find("000001"), std::string::npos) << msg;
    EXPECT_NE(msg.find("offset " + std::to_string(off)), std::string::npos)
        << msg;
    std::vector<ChunkBytes> got;
    Status s =
        (*r)->ReadBatch(std::vector<ChunkMeta>{{victim.ref, 0, 0}}, &got);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find("offset " + std::to_string(off)),
              std::string_view::npos);
    s = (*r)->ForEachChunk(
        [](uint64_t, const ChunkBytes&) { return Status::OK(); });
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  }
}

TEST(ChunkFilesTest, BadRefsAndHeaders) {
  TempDir dir;
  auto chunks = WriteChunks(dir.path(), 3, 1 << 20, 10);
  auto r = ChunkFileReader::Open(FileSystem::Default(), dir.path());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(
      (*r)->Chunk({chunk_format::PackRef(5, 8), 0, 0}).status().IsCorruption());
  EXPECT_TRUE((*r)->Chunk({chunk_format::PackRef(0, 1 << 30), 0, 0})
                  .status()
                  .IsCorruption());
  EXPECT_TRUE(
      (*r)->Chunk({chunk_format::PackRef(0, 2), 0, 0}).status().IsCorruption());
  {
    std::ofstream f(dir.path() + "/000002", std::ios::binary);
    f << "\x85\xBD\x40\xDD\x02";  // Version 2, short header.
  }
  auto bad = ChunkFileReader::Open(FileSystem::Default(), dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsCorruption());
  EXPECT_NE(bad.status().message().find("000002"), std::string_view::npos);
}

}  // namespace
}  // namespace strata
