// The head-chunk files (issue 16 item 1): Prometheus 2.42's record format
// round trip, writing and reading back through the buffer and the file,
// reopening, removal of old files, and the repair of damaged files (torn
// tail, bad CRC, missing file, bad header) as Prometheus repairs them.
#include "head/head_chunk_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "head/head_chunk_format.h"
#include "temp_dir.h"
#include "util/fault_injection_file_system.h"

namespace strata {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(HeadChunkFormatTest, RecordRoundTrip) {
  std::string file;
  head_chunks::AppendFileHeader(&file);
  ASSERT_EQ(file.size(), 8u);
  // Prometheus's header: magic 0x0130BC91 big-endian, version 1, padding.
  EXPECT_EQ(file, std::string("\x01\x30\xBC\x91\x01\0\0\0", 8));
  EXPECT_TRUE(head_chunks::CheckFileHeader(file).ok());

  const std::string data(300, 'x');
  head_chunks::ChunkRecord in{42, -5, 1000, 1, data};
  std::string rec;
  head_chunks::AppendRecord(in, &rec);
  ASSERT_EQ(rec.size(), head_chunks::RecordSize(data.size()));
  // 8 + 8 + 8 + 1 + uvarint(300) (2 bytes) + 300 + CRC 4.
  EXPECT_EQ(rec.size(), 25u + 2 + 300 + 4);

  head_chunks::ChunkRecord out;
  size_t size = 0;
  ASSERT_EQ(head_chunks::DecodeRecord(rec, &out, &size),
            head_chunks::DecodeResult::kOk);
  EXPECT_EQ(size, rec.size());
  EXPECT_EQ(out.series_ref, 42u);
  EXPECT_EQ(out.mint, -5);
  EXPECT_EQ(out.maxt, 1000);
  EXPECT_EQ(out.encoding, 1);
  EXPECT_EQ(out.data, data);

  // Every byte flipped is detected; every cut is short.
  for (size_t i = 0; i < rec.size(); i += 7) {
    std::string bad = rec;
    bad[i] ^= 0x20;
    EXPECT_NE(head_chunks::DecodeRecord(bad, &out, &size),
              head_chunks::DecodeResult::kOk)
        << "byte " << i;
  }
  // From 8 on: a prefix of zeros (the big-endian series ref) reads as the
  // zero-filled end of a file.
  for (size_t n = 8; n < rec.size(); n += 13) {
    EXPECT_EQ(head_chunks::DecodeRecord(rec.substr(0, n), &out, &size),
              head_chunks::DecodeResult::kShort)
        << "cut at " << n;
  }
  EXPECT_EQ(head_chunks::DecodeRecord(std::string(64, '\0'), &out, &size),
            head_chunks::DecodeResult::kEnd);

  EXPECT_EQ(head_chunks::FileName(7), "000007");
  EXPECT_EQ(head_chunks::ParseFileName("000007"), 7u);
  EXPECT_EQ(head_chunks::ParseFileName("00000x"), 0u);
  EXPECT_EQ(head_chunks::MakeRef(3, 8), (uint64_t{3} << 32) | 8);
}

struct Loaded {
  std::vector<std::pair<uint64_t, MappedChunk>> chunks;
  HeadChunkFiles::LoadStats stats;
};

std::shared_ptr<HeadChunkFiles> OpenFiles(const std::string& dir,
                                          Loaded* loaded,
                                          FileSystem* fsys = nullptr) {
  auto files = HeadChunkFiles::Open(
      fsys ? fsys : FileSystem::Default(), dir,
      [&](uint64_t series, const MappedChunk& c) {
        loaded->chunks.push_back({series, c});
      },
      &loaded->stats);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? *files : nullptr;
}

std::string ChunkData(int i) { return std::string(50 + i % 200, 'a' + i % 26); }

// Writes chunks [from, to) of series 1 + i % 5 (chunk i spans [i*10,
// i*10+9]), then closes; returns their refs.
std::vector<uint64_t> WriteRun(const std::string& dir, int from, int to) {
  Loaded loaded;
  auto files = OpenFiles(dir, &loaded);
  std::vector<uint64_t> refs;
  for (int i = from; i < to; ++i) {
    auto ref = files->Write(1 + i % 5, i * 10, i * 10 + 9, 1, ChunkData(i));
    EXPECT_TRUE(ref.ok());
    refs.push_back(*ref);
  }
  EXPECT_TRUE(files->Close().ok());
  return refs;
}

std::vector<std::string> FileNames(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(HeadChunkFilesTest, WriteReadReopen) {
  TempDir dir;
  const std::string d = dir.path() + "/chunks_head";
  Loaded first;
  auto files = OpenFiles(d, &first);
  EXPECT_TRUE(first.chunks.empty());
  std::vector<uint64_t> refs;
  for (int i = 0; i < 500; ++i) {
    auto ref = files->Write(1 + i % 5, i * 10, i * 10 + 9, 1, ChunkData(i));
    ASSERT_TRUE(ref.ok());
    refs.push_back(*ref);
    if (i == 100) {
      ASSERT_TRUE(files->Flush().ok());
    }
  }
  // Flushed and still buffered chunks both read back.
  for (int i = 0; i < 500; ++i) {
    auto got = files->Read(refs[i]);
    ASSERT_TRUE(got.ok()) << i << " " << got.status().ToString();
    ASSERT_EQ(*got, ChunkData(i));
  }
  ASSERT_TRUE(files->Close().ok());
  EXPECT_FALSE(files->Write(1, 0, 1, 1, "x").ok());  // Closed.
  EXPECT_EQ(FileNames(d), std::vector<std::string>{"000001"});

  Loaded again;
  auto reopened = OpenFiles(d, &again);
  EXPECT_TRUE(again.stats.damage.empty()) << again.stats.damage;
  ASSERT_EQ(again.chunks.size(), 500u);
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(again.chunks[i].first, 1u + i % 5);
    EXPECT_EQ(again.chunks[i].second.ref, refs[i]);
    EXPECT_EQ(again.chunks[i].second.mint, i * 10);
    EXPECT_EQ(again.chunks[i].second.maxt, i * 10 + 9);
    auto got = reopened->Read(refs[i]);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, ChunkData(i));
  }
  // The next write starts a new file.
  auto ref = reopened->Write(9, 5000, 5001, 1, "new");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(head_chunks::RefSeq(*ref), 2u);
}

