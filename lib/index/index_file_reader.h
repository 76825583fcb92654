// IndexFileReader reads a block's index file (Prometheus TSDB index format
// v2, see FORMAT.md) through a memory mapping, or a compact index
// (compact_index.h, FORMAT.md "Compact index": the same bytes
// zstd-compressed),
// which Open checks and decodes into memory.
//
// Open checks the header, the TOC, the symbol table and the postings offset
// table (their CRCs and structure) and keeps in memory: one 4-byte offset
// per symbol (O(1) lookup by index), the label names, and every 32nd entry
// of each name's postings offset table run (plus its last), like
// Prometheus. Series entries and postings lists are checked against their
// CRCs when read. Verify() checks everything else.
//
// Thread-safety: immutable after Open; safe for concurrent readers.
#ifndef STRATA_INDEX_INDEX_FILE_READER_H_
#define STRATA_INDEX_INDEX_FILE_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "index/index_format.h"
#include "index/reader.h"
#include "index/series_encoding.h"
#include "strata/status.h"
#include "util/file_system.h"

namespace strata {

class IndexFileReader : public IndexReader {
 public:
  // Memory-maps the file. Corruption, naming the file and what is wrong, if
  // the magic, version, TOC, symbol table or postings offset table is bad.
  static StatusOr<std::unique_ptr<IndexFileReader>> Open(
      FileSystem* fs, const std::string& path);

  IndexFileReader(const IndexFileReader&) = delete;
  IndexFileReader& operator=(const IndexFileReader&) = delete;
  ~IndexFileReader() override;

  // IndexReader.
  StatusOr<std::vector<std::string>> LabelNames() const override;
  StatusOr<std::vector<std::string>> LabelValues(
      std::string_view name) const override;
  StatusOr<Postings> PostingsFor(
      std::string_view name,
      const std::vector<std::string>& values) const override;
  StatusOr<Postings> AllPostings() const override;
  // NotFound if `id` is not the id of a series in this index; Corruption if
  // its entry is damaged.
  Status Series(SeriesId id, Labels* labels,
                std::vector<ChunkMeta>* chunks) const override;
  bool SortedByLabels() const override { return true; }

  // Checks the whole file: every CRC, the order of symbols, series, label
  // pairs, chunk metas and postings, that label indices and postings agree
  // with the series, and that padding is zero. Returns the first problem as
  // Corruption naming the section and byte offset. Reads the whole file.
  Status Verify() const;

  // The symbol table: sorted, unique strings. Views stay valid while the
  // reader lives.
  uint32_t NumSymbols() const {
    return static_cast<uint32_t>(symbol_offsets_.size());
  }
  // Precondition: index < NumSymbols().
  std::string_view Symbol(uint32_t index) const;
  // All symbols, in order (materialized; for tools and tests).
  std::vector<std::string_view> Symbols() const;
  // Binary search; false if `symbol` is not in the table.
  bool FindSymbol(std::string_view symbol, uint32_t* index) const;

  // Number of series (entries in the all-postings list).
  size_t NumSeries() const { return num_series_; }
  // Bytes of the file on disk (of the compact form for a compact index).
  int64_t FileSize() const { return disk_size_; }
  // The Prometheus index bytes read (decoded from a compact index). Valid
  // while the reader lives.
  std::string_view PrometheusBytes() const { return data_; }
  // Whether the file is a compact index (compact_index.h), decoded at Open
  // into memory; otherwise the Prometheus index is memory-mapped.
  bool compact() const { return compact_; }
  const index_format::Toc& toc() const { return toc_; }
  const std::string& path() const { return path_; }

  // Calls `fn` for every label pair in (name, value) order with the number
  // of series that have it, reading only the postings lists' headers; the
  // all-postings list ("", "") is skipped. Stops at the first error `fn`
  // returns. For `tsdb analyze`-like statistics.
  Status ForEachPostingsList(
      const std::function<Status(std::string_view name, std::string_view value,
                                 uint32_t count)>& fn) const;

 private:
  // One sampled entry of the postings offset table.
  struct Sample {
    std::string_view value;
    uint32_t table_offset = 0;  // Of the entry, from the table's start.
  };
  // A label name's run of entries in the postings offset table.
  struct NameRun {
    std::string_view name;
    uint32_t first_sample = 0;  // Index into samples_.
    uint32_t num_samples = 0;
    uint32_t num_values = 0;
    uint32_t end_offset = 0;  // Table offset just after the run.
  };
  // An entry of the postings offset table as decoded.
  struct TableEntry {
    std::string_view name;
    std::string_view value;
    uint64_t postings_offset = 0;
  };

  IndexFileReader(std::string path, std::unique_ptr<MappedFile> file);

  Status Corrupt(std::string_view section, uint64_t offset,
                 std::string_view what) const;
  Status LoadSymbols();
  Status LoadPostingsTable();

  // Decodes the table entry at `*offset` (from the table's start), which
  // must be within the table's body; advances *offset past it.
  bool DecodeTableEntry(uint64_t* offset, TableEntry* e) const;
  // Calls fn(entry) for each entry of `run` from sample index `sample`
  // until fn returns false or the run ends.
  template <typename Fn>
  Status ScanRun(const NameRun& run, uint32_t sample, Fn fn) const;
  const NameRun* FindName(std::string_view name) const;

  // Returns the body of the postings list at `offset` (count then ids),
  // checked against its CRC and its length against the count.
  Status PostingsListAt(uint64_t offset, std::string_view* body) const;
  Status DecodePostingsInto(uint64_t offset, Postings* out) const;
  // Returns the body of the series entry at `offset`, checked against its
  // CRC; `*next` is the offset after the entry.
  Status SeriesEntryAt(uint64_t offset, std::string_view* body,
                       uint64_t* next) const;
  Status DecodeLabels(uint64_t offset,
                      const std::vector<index_format::LabelRef>& refs,
                      Labels* labels) const;

  // Verify's parts, in file order.
  Status VerifyLayout() const;
  Status VerifySymbols() const;
  struct SeriesScan;
  Status VerifySeries(SeriesScan* scan) const;
  Status VerifyLabelIndices(const SeriesScan& scan) const;
  Status VerifyPostings(const SeriesScan& scan) const;
  Status VerifyPadding(std::string_view section, uint64_t from,
                       uint64_t to) const;

  // Constant after construction.
  const std::string path_;
  const std::unique_ptr<MappedFile> file_;
  const std::string_view data_;
  index_format::Toc toc_;
  uint64_t series_end_ = 0;             // End of the series section.
  std::string_view postings_table_;     // Body: count and entries.
  uint64_t postings_table_offset_ = 0;  // File offset of postings_table_.
  // Symbol i's length-prefixed bytes start at symbols_base_ +
  // symbol_offsets_[i]; the base is the first symbol's file offset.
  uint64_t symbols_base_ = 0;
  std::vector<uint32_t> symbol_offsets_;
  std::vector<Sample> samples_;
  std::vector<NameRun> names_;  // In table order, i.e. sorted by name.
  absl::flat_hash_map<std::string_view, uint32_t> name_index_;
  int64_t disk_size_ = 0;
  bool compact_ = false;
  uint64_t all_postings_offset_ = 0;
  size_t num_series_ = 0;
};

}  // namespace strata

#endif  // STRATA_INDEX_INDEX_FILE_READER_H_
