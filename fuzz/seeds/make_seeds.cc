// fuzz_make_seeds <out dir> <source dir>: writes the seed corpus of every
// fuzz target (see ../README.md). Binary seeds (WAL segments, index and
// chunk files, protobuf requests) come from the engine's own writers, text
// seeds from the repository's fixtures and ../shared/conformance.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "seed_writer.h"
#include "xxhash.h"

namespace strata::fuzz {

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void SeedWriter::Add(std::string_view target, std::string_view bytes) {
  const std::filesystem::path dir = std::filesystem::path(out_dir_) / target;
  std::filesystem::create_directories(dir);
  char name[32];
  std::snprintf(
      name, sizeof(name), "seed-%016llx",
      static_cast<unsigned long long>(XXH3_64bits(bytes.data(), bytes.size())));
  std::ofstream f(dir / name, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) {
    std::fprintf(stderr, "writing %s failed\n", (dir / name).c_str());
    std::abort();
  }
  ++count_;
}

void SeedWriter::AddWithFlags(std::string_view target, char flags,
                              std::string_view bytes) {
  std::string seed(1, flags);
  seed.append(bytes);
  Add(target, seed);
}

}  // namespace strata::fuzz

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <out dir> <source dir>\n", argv[0]);
    return 2;
  }
  // Regenerated from scratch: seeds carry the current time (remote write
  // accepts only recent samples), so their names change between runs.
  std::filesystem::remove_all(argv[1]);
  strata::fuzz::SeedWriter out(argv[1]);
  strata::fuzz::AddTextSeeds(argv[2], &out);
  strata::fuzz::AddStorageSeeds(&out);
  strata::fuzz::AddWireSeeds(&out);
  std::printf("%d seeds in %s\n", out.count(), argv[1]);
  return 0;
}
