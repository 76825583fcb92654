// In-memory inverted index of the head: label pair -> Roaring bitmap of
// series ids, keyed by interned symbols.
//
// Thread-safety: safe for concurrent use; readers share a lock.
#ifndef STRATA_HEAD_MEM_POSTINGS_H_
#define STRATA_HEAD_MEM_POSTINGS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "head/symbol_table.h"
#include "index/reader.h"
#include "util/mutex.h"

namespace strata {

class MemPostings {
 public:
  struct Pair {
    Symbol name;
    Symbol value;
  };
  void Add(SeriesId id, const std::vector<Pair>& labels)
      ABSL_LOCKS_EXCLUDED(mu_);
  void Delete(SeriesId id, const std::vector<Pair>& labels)
      ABSL_LOCKS_EXCLUDED(mu_);

  std::vector<std::string> LabelNames() const ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<std::string> LabelValues(Symbol name) const
      ABSL_LOCKS_EXCLUDED(mu_);
  Postings Get(Symbol name, const std::vector<Symbol>& values) const
      ABSL_LOCKS_EXCLUDED(mu_);
  Postings All() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using ValueMap = absl::flat_hash_map<Symbol, Postings>;
  mutable Mutex mu_;
  absl::flat_hash_map<Symbol, ValueMap> by_name_ ABSL_GUARDED_BY(mu_);
  Postings all_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata

#endif  // STRATA_HEAD_MEM_POSTINGS_H_
