#include "head/symbol_table.h"

namespace strata {

Symbol SymbolTable::Intern(std::string_view s) {
  {
    ReaderMutexLock lock(&mu_);
    auto it = index_.find(s);
    if (it != index_.end()) return *it;
  }
  MutexLock lock(&mu_);
  auto it = index_.find(s);
  if (it != index_.end()) return *it;
  Symbol sym = &storage_.emplace_back(s);
  index_.insert(sym);
  bytes_ += s.size();
  return sym;
}

Symbol SymbolTable::Find(std::string_view s) const {
  ReaderMutexLock lock(&mu_);
  auto it = index_.find(s);
  return it == index_.end() ? nullptr : *it;
}

size_t SymbolTable::size() const {
  ReaderMutexLock lock(&mu_);
  return index_.size();
}

size_t SymbolTable::bytes() const {
  ReaderMutexLock lock(&mu_);
  return bytes_;
}

}  // namespace strata
