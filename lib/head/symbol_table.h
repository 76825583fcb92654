// Interns label names and values so each distinct string is stored once.
// Interned strings have stable addresses for the table's lifetime, so
// series and postings refer to them by pointer and compare by pointer.
//
// Thread-safety: safe for concurrent use.
// Invariant: no two interned strings are equal.
#ifndef STRATA_HEAD_SYMBOL_TABLE_H_
#define STRATA_HEAD_SYMBOL_TABLE_H_

#include <deque>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "util/mutex.h"

namespace strata {

using Symbol = const std::string*;

class SymbolTable {
 public:
  Symbol Intern(std::string_view s) ABSL_LOCKS_EXCLUDED(mu_);
  // Returns nullptr if `s` was never interned.
  Symbol Find(std::string_view s) const ABSL_LOCKS_EXCLUDED(mu_);
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);
  // Bytes of string data held.
  size_t bytes() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return absl::Hash<std::string_view>()(s);
    }
    size_t operator()(Symbol s) const { return (*this)(std::string_view(*s)); }
  };
  struct Eq {
    using is_transparent = void;
    static std::string_view View(std::string_view s) { return s; }
    static std::string_view View(Symbol s) { return *s; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return View(a) == View(b);
    }
  };

  mutable Mutex mu_;
  std::deque<std::string> storage_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<Symbol, Hash, Eq> index_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace strata

#endif  // STRATA_HEAD_SYMBOL_TABLE_H_
