// SeedWriter: writes the seed corpora of the fuzz targets, one file per
// seed in <out>/<target>/, named by the seed's content hash so that
// regenerating is idempotent.
//
// Thread-safety: one thread.
#ifndef STRATA_FUZZ_SEEDS_SEED_WRITER_H_
#define STRATA_FUZZ_SEEDS_SEED_WRITER_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace strata::fuzz {

class SeedWriter {
 public:
  explicit SeedWriter(std::string out_dir) : out_dir_(std::move(out_dir)) {}

  // Writes `bytes` as a seed of `target`; aborts on I/O errors.
  void Add(std::string_view target, std::string_view bytes);
  // The same with a leading flags byte (the targets that take one).
  void AddWithFlags(std::string_view target, char flags,
                    std::string_view bytes);
  int count() const { return count_; }

 private:
  const std::string out_dir_;
  int count_ = 0;
};

// The bytes of a file ("" if it cannot be read).
std::string ReadWholeFile(const std::filesystem::path& path);

// The generators, by kind of input; each adds its seeds to `out`.
// `source_dir` is the repository (for test fixtures and examples).
void AddTextSeeds(const std::string& source_dir, SeedWriter* out);
void AddStorageSeeds(SeedWriter* out);
void AddWireSeeds(SeedWriter* out);

}  // namespace strata::fuzz

#endif  // STRATA_FUZZ_SEEDS_SEED_WRITER_H_
