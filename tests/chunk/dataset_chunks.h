// Every chunk of the shared recorded dataset (../shared/datasets/
// recorded-15s: one block written by Prometheus 2.42), read with Strata's
// block chunk reader (which checks each chunk's CRC32C), with the sizes of
// the files around them. For the dense chunk tests, bench/chunk_bench.cc
// and bench/dense_chunk_bench.cc.
#ifndef STRATA_TESTS_CHUNK_DATASET_CHUNKS_H_
#define STRATA_TESTS_CHUNK_DATASET_CHUNKS_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "block/block_meta.h"
#include "block/chunk_file_reader.h"
#include "chunk/xor_iterator.h"
#include "strata/status.h"
#include "temp_dir.h"

namespace strata::chunk::testing {

struct DatasetChunk {
  uint8_t encoding = 0;
  std::string data;  // Without the encoding byte.
};

struct Dataset {
  std::vector<DatasetChunk> chunks;
  int64_t chunk_file_bytes = 0;  // All chunks/ segment files.
  int64_t index_bytes = 0;       // All index files.
  int64_t other_bytes = 0;       // meta.json and tombstones.
};

// The samples of one chunk, decoded into arrays.
struct ChunkSamples {
  std::vector<int64_t> t;
  std::vector<double> v;
};

// Decodes an XOR chunk's data (without the encoding byte).
inline ChunkSamples DecodeXorSamples(std::string_view data) {
  ChunkSamples s;
  XorIterator it(data);
  while (it.Next()) {
    s.t.push_back(it.t());
    s.v.push_back(it.v());
  }
  return s;
}

// The dataset's archive under `shared_dir` (the ../shared directory).
inline std::filesystem::path RecordedArchive(const std::string& shared_dir) {
  return std::filesystem::path(shared_dir) / "datasets" / "recorded-15s" /
         "prometheus-blocks.tar.zst";
}

// Unpacks the archive into a temporary directory and reads every block in
// it. Error if the archive is missing or a block does not read cleanly.
inline Status LoadDataset(const std::string& shared_dir, Dataset* out) {
  namespace fs = std::filesystem;
  const fs::path archive = RecordedArchive(shared_dir);
  if (!fs::exists(archive)) {
    return Status::NotFound("missing dataset " + archive.string());
  }
  const strata::testing::TempDir tmp("strata-dense");
  if (!tmp.ok()) return Status::IOError("no temporary directory");
  const std::string cmd =
      "zstd -dc '" + archive.string() + "' | tar -x -C '" + tmp.path() + "'";
  if (std::system(cmd.c_str()) != 0) {
    return Status::IOError("cannot unpack " + archive.string());
  }
  std::vector<fs::path> blocks;
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    if (fs::is_directory(e.path() / kChunksDirName)) blocks.push_back(e.path());
  }
  std::sort(blocks.begin(), blocks.end());
  for (const fs::path& block : blocks) {
    for (const auto& e : fs::recursive_directory_iterator(block)) {
      if (!e.is_regular_file()) continue;
      const auto size = static_cast<int64_t>(e.file_size());
      if (e.path().parent_path().filename() == kChunksDirName) {
        out->chunk_file_bytes += size;
      } else if (e.path().filename() == kIndexFileName) {
        out->index_bytes += size;
      } else {
        out->other_bytes += size;
      }
    }
    auto reader = ChunkFileReader::Open(FileSystem::Default(),
                                        (block / kChunksDirName).string());
    if (!reader.ok()) return reader.status();
    Status s = (*reader)->ForEachChunk([out](uint64_t, const ChunkBytes& c) {
      out->chunks.push_back({c.encoding, std::string(c.data)});
      return Status::OK();
    });
    if (!s.ok()) return s;
  }
  if (out->chunks.empty()) return Status::NotFound("no chunks in the dataset");
  return Status::OK();
}

}  // namespace strata::chunk::testing

#endif  // STRATA_TESTS_CHUNK_DATASET_CHUNKS_H_
