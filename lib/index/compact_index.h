// The compact index: Strata's on-disk form of a cold (dense) block's index
// file. It holds the block's Prometheus index v2 bytes, exactly, as one zstd
// frame, behind a header and a CRC32C (layout and the measured reasons in
// FORMAT.md next to this file, "Compact index"). IndexFileReader::Open
// recognizes it by its magic and reads the decoded Prometheus bytes, so every
// reader of the index (queries, verify, dump, analyze, repair, compaction,
// conversion back to Prometheus's format) is unchanged.
//
// Thread-safety: free functions over their arguments; no shared state.
#ifndef STRATA_INDEX_COMPACT_INDEX_H_
#define STRATA_INDEX_COMPACT_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "strata/status.h"
#include "util/file_system.h"

namespace strata::compact_index {

// "STCI", big-endian; never the Prometheus index magic 0xBAAAD700.
inline constexpr uint32_t kMagic = 0x53544349;
inline constexpr uint8_t kVersion = 1;
// Magic, version, decoded size (8 bytes, big-endian).
inline constexpr int kHeaderSize = 4 + 1 + 8;
inline constexpr int kCrcSize = 4;
// zstd level of the frame (FORMAT.md, "Compact index": the measured
// choice).
inline constexpr int kZstdLevel = 15;

// True if `file` starts with the compact index magic.
bool IsCompact(std::string_view file);

// Appends the compact form of the Prometheus index bytes `index` to `out`.
Status Encode(std::string_view index, std::string* out);

// Checks the header and the CRC of the compact index `file` (the bytes of
// the file at `path`, named in errors) and decodes it: the returned
// MappedFile holds the Prometheus index bytes, owned in memory.
// Corruption("index <path>: compact index at byte <n>: <what>") when the
// file is damaged.
StatusOr<std::unique_ptr<MappedFile>> Decode(const std::string& path,
                                             std::string_view file);

// Rewrites the Prometheus index file at `path` in the compact form
// (WriteFileAtomically: temporary file, fsync, rename, directory fsync).
Status CompactFile(FileSystem* fs, const std::string& path);

}  // namespace strata::compact_index

#endif  // STRATA_INDEX_COMPACT_INDEX_H_
