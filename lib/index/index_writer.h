// IndexWriter writes a block's index file in Prometheus TSDB index format v2,
// byte for byte as Prometheus 2.42 writes it for the same input (see
// FORMAT.md): the symbol table, the series, the label indices, the postings
// lists, the label offset table, the postings offset table and the TOC.
//
// Usage: Create, AddSymbols once, AddSeries for every series in label
// order, Finish. The file is complete and durable only after Finish returns
// OK; on any error (or without Finish) the caller should remove it. The
// containing directory is not synced here.
//
// Memory: the symbol table bytes, a hash map from symbol to index and every
// postings list (4 bytes per label of every series) are held until Finish.
//
// Thread-safety: none; one thread uses a writer at a time. After an error
// every later call returns that error.
#ifndef STRATA_INDEX_INDEX_WRITER_H_
#define STRATA_INDEX_INDEX_WRITER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "index/index_format.h"
#include "index/reader.h"
#include "index/series_encoding.h"
#include "strata/labels.h"
#include "strata/status.h"
#include "util/file_system.h"

namespace strata {

class IndexWriter {
 public:
  // Creates (or truncates) the file at `path`. `fs` must outlive the writer.
  static StatusOr<std::unique_ptr<IndexWriter>> Create(FileSystem* fs,
                                                       const std::string& path);

  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;
  // Closes the file if Finish was not called; it is then incomplete.
  ~IndexWriter();

  // All symbols (every label name and value used by the series), sorted
  // and unique, once, before any series. InvalidArgument if unsorted.
  Status AddSymbols(const std::vector<std::string>& symbols);

  // Adds the next series. Series must come in strictly increasing label
  // order (Compare(Labels)), with non-empty label sets whose names and
  // values are all symbols. Chunk metas must be in time order, each with
  // mint <= maxt and starting after the previous one's maxt, and chunk refs
  // must not decrease, within and across series (as a block's chunk files
  // are written). Returns the series' id: its offset in the file / 16.
  StatusOr<SeriesId> AddSeries(const Labels& labels,
                               std::span<const ChunkMeta> chunks);

  // Writes the remaining sections and the TOC, fdatasyncs and closes the
  // file. No call is allowed afterwards.
  Status Finish();

  // Bytes written so far (the file size after Finish).
  uint64_t Size() const { return pos_; }

 private:
  enum class Stage { kStart, kSeries, kDone };

  IndexWriter(std::string path, std::unique_ptr<WritableFile> file);

  // Buffered append; flushes to the file when the buffer is large.
  Status Write(std::string_view data);
  Status AddPadding(uint64_t alignment);
  Status Flush();
  // Records `s` as the writer's error if it is one, and returns it.
  Status Fail(Status s);

  // A postings list to write: its label pair as symbols, and its series.
  struct PostingsKey {
    uint32_t name = 0;
    uint32_t value = 0;
    std::span<const SeriesId> ids;
  };
  // Where a label name's label index starts.
  struct LabelIndexOffset {
    uint32_t name = 0;
    uint64_t offset = 0;
  };

  Status WriteSymbolTable();
  // `keys` are sorted by (name, value).
  Status WriteLabelIndices(std::span<const PostingsKey> keys,
                           std::vector<LabelIndexOffset>* offsets);
  // Appends the offset of each list, the all-postings list first.
  Status WritePostings(std::span<const PostingsKey> keys,
                       std::vector<uint64_t>* offsets);
  Status WritePostingsList(std::span<const SeriesId> ids);
  Status WriteLabelOffsetTable(std::span<const LabelIndexOffset> offsets);
  Status WritePostingsOffsetTable(std::span<const PostingsKey> keys,
                                  std::span<const uint64_t> offsets);
  // Writes the 4-byte length of a section body, which must fit.
  Status WriteSectionLength(uint64_t length, std::string_view section);
  std::string_view SymbolAt(uint32_t index) const;
  // The key index of a label pair, assigning the next one if it is new.
  uint32_t KeyIndex(index_format::LabelRef ref);

  // Constant after construction.
  const std::string path_;
  std::unique_ptr<WritableFile> file_;

  Status error_;
  Stage stage_ = Stage::kStart;
  std::string buf_;   // Bytes not yet appended to file_.
  uint64_t pos_ = 0;  // Bytes written, including buf_.
  index_format::Toc toc_;

  // The symbol table body (count and strings) as written; symbol_index_'s
  // keys and symbol_offsets_ point into it.
  std::string symbol_table_;
  std::vector<uint32_t> symbol_offsets_;
  absl::flat_hash_map<std::string_view, uint32_t> symbol_index_;

  // Postings are gathered as a log: for every series, the key index of
  // each of its label pairs, then kSeriesEnd. Finish sorts the log into
  // lists. This costs 4 bytes per label and series and no allocation per
  // label pair, which matters when most values are unique.
  static constexpr uint32_t kSeriesEnd = 0xFFFFFFFF;
  std::vector<uint32_t> key_log_;
  std::vector<SeriesId> all_series_;
  // The label pairs seen, by key index.
  std::vector<index_format::LabelRef> keys_;
  // Maps a label pair to its key index. Most values occur with one label
  // name only, so one slot per value symbol holds the first pair seen with
  // it; further names of the value go to other_keys_.
  struct ValueSlot {
    uint32_t name = kSeriesEnd;  // None yet.
    uint32_t key = 0;
  };
  std::vector<ValueSlot> value_slots_;
  absl::flat_hash_map<uint64_t, uint32_t> other_keys_;

  // The last series added: to enforce order and, as consecutive series
  // share most labels, to skip symbol lookups for labels it also had.
  std::vector<index_format::LabelRef> last_refs_;
  std::vector<uint32_t> last_keys_;
  std::vector<std::pair<std::string_view, std::string_view>> last_views_;
  uint64_t last_chunk_ref_ = 0;

  // Scratch for AddSeries.
  std::vector<index_format::LabelRef> refs_;
  std::vector<uint32_t> keys_scratch_;
  std::string entry_;
};

}  // namespace strata

#endif  // STRATA_INDEX_INDEX_WRITER_H_
