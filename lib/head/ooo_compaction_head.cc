#include "head/ooo_compaction_head.h"

#include <set>

namespace strata {

// Index, chunks and (empty) tombstones over the taken series, computed
// from their labels on demand.
class OooCompactionHead::Reader : public IndexReader,
                                  public ChunkReader,
                                  public TombstoneReader {
 public:
  explicit Reader(const std::vector<OooTakenSeries>* series)
      : series_(series) {}

  StatusOr<std::vector<std::string>> LabelNames() const override {
    std::set<std::string> names;
    for (const OooTakenSeries& s : *series_) {
      for (const Label& l : s.labels) names.insert(l.name);
    }
    return std::vector<std::string>(names.begin(), names.end());
  }
  StatusOr<std::vector<std::string>> LabelValues(
      std::string_view name) const override {
    std::set<std::string> values;
    for (const OooTakenSeries& s : *series_) {
      for (const Label& l : s.labels) {
        if (l.name == name) values.insert(l.value);
      }
    }
    return std::vector<std::string>(values.begin(), values.end());
  }
  StatusOr<Postings> PostingsFor(
      std::string_view name,
      const std::vector<std::string>& values) const override {
    const std::set<std::string_view> wanted(values.begin(), values.end());
    Postings p;
    for (size_t i = 0; i < series_->size(); ++i) {
      for (const Label& l : (*series_)[i].labels) {
        if (l.name == name && wanted.contains(l.value)) {
          p.add(static_cast<uint32_t>(i));
        }
      }
    }
    return p;
  }
  StatusOr<Postings> AllPostings() const override {
    Postings p;
    if (!series_->empty()) {
      p.addRange(0, static_cast<uint64_t>(series_->size()));
    }
    return p;
  }
  Status Series(SeriesId id, Labels* labels,
                std::vector<ChunkMeta>* chunks) const override {
    if (id >= series_->size()) return Status::NotFound("no such series");
    const OooTakenSeries& s = (*series_)[id];
    if (labels != nullptr) *labels = s.labels;
    if (chunks != nullptr) {
      chunks->clear();
      AppendOooChunkMetas(id, s.samples, chunks);
    }
    return Status::OK();
  }
  bool SortedByLabels() const override { return true; }

  StatusOr<ChunkBytes> Chunk(const ChunkMeta& meta) const override {
    const SeriesId id = OooChunkRefSeries(meta.ref);
    if (id >= series_->size()) return Status::NotFound("no such chunk");
    return OooChunkBytes((*series_)[id].samples, meta);
  }

  Intervals Get(SeriesId) const override { return {}; }
  bool Empty() const override { return true; }

 private:
  const std::vector<OooTakenSeries>* const series_;
};

OooCompactionHead::OooCompactionHead(std::vector<OooTakenSeries> series)
    : series_(std::move(series)), reader_(std::make_unique<Reader>(&series_)) {
  for (const OooTakenSeries& s : series_) {
    min_time_ = std::min(min_time_, s.samples.front().t);
    max_time_ = std::max(max_time_, s.samples.back().t);
  }
}

OooCompactionHead::~OooCompactionHead() = default;

const IndexReader& OooCompactionHead::Index() const { return *reader_; }
const ChunkReader& OooCompactionHead::Chunks() const { return *reader_; }
const TombstoneReader& OooCompactionHead::Tombstones() const {
  return *reader_;
}

}  // namespace strata
