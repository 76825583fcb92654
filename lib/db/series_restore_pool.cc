#include "db/series_restore_pool.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "chunk/chunk_decoding.h"
#include "db/head_snapshot_format.h"

namespace strata::snapshot {
namespace {

int64_t ChunkSamples(const SeriesChunkView& c) {
  return std::max(0, chunk::ChunkNumSamples(c.encoding, c.bytes));
}

}  // namespace

SeriesRestorePool::SeriesRestorePool(Head* head, int workers,
                                     DiskChunkCheck check_disk_chunk)
    : head_(head), check_disk_chunk_(std::move(check_disk_chunk)) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

SeriesRestorePool::~SeriesRestorePool() { (void)Finish(); }

void SeriesRestorePool::Add(std::string_view record) {
  filling_.bytes.append(record);
  filling_.ends.push_back(filling_.bytes.size());
  if (filling_.bytes.size() >= kBatchBytes) Push();
}

void SeriesRestorePool::Push() {
  if (filling_.ends.empty()) return;
  if (threads_.empty()) {
    Counts counts;
    Status st = RestoreBatch(filling_, &counts);
    NoteResult(st, counts);
  } else {
    MutexLock lock(&mu_);
    while (queue_.size() >= kMaxQueued) changed_.Wait(&mu_);
    queue_.push_back(std::move(filling_));
    changed_.SignalAll();
  }
  filling_ = Batch();
}

void SeriesRestorePool::Work() {
  Counts counts;
  Status st;
  for (;;) {
    Batch batch;
    {
      MutexLock lock(&mu_);
      while (queue_.empty() && !closed_) changed_.Wait(&mu_);
      if (queue_.empty()) break;
      batch = std::move(queue_.front());
      queue_.pop_front();
      changed_.SignalAll();
    }
    // After a failure the rest is drained unread: the load is discarded.
    if (st.ok()) st = RestoreBatch(batch, &counts);
  }
  NoteResult(st, counts);
}

Status SeriesRestorePool::RestoreBatch(const Batch& batch, Counts* counts) {
  Labels labels;
  SeriesStateView state;
  size_t begin = 0;
  for (size_t end : batch.ends) {
    const std::string_view record(batch.bytes.data() + begin, end - begin);
    begin = end;
    uint64_t id = 0;
    STRATA_RETURN_IF_ERROR(DecodeSeries(record, &id, &labels, &state));
    if (id == 0 || id > UINT32_MAX) {
      return Status::Corruption(absl::StrCat("head snapshot: series id ", id));
    }
    STRATA_RETURN_IF_ERROR(CheckDiskChunks(id, state, counts));
    STRATA_RETURN_IF_ERROR(
        head_->RestoreSeries(static_cast<SeriesId>(id), labels, state)
            .status());
    ++counts->series;
    counts->chunks +=
        static_cast<int64_t>(state.closed.size()) + (state.has_open ? 1 : 0);
    for (const SeriesChunkView& c : state.closed)
      counts->samples += c.disk_ref != 0 ? c.samples : ChunkSamples(c);
    if (state.has_open) counts->samples += ChunkSamples(state.open);
  }
  return Status::OK();
}

Status SeriesRestorePool::CheckDiskChunks(uint64_t id,
                                          const SeriesStateView& state,
                                          Counts* counts) const {
  for (const SeriesChunkView& c : state.closed) {
    if (c.disk_ref == 0) continue;
    if (check_disk_chunk_ == nullptr) {
      return Status::FailedPrecondition(
          "head snapshot refers to head chunk files, which are off");
    }
    STRATA_RETURN_IF_ERROR(check_disk_chunk_(id, c));
    ++counts->chunk_refs;
  }
  return Status::OK();
}

void SeriesRestorePool::NoteResult(const Status& st, const Counts& counts) {
  MutexLock lock(&mu_);
  if (first_error_.ok() && !st.ok()) first_error_ = st;
  total_.series += counts.series;
  total_.chunks += counts.chunks;
  total_.chunk_refs += counts.chunk_refs;
  total_.samples += counts.samples;
}

Status SeriesRestorePool::Finish() {
  if (!finished_) {
    finished_ = true;
    Push();
    {
      MutexLock lock(&mu_);
      closed_ = true;
      changed_.SignalAll();
    }
    for (std::thread& t : threads_) t.join();
  }
  MutexLock lock(&mu_);
  return first_error_;
}

}  // namespace strata::snapshot