TEST(HeadChunkFilesTest, TruncateRemovesOnlyOldFilesOldestFirst) {
  TempDir dir;
  const std::string d = dir.path();
  WriteRun(d, 0, 10);   // File 1: maxt 99.
  WriteRun(d, 10, 20);  // File 2: maxt 199.
  WriteRun(d, 20, 30);  // File 3: maxt 299.
  Loaded loaded;
  auto files = OpenFiles(d, &loaded);
  ASSERT_EQ(files->NumFiles(), 3);
  EXPECT_EQ(files->Truncate(150), 1);  // File 2 still holds maxt 199.
  EXPECT_EQ(FileNames(d), (std::vector<std::string>{"000002", "000003"}));
  auto gone = files->Read(loaded.chunks[0].second.ref);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  // The file being written is never removed.
  ASSERT_TRUE(files->Write(1, 400, 409, 1, "x").ok());
  EXPECT_EQ(files->Truncate(1000), 2);
  EXPECT_EQ(FileNames(d), std::vector<std::string>{"000004"});
}

// Damage cuts the file before the first bad record and removes every later
// file; what comes before is kept.
TEST(HeadChunkFilesTest, TornTailIsCut) {
  TempDir dir;
  const std::vector<uint64_t> refs = WriteRun(dir.path(), 0, 20);
  const std::string path = dir.path() + "/000001";
  const auto size = fs::file_size(path);
  fs::resize_file(path, size - 10);
  Loaded loaded;
  auto files = OpenFiles(dir.path(), &loaded);
  EXPECT_NE(loaded.stats.damage.find("torn record"), std::string::npos)
      << loaded.stats.damage;
  ASSERT_EQ(loaded.chunks.size(), 19u);
  EXPECT_EQ(fs::file_size(path), head_chunks::RefOffset(refs[19]));
  // Opening again finds nothing wrong.
  files.reset();
  Loaded again;
  OpenFiles(dir.path(), &again);
  EXPECT_TRUE(again.stats.damage.empty()) << again.stats.damage;
  EXPECT_EQ(again.chunks.size(), 19u);
}

