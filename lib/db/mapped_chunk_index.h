// MappedChunkIndex: the chunks found in the head-chunk files at DB open,
// grouped by WAL series ref, for the WAL replay (which attaches each new
// series' chunks) and the shutdown snapshot's load (which checks the chunk
// references it restores).
//
// One flat array of every chunk, grouped by series ref (file order kept
// within a series): at 1M series and 3M chunks a hash map of vectors cost
// a malloc per series and a cache miss per chunk to build. Refs are dense
// (Strata and Prometheus count them up from 1), so the grouping is a
// counting sort and a lookup an array index; sparse refs (a foreign
// directory) fall back to a sort and a binary search.
//
// Thread-safety: Add and Build by one thread; after Build, the const
// methods may be called concurrently.
#ifndef STRATA_DB_MAPPED_CHUNK_INDEX_H_
#define STRATA_DB_MAPPED_CHUNK_INDEX_H_

#include <cstdint>
#include <span>
#include <vector>

#include "head/head_chunk_files.h"

namespace strata {

class MappedChunkIndex {
 public:
  // Room for about `chunks` Adds (an estimate: growing the array copies
  // it and faults in new memory at each doubling).
  void Reserve(size_t chunks) { entries_.reserve(chunks); }
  // One chunk of series `series_ref`, in file order (for a series, the
  // order it cut them).
  void Add(uint64_t series_ref, const MappedChunk& chunk);
  // Groups what was added; call once, after the last Add.
  void Build();

  // Every chunk of the series, in cut order (empty if none).
  std::span<const MappedChunk> AllOf(uint64_t series_ref) const;
  // The longest prefix of AllOf in which each chunk starts after the
  // previous one ends: what the replay may attach, the WAL replaying
  // everything after it.
  std::span<const MappedChunk> OrderedPrefixOf(uint64_t series_ref) const;

  size_t num_series() const { return num_series_; }
  size_t num_chunks() const { return chunks_.size(); }

 private:
  struct Entry {
    uint64_t series_ref;
    MappedChunk chunk;
  };
  // Dense refs: begin_[ref] .. begin_[ref + 1] index chunks_.
  void BuildDense();
  // Sparse refs: entries_ sorted by ref, searched.
  void BuildSparse();

  std::vector<Entry> entries_;  // As added; emptied by a dense Build.
  std::vector<MappedChunk> chunks_;
  std::vector<uint32_t> begin_;  // Dense: size max_ref + 2.
  std::vector<uint64_t> refs_;   // Sparse: the ref of each chunks_[i].
  uint64_t max_ref_ = 0;
  size_t num_series_ = 0;
  bool dense_ = false;
};

}  // namespace strata

#endif  // STRATA_DB_MAPPED_CHUNK_INDEX_H_
