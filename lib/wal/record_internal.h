// Helpers shared by the record payload codecs (record.cc,
// histogram_record.cc). Not for use outside lib/wal.
//
// Thread-safety: pure functions.
#ifndef STRATA_WAL_RECORD_INTERNAL_H_
#define STRATA_WAL_RECORD_INTERNAL_H_

#include <cstddef>
#include <string_view>

#include "strata/status.h"
#include "wal/record.h"

namespace strata::wal::record_internal {

// Consumes the type byte; Corruption unless it is `want`.
Status ExpectType(std::string_view* in, RecordType want);

// Corruption: a `what` record that breaks off after `items` entries.
Status Malformed(std::string_view what, size_t items);

}  // namespace strata::wal::record_internal

#endif  // STRATA_WAL_RECORD_INTERNAL_H_