TEST(HeadChunkFilesTest, BadCrcInTheMiddleCutsThereAndDropsLaterFiles) {
  TempDir dir;
  const std::vector<uint64_t> refs = WriteRun(dir.path(), 0, 20);
  WriteRun(dir.path(), 20, 30);
  {
    std::fstream f(dir.path() + "/000001",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(head_chunks::RefOffset(refs[7]) + 30);
    f.put('\x7f');
  }
  Loaded loaded;
  OpenFiles(dir.path(), &loaded);
  EXPECT_NE(loaded.stats.damage.find("checksum"), std::string::npos)
      << loaded.stats.damage;
  EXPECT_EQ(loaded.chunks.size(), 7u);
  EXPECT_EQ(loaded.stats.files_removed, 1);
  EXPECT_EQ(FileNames(dir.path()), std::vector<std::string>{"000001"});
  EXPECT_EQ(fs::file_size(dir.path() + "/000001"),
            head_chunks::RefOffset(refs[7]));
}

TEST(HeadChunkFilesTest, MissingFileDropsLaterFiles) {
  TempDir dir;
  WriteRun(dir.path(), 0, 10);
  WriteRun(dir.path(), 10, 20);
  WriteRun(dir.path(), 20, 30);
  fs::remove(dir.path() + "/000002");
  Loaded loaded;
  auto files = OpenFiles(dir.path(), &loaded);
  EXPECT_NE(loaded.stats.damage.find("missing"), std::string::npos);
  EXPECT_EQ(loaded.chunks.size(), 10u);
  EXPECT_EQ(FileNames(dir.path()), std::vector<std::string>{"000001"});
  // New writes continue the sequence after the gap was closed.
  auto ref = files->Write(1, 1000, 1001, 1, "x");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(head_chunks::RefSeq(*ref), 2u);
}

TEST(HeadChunkFilesTest, BadHeaderOrEmptyFileIsRemoved) {
  TempDir dir;
  WriteRun(dir.path(), 0, 10);
  WriteRun(dir.path(), 10, 20);
  { std::ofstream(dir.path() + "/000002", std::ios::trunc); }  // Empty.
  Loaded loaded;
  OpenFiles(dir.path(), &loaded);
  EXPECT_FALSE(loaded.stats.damage.empty());
  EXPECT_EQ(loaded.chunks.size(), 10u);
  EXPECT_EQ(FileNames(dir.path()), std::vector<std::string>{"000001"});

  {
    std::fstream f(dir.path() + "/000001",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.put('\0');  // Wrong magic.
  }
  Loaded again;
  OpenFiles(dir.path(), &again);
  EXPECT_NE(again.stats.damage.find("magic"), std::string::npos);
  EXPECT_TRUE(again.chunks.empty());
  EXPECT_TRUE(FileNames(dir.path()).empty());
}

// A failed write disables writing; chunks handed out stay readable.
TEST(HeadChunkFilesTest, WriteErrorKeepsBufferedChunksReadable) {
  TempDir dir;
  FaultInjectionFileSystem fsys(FileSystem::Default());
  Loaded loaded;
  auto files = OpenFiles(dir.path(), &loaded, &fsys);
  std::vector<uint64_t> refs;
  for (int i = 0; i < 10; ++i) {
    refs.push_back(*files->Write(1, i * 10, i * 10 + 9, 1, ChunkData(i)));
  }
  ASSERT_TRUE(files->Flush().ok());
  for (int i = 10; i < 20; ++i) {
    refs.push_back(*files->Write(1, i * 10, i * 10 + 9, 1, ChunkData(i)));
  }
  Fault f = Fault::On(FaultOp::kAppend, ENOSPC).Matching(dir.path());
  f.partial_bytes = 17;
  fsys.Arm(f);
  EXPECT_FALSE(files->Flush().ok());
  EXPECT_TRUE(files->write_failed());
  EXPECT_FALSE(files->Write(1, 500, 509, 1, "x").ok());
  for (int i = 0; i < 20; ++i) {
    auto got = files->Read(refs[i]);
    ASSERT_TRUE(got.ok()) << i;
    EXPECT_EQ(*got, ChunkData(i));
  }
  files.reset();
  // The next open cuts the partial record and keeps the flushed chunks.
  Loaded again;
  OpenFiles(dir.path(), &again);
  EXPECT_FALSE(again.stats.damage.empty());
  EXPECT_EQ(again.chunks.size(), 10u);
}

// Bulk reads (the shutdown snapshot) map the files; chunks written after
// the mapping, still buffered or in older files all read back.
TEST(HeadChunkFilesTest, BulkReadServesEveryChunk) {
  TempDir dir;
  WriteRun(dir.path(), 0, 10);  // An older, complete file.
  Loaded loaded;
  auto files = OpenFiles(dir.path(), &loaded);
  std::vector<uint64_t> refs;
  for (const auto& [series, c] : loaded.chunks) refs.push_back(c.ref);
  auto write = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      refs.push_back(*files->Write(1, i * 10, i * 10 + 9, 1, ChunkData(i)));
    }
  };
  write(10, 20);
  files->BeginBulkRead();  // Flushes 10..19 and maps both files.
  write(20, 30);
  ASSERT_TRUE(files->Flush().ok());  // Past the mapping's end.
  write(30, 40);                     // Buffered.
  auto check = [&] {
    for (int i = 0; i < 40; ++i) {
      auto got = files->Read(refs[i]);
      ASSERT_TRUE(got.ok()) << i << " " << got.status().ToString();
      ASSERT_EQ(*got, ChunkData(i)) << i;
    }
  };
  check();
  files->EndBulkRead();
  check();
}

}  // namespace
}  // namespace strata
