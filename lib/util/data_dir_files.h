// Names of files and directories in a data directory that more than one module
// reads or writes (the server writes them; backup and restore copy them).
//
// Thread-safety: constants.
#ifndef STRATA_UTIL_DATA_DIR_FILES_H_
#define STRATA_UTIL_DATA_DIR_FILES_H_

#include <string_view>

namespace strata {

// strata-server's metric metadata from remote write (MetadataStore).
inline constexpr std::string_view kRemoteWriteMetadataFileName =
    "remote_write_metadata";

// The directories a DB keeps beside its blocks, named as Prometheus names
// them so its tooling finds them: the write-ahead log, the out-of-order
// write-behind log and the memory-mapped head chunks.
inline constexpr char kWalDir[] = "wal";
inline constexpr char kWblDir[] = "wbl";
inline constexpr char kChunksHeadDir[] = "chunks_head";

// Where damaged blocks and WAL segments are moved aside, never deleted:
// `<data>/quarantine/<ULID>` (strata-tsdb verify --repair, the DB's
// scrub), `<data>/quarantine/wal-<time>/` (repair).
inline constexpr char kQuarantineDirName[] = "quarantine";

}  // namespace strata

#endif  // STRATA_UTIL_DATA_DIR_FILES_H_
