// The one reader interface that the head and every on-disk block implement,
// so that queries and compaction treat them alike and neither knows the
// other. Modeled on Prometheus's IndexReader / ChunkReader / BlockReader.
//
// Series are addressed by a SeriesId local to one reader: the head uses its
// series ids, a block the series' offset in its index file divided by 16.
// Postings are sets of SeriesIds as Roaring bitmaps; iterating a block's
// postings in id order yields its series sorted by labels (the head's ids
// are not sorted; see IndexReader::SortedByLabels).
//
// Thread-safety: implementations are safe for concurrent readers.
#ifndef STRATA_INDEX_READER_H_
#define STRATA_INDEX_READER_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "roaring/roaring.hh"  // NOLINT: the C++ wrapper declares ::Roaring
#include "strata/labels.h"
#include "strata/status.h"

namespace strata {

using SeriesId = uint32_t;
using Postings = ::Roaring;

inline constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

// Where a chunk lives and what time span it covers (both ends inclusive).
struct ChunkMeta {
  uint64_t ref = 0;
  int64_t mint = 0;
  int64_t maxt = 0;
  bool Overlaps(int64_t lo, int64_t hi) const {
    return mint <= hi && lo <= maxt;
  }
};

// The bytes of one chunk. `data` stays valid while `keep_alive` is held;
// for a block that pins the mapped file, for the head an owned copy.
struct ChunkBytes {
  uint8_t encoding = 0;
  std::string_view data;
  std::shared_ptr<const void> keep_alive;
};

// A deleted time range, both ends inclusive.
struct Interval {
  int64_t mint = 0;
  int64_t maxt = 0;
  bool Contains(int64_t t) const { return mint <= t && t <= maxt; }
  friend bool operator==(const Interval&, const Interval&) = default;
};
using Intervals = std::vector<Interval>;

class IndexReader {
 public:
  virtual ~IndexReader() = default;

  // Sorted, unique.
  virtual StatusOr<std::vector<std::string>> LabelNames() const = 0;
  // Sorted, unique values of `name` across all series.
  virtual StatusOr<std::vector<std::string>> LabelValues(
      std::string_view name) const = 0;
  // Union of the postings of name=value for each value.
  virtual StatusOr<Postings> PostingsFor(
      std::string_view name, const std::vector<std::string>& values) const = 0;
  // Every series.
  virtual StatusOr<Postings> AllPostings() const = 0;

  // The series' labels and the metas of its chunks, in time order.
  // NotFound if the series is gone (e.g. garbage collected from the head).
  virtual Status Series(SeriesId id, Labels* labels,
                        std::vector<ChunkMeta>* chunks) const = 0;

  // True if ascending SeriesIds are in label order (on-disk blocks).
  virtual bool SortedByLabels() const = 0;
};

class ChunkReader {
 public:
  virtual ~ChunkReader() = default;
  virtual StatusOr<ChunkBytes> Chunk(const ChunkMeta& meta) const = 0;
  // Reads many chunks at once; out[i] is the chunk of metas[i]. On-disk
  // blocks submit the whole batch to io_uring (pread where unavailable);
  // this default reads one at a time.
  virtual Status ReadBatch(std::span<const ChunkMeta> metas,
                           std::vector<ChunkBytes>* out) const {
    out->clear();
    out->reserve(metas.size());
    for (const ChunkMeta& m : metas) {
      StatusOr<ChunkBytes> c = Chunk(m);
      if (!c.ok()) return c.status();
      out->push_back(std::move(c).value());
    }
    return Status::OK();
  }
};

class TombstoneReader {
 public:
  virtual ~TombstoneReader() = default;
  // Deleted intervals of a series, sorted and non-overlapping; empty if none.
  virtual Intervals Get(SeriesId id) const = 0;
  virtual bool Empty() const = 0;
};

// A head or a block: everything a querier or the compactor reads.
class BlockReader {
 public:
  virtual ~BlockReader() = default;
  virtual int64_t MinTime() const = 0;
  virtual int64_t MaxTime() const = 0;
  virtual const IndexReader& Index() const = 0;
  virtual const ChunkReader& Chunks() const = 0;
  virtual const TombstoneReader& Tombstones() const = 0;
  // Human-readable name for errors: a ULID, or "head".
  virtual std::string Name() const = 0;
};

}  // namespace strata

#endif  // STRATA_INDEX_READER_H_
