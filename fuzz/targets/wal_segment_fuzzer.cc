// WAL segments (wal/segment_reader.h, wal/salvage.h) on arbitrary bytes,
// as they are and with their fragment CRCs recomputed (crc_fixup.h), and
// the records found in them decoded.
// Invariants: SegmentReader offsets move forward and stay in the data;
// SalvagingReader returns every record the plain reader returns before its
// first error, and its damaged ranges are ordered, disjoint and inside the
// data.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crc_fixup.h"
#include "exact_copy.h"
#include "fuzz_check.h"
#include "wal/record.h"
#include "wal/salvage.h"
#include "wal/segment_reader.h"

namespace {

namespace wal = strata::wal;

void DecodeRecord(std::string_view record) {
  std::vector<wal::RefSeries> series;
  std::vector<wal::RefSample> samples;
  std::vector<wal::Stone> stones;
  switch (wal::GetRecordType(record)) {
    case wal::RecordType::kSeries:
      (void)wal::DecodeSeries(record, &series);
      break;
    case wal::RecordType::kSamples:
      (void)wal::DecodeSamples(record, &samples);
      break;
    case wal::RecordType::kTombstones:
      (void)wal::DecodeTombstones(record, &stones);
      break;
    default:
      break;
  }
}

// The records before the plain reader's first error.
std::vector<std::string> ReadPlain(std::string_view segment) {
  std::vector<std::string> records;
  wal::SegmentReader reader(segment);
  std::string_view record;
  int64_t last_offset = 0;
  while (reader.Next(&record)) {
    FUZZ_CHECK(reader.offset() > last_offset &&
                   reader.offset() <= static_cast<int64_t>(segment.size()),
               "SegmentReader offset does not advance inside the data");
    last_offset = reader.offset();
    records.emplace_back(record);
    DecodeRecord(record);
  }
  if (reader.error() != wal::SegmentReader::Error::kNone) {
    FUZZ_CHECK(!reader.status().ok(), "error without a status");
    (void)wal::SegmentReader::ValidFragmentFollows(segment,
                                                   reader.error_offset());
  }
  return records;
}

void ReadSalvaging(std::string_view segment,
                   const std::vector<std::string>& plain) {
  wal::SalvagingReader reader(segment);
  std::string_view record;
  size_t n = 0;
  while (reader.Next(&record)) {
    if (n < plain.size() && reader.damaged().empty()) {
      FUZZ_CHECK(record == plain[n], "salvaging reader differs before damage");
    }
    ++n;
    DecodeRecord(record);
  }
  if (reader.damaged().empty()) {
    FUZZ_CHECK(n == plain.size(), "salvaging reader lost undamaged records");
  }
  int64_t end = 0;
  for (const wal::DamagedRange& r : reader.damaged()) {
    FUZZ_CHECK(r.offset >= end && r.bytes >= 0 &&
                   r.offset + r.bytes <= static_cast<int64_t>(segment.size()),
               "damaged ranges out of order or outside the data");
    end = r.offset + r.bytes;
  }
}

void ReadSegment(std::string_view segment) {
  ReadSalvaging(segment, ReadPlain(segment));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ReadSegment(input);
  std::string fixed(input);
  strata::fuzz::FixWalSegmentCrcs(&fixed);
  if (fixed != input) ReadSegment(strata::fuzz::ExactCopy(fixed).view());
  return 0;
}
