// Helpers shared by the chunk tests: temporary directories, shell commands,
// and a reader for the chunk segment files of a Prometheus block.
#ifndef STRATA_TESTS_CHUNK_CHUNK_TEST_UTIL_H_
#define STRATA_TESTS_CHUNK_CHUNK_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "util/coding.h"

namespace strata::chunk::testing {

// Runs `cmd` with /bin/sh; true if it exited with status 0.
inline bool RunCommand(const std::string& cmd) {
  return std::system(cmd.c_str()) == 0;
}

inline std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

// $STRATA_SOURCE_DIR/../shared, if it exists. Without the variable, the
// source directory the test was built from.
inline std::optional<std::filesystem::path> SharedDir() {
  const char* src = std::getenv("STRATA_SOURCE_DIR");
#ifdef STRATA_CHUNK_TEST_SOURCE_DIR
  if (src == nullptr || *src == '\0') src = STRATA_CHUNK_TEST_SOURCE_DIR;
#endif
  if (src == nullptr) return std::nullopt;
  std::filesystem::path dir = std::filesystem::path(src) / ".." / "shared";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

// One chunk of a block's chunk segment file.
struct RawChunk {
  uint8_t encoding = 0;
  std::string data;  // Without the encoding byte.
  uint32_t stored_crc = 0;
  std::string crc_input;  // Encoding byte + data, what the CRC covers.
};

// Block chunk segment layout: BE32 magic 0x85BD40DD, version byte 1, three
// padding bytes; then per chunk: uvarint data length, encoding byte, data,
// BE32 CRC32C of encoding byte and data.
inline constexpr uint32_t kChunkSegmentMagic = 0x85BD40DD;
inline constexpr int kChunkSegmentHeaderSize = 8;

// Parses a whole segment file; false with *error set if it is malformed.
inline bool ParseChunkSegment(std::string_view file, std::vector<RawChunk>* out,
                              std::string* error) {
  uint32_t magic;
  if (!GetBE32(&file, &magic) || magic != kChunkSegmentMagic) {
    *error = "bad segment magic";
    return false;
  }
  if (file.size() < 4 || file[0] != 1) {
    *error = "bad segment version";
    return false;
  }
  file.remove_prefix(4);
  while (!file.empty()) {
    uint64_t len;
    RawChunk c;
    if (!GetUvarint(&file, &len) || file.size() < len + 5) {
      *error = "truncated chunk in segment";
      return false;
    }
    c.crc_input = std::string(file.substr(0, len + 1));
    c.encoding = static_cast<uint8_t>(file[0]);
    c.data = std::string(file.substr(1, len));
    file.remove_prefix(len + 1);
    if (!GetBE32(&file, &c.stored_crc)) {
      *error = "truncated chunk CRC";
      return false;
    }
    out->push_back(std::move(c));
  }
  return true;
}

// All chunk segment files (`<block>/chunks/<n>`) under `root`, sorted by
// path, so blocks come in ULID (time) order and segments in order.
inline std::vector<std::string> ChunkSegmentFiles(const std::string& root) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().parent_path().filename() == "chunks") {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace strata::chunk::testing

#endif  // STRATA_TESTS_CHUNK_CHUNK_TEST_UTIL_H_
