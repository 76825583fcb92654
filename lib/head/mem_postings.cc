#include "head/mem_postings.h"

#include <algorithm>

namespace strata {

void MemPostings::Add(SeriesId id, const std::vector<Pair>& labels) {
  MutexLock lock(&mu_);
  for (const Pair& p : labels) by_name_[p.name][p.value].add(id);
  all_.add(id);
}

void MemPostings::Delete(SeriesId id, const std::vector<Pair>& labels) {
  MutexLock lock(&mu_);
  for (const Pair& p : labels) {
    auto name_it = by_name_.find(p.name);
    if (name_it == by_name_.end()) continue;
    auto value_it = name_it->second.find(p.value);
    if (value_it == name_it->second.end()) continue;
    value_it->second.remove(id);
    if (value_it->second.isEmpty()) name_it->second.erase(value_it);
    if (name_it->second.empty()) by_name_.erase(name_it);
  }
  all_.remove(id);
}

std::vector<std::string> MemPostings::LabelNames() const {
  std::vector<std::string> out;
  {
    ReaderMutexLock lock(&mu_);
    out.reserve(by_name_.size());
    for (const auto& [name, values] : by_name_) out.push_back(*name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> MemPostings::LabelValues(Symbol name) const {
  std::vector<std::string> out;
  {
    ReaderMutexLock lock(&mu_);
    auto it = by_name_.find(name);
    if (it == by_name_.end()) return out;
    out.reserve(it->second.size());
    for (const auto& [value, postings] : it->second) out.push_back(*value);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Postings MemPostings::Get(Symbol name,
                          const std::vector<Symbol>& values) const {
  ReaderMutexLock lock(&mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return Postings();
  std::vector<const Postings*> found;
  found.reserve(values.size());
  for (Symbol v : values) {
    auto vit = it->second.find(v);
    if (vit != it->second.end()) found.push_back(&vit->second);
  }
  if (found.empty()) return Postings();
  if (found.size() == 1) return *found[0];
  return Postings::fastunion(found.size(), found.data());
}

Postings MemPostings::All() const {
  ReaderMutexLock lock(&mu_);
  return all_;
}

}  // namespace strata
