#include "head/exemplar_storage.h"

#include <algorithm>
#include <utility>

#include "util/strings.h"

namespace strata {
namespace {

// Go's utf8.RuneCountInString: an invalid byte counts as one rune.
size_t RuneCount(std::string_view s) {
  size_t n = 0;
  while (!s.empty()) {
    int width = 1;
    DecodeRune(s, &width);
    s.remove_prefix(static_cast<size_t>(std::max(width, 1)));
    ++n;
  }
  return n;
}

// Prometheus's check: names and values, counted in characters, without
// the quotes, equals signs and commas of their text form.
bool LabelSetTooLong(const Labels& labels) {
  size_t length = 0;
  for (const Label& l : labels) {
    length += RuneCount(l.name) + RuneCount(l.value);
    if (length > kExemplarMaxLabelSetLength) return true;
  }
  return false;
}

bool MatchesSomeSet(const Labels& labels,
                    const std::vector<std::vector<Matcher>>& matcher_sets) {
  for (const std::vector<Matcher>& set : matcher_sets) {
    if (MatchesAll(labels, set)) return true;
  }
  return false;
}

}  // namespace

CircularExemplarStorage::CircularExemplarStorage(int64_t max_exemplars) {
  MutexLock lock(&mu_);
  capacity_ = static_cast<size_t>(std::max<int64_t>(max_exemplars, 0));
}

std::string CircularExemplarStorage::KeyOf(const Labels& series) {
  std::string key;
  for (const Label& l : series) {
    key += l.name;
    key += '\xff';
    key += l.value;
    key += '\xff';
  }
  return key;
}

Status CircularExemplarStorage::ValidateLocked(const std::string& key,
                                               const Exemplar& e,
                                               bool count_out_of_order) const {
  if (capacity_ == 0) return Status::FailedPrecondition(kDisabledMessage);
  if (LabelSetTooLong(e.labels)) {
    return Status::InvalidArgument(kLabelLengthMessage);
  }
  auto it = index_.find(key);
  if (it == index_.end()) return Status::OK();
  const Exemplar& newest = ring_[it->second->newest].exemplar;
  // Expected (e.g. the same exemplar scraped again): a no-op.
  if (newest.Equals(e)) return Status::DuplicateSample(kDuplicateMessage);
  if (e.t_ms <= newest.t_ms) {
    if (count_out_of_order) {
      out_of_order_.fetch_add(1, std::memory_order_relaxed);
    }
    return Status::OutOfOrder(kOutOfOrderMessage);
  }
  return Status::OK();
}

Status CircularExemplarStorage::Validate(const Labels& series,
                                         const Exemplar& e) const {
  const std::string key = KeyOf(series);
  ReaderMutexLock lock(&mu_);
  return ValidateLocked(key, e, /*count_out_of_order=*/false);
}

Status CircularExemplarStorage::Add(const Labels& series, const Exemplar& e) {
  const std::string key = KeyOf(series);
  MutexLock lock(&mu_);
  Status valid = ValidateLocked(key, e, /*count_out_of_order=*/true);
  if (valid.code() == StatusCode::kDuplicateSample) return Status::OK();
  if (!valid.ok()) return valid;
  StoreLocked(key, series, e);
  ++appended_;
  return Status::OK();
}

void CircularExemplarStorage::EvictLocked(int slot) {
  Entry& prev = ring_[slot];
  if (prev.series == nullptr) return;
  if (prev.next == kNoExemplar) {
    // The series' last exemplar: the series leaves the index.
    index_.erase(KeyOf(prev.series->series_labels));
  } else {
    prev.series->oldest = prev.next;
  }
  prev.series = nullptr;
}

void CircularExemplarStorage::StoreLocked(const std::string& key,
                                          const Labels& series, Exemplar e) {
  const int slot = next_index_;
  if (static_cast<size_t>(slot) == ring_.size()) ring_.emplace_back();
  auto it = index_.find(key);
  IndexEntry* entry;
  if (it == index_.end()) {
    auto fresh = std::make_unique<IndexEntry>();
    fresh->oldest = slot;
    fresh->series_labels = series;
    entry = fresh.get();
    index_.emplace(key, std::move(fresh));
  } else {
    entry = it->second.get();
    ring_[entry->newest].next = slot;
  }
  // When the slot holds this very series' oldest exemplar, its `next` was
  // just set above, so its index entry moves on rather than going away.
  EvictLocked(slot);
  Entry& target = ring_[slot];
  target.exemplar = std::move(e);
  target.next = kNoExemplar;
  target.series = entry;
  entry->newest = slot;
  next_index_ = (slot + 1) % static_cast<int>(capacity_);
}

std::vector<ExemplarSeries> CircularExemplarStorage::Select(
    int64_t mint, int64_t maxt,
    const std::vector<std::vector<Matcher>>& matcher_sets) const {
  std::vector<ExemplarSeries> out;
  ReaderMutexLock lock(&mu_);
  if (ring_.empty()) return out;
  for (const auto& [key, entry] : index_) {
    const Entry* e = &ring_[entry->oldest];
    if (e->exemplar.t_ms > maxt || ring_[entry->newest].exemplar.t_ms < mint) {
      continue;
    }
    if (!MatchesSomeSet(entry->series_labels, matcher_sets)) continue;
    ExemplarSeries series;
    // A series' exemplars are linked in increasing time order.
    while (e->exemplar.t_ms <= maxt) {
      if (e->exemplar.t_ms >= mint) series.exemplars.push_back(e->exemplar);
      if (e->next == kNoExemplar) break;
      e = &ring_[e->next];
    }
    if (series.exemplars.empty()) continue;
    series.series_labels = entry->series_labels;
    out.push_back(std::move(series));
  }
  std::sort(out.begin(), out.end(),
            [](const ExemplarSeries& a, const ExemplarSeries& b) {
              return a.series_labels < b.series_labels;
            });
  return out;
}

int64_t CircularExemplarStorage::Resize(int64_t max_exemplars) {
  const size_t size = static_cast<size_t>(std::max<int64_t>(max_exemplars, 0));
  MutexLock lock(&mu_);
  if (size == capacity_) return 0;
  std::vector<Entry> old = std::move(ring_);
  // A ring not yet full holds its slots in write order (old_next is its
  // size), which the modular walk below handles alike.
  const size_t old_next = static_cast<size_t>(next_index_);
  ring_ = std::vector<Entry>();
  capacity_ = size;
  next_index_ = 0;
  absl::flat_hash_map<std::string, std::unique_ptr<IndexEntry>> old_index =
      std::move(index_);
  index_.clear();
  int64_t migrated = 0;
  if (size == 0 || old.empty()) return 0;
  // The newest min(size, old size) slots, oldest first: exemplars that
  // would be overwritten at once are not moved.
  const size_t count = std::min(size, old.size());
  const size_t start = (old_next + old.size() - count) % old.size();
  for (size_t i = 0; i < count; ++i) {
    Entry& entry = old[(start + i) % old.size()];
    if (entry.series == nullptr) continue;
    const Labels& series = entry.series->series_labels;
    StoreLocked(KeyOf(series), series, std::move(entry.exemplar));
    ++migrated;
  }
  return migrated;
}

void CircularExemplarStorage::ForEach(
    const std::function<void(const Labels& series, const Exemplar& e)>& fn)
    const {
  ReaderMutexLock lock(&mu_);
  const size_t n = ring_.size();
  for (size_t i = 0; i < n; ++i) {
    const Entry& entry = ring_[(static_cast<size_t>(next_index_) + i) % n];
    if (entry.series != nullptr)
      fn(entry.series->series_labels, entry.exemplar);
  }
}

ExemplarStats CircularExemplarStorage::Stats() const {
  ExemplarStats s;
  s.out_of_order = out_of_order_.load(std::memory_order_relaxed);
  ReaderMutexLock lock(&mu_);
  s.appended = appended_;
  s.max_exemplars = static_cast<int64_t>(capacity_);
  s.series_in_storage = static_cast<int64_t>(index_.size());
  if (ring_.empty()) return s;
  if (ring_.size() < capacity_) {  // Not full yet: slot 0 is the oldest.
    s.in_storage = static_cast<int64_t>(ring_.size());
    s.oldest_timestamp_seconds =
        static_cast<double>(ring_[0].exemplar.t_ms) / 1000.0;
    return s;
  }
  // Full once the slot to write next holds an exemplar: it is the oldest.
  const Entry& next = ring_[next_index_];
  const Entry& oldest = next.series != nullptr ? next : ring_[0];
  s.in_storage =
      next.series != nullptr ? static_cast<int64_t>(ring_.size()) : next_index_;
  if (oldest.series != nullptr) {
    s.oldest_timestamp_seconds =
        static_cast<double>(oldest.exemplar.t_ms) / 1000.0;
  }
  return s;
}

}  // namespace strata
