#include "db/write_behind_log.h"

#include "wal/record.h"
#include "wal/segment.h"

namespace strata {

WriteBehindLog::WriteBehindLog(std::string dir, FileSystem* fs,
                               wal::WalOptions options)
    : dir_(std::move(dir)), fs_(fs), options_(options) {}

WriteBehindLog::~WriteBehindLog() { (void)Close(); }

StatusOr<wal::Wal*> WriteBehindLog::Get() {
  if (wal::Wal* w = open_.load(std::memory_order_acquire)) return w;
  MutexLock lock(&mu_);
  if (closed_) return Status::FailedPrecondition("WBL is closed");
  if (wal_ == nullptr) {
    STRATA_ASSIGN_OR_RETURN(wal_, wal::Wal::Open(dir_, fs_, options_));
    open_.store(wal_.get(), std::memory_order_release);
  }
  return wal_.get();
}

Status WriteBehindLog::Log(std::span<const std::string> records) {
  STRATA_ASSIGN_OR_RETURN(wal::Wal * w, Get());
  return w->Log(records);
}

StatusOr<int> WriteBehindLog::Cut() {
  wal::Wal* w = open_.load(std::memory_order_acquire);
  if (w == nullptr) return -1;
  return w->NextSegment();
}

Status WriteBehindLog::RemoveBefore(int index) {
  if (index <= 0) return Status::OK();
  return wal::RemoveSegmentsBefore(fs_, dir_, index);
}

Status WriteBehindLog::Close() {
  MutexLock lock(&mu_);
  closed_ = true;
  if (wal_ == nullptr) return Status::OK();
  return wal_->Close();
}

wal::WalStats WriteBehindLog::stats() const {
  wal::Wal* w = open_.load(std::memory_order_acquire);
  return w == nullptr ? wal::WalStats() : w->stats();
}

Status ReplayWbl(FileSystem* fs, const std::string& dir, Head* head,
                 WblReplayCounts* counts, wal::ReplayResult* result) {
  if (!fs->Exists(dir)) return Status::OK();
  const int cap_max = head->options().out_of_order_cap_max;
  std::vector<wal::RefSample> samples;
  auto on_record = [&](std::string_view rec) -> Status {
    ++counts->records;
    // Prometheus's WBL also holds m-map markers of out-of-order chunks it
    // wrote to chunks_head/; Strata writes none and keeps those chunks in
    // memory, so only samples matter.
    if (wal::GetRecordType(rec) != wal::RecordType::kSamples) {
      return Status::OK();
    }
    samples.clear();
    STRATA_RETURN_IF_ERROR(wal::DecodeSamples(rec, &samples));
    for (const wal::RefSample& s : samples) {
      if (s.ref > UINT32_MAX ||
          head->GetById(static_cast<SeriesId>(s.ref)) == nullptr) {
        ++counts->unknown_series;
        continue;
      }
      bool cut = false;
      if (head->ooo().Insert(static_cast<SeriesId>(s.ref), s.t, s.v, cap_max,
                             &cut)) {
        ++counts->samples;
      } else {
        ++counts->duplicates;
      }
    }
    return Status::OK();
  };
  return wal::ReplayWal(fs, dir, on_record, result);
}

}  // namespace strata
