// Recomputes the CRC32C fields of mutated files, so the fuzzers reach the
// parsing behind the checksums: a mutation almost always breaks a CRC, and
// a reader that stops at the mismatch never sees the mutated structure.
// Each target runs an input twice, as it is (the checksum paths) and fixed
// up (the structure paths).
//
// The fix-ups walk the layout as far as it is plausible and stop at the
// first thing that does not fit; they never read or write outside the
// string. Layouts: lib/wal/FORMAT.md, lib/block/FORMAT.md,
// lib/index/FORMAT.md.
//
// Thread-safety: pure functions.
#ifndef STRATA_FUZZ_CRC_FIXUP_H_
#define STRATA_FUZZ_CRC_FIXUP_H_

#include <string>

namespace strata::fuzz {

// Every WAL fragment header's CRC (page by page).
void FixWalSegmentCrcs(std::string* segment);

// Every chunk's CRC in a chunk segment file (after its 8-byte header).
void FixChunkSegmentCrcs(std::string* segment);

// The tombstones file's trailing CRC.
void FixTombstonesCrc(std::string* file);

// The index file's TOC CRC, then the CRCs of the symbol table, the series
// entries, the label indices, the postings lists, the label offset table
// and the postings offset table that the (fixed) TOC points at.
void FixIndexCrcs(std::string* index);

}  // namespace strata::fuzz

#endif  // STRATA_FUZZ_CRC_FIXUP_H_
