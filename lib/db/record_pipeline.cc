#include "db/record_pipeline.h"

#include <utility>

namespace strata {

RecordPipeline::RecordPipeline(ApplyFn apply)
    : apply_(std::move(apply)), filling_(std::make_unique<Chunk>()) {
  filling_->bytes.reserve(kChunkBytes);
  thread_ = std::thread([this] { Work(); });
}

RecordPipeline::~RecordPipeline() { Finish(); }

void RecordPipeline::Add(std::string_view record) {
  filling_->bytes.append(record);
  filling_->ends.push_back(static_cast<uint32_t>(filling_->bytes.size()));
  if (filling_->bytes.size() >= kChunkBytes) Submit();
}

void RecordPipeline::Submit() {
  if (filling_->ends.empty()) return;
  std::unique_ptr<Chunk> next;
  {
    MutexLock lock(&mu_);
    auto has_room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return queued_.size() < kMaxQueuedChunks;
    };
    mu_.Await(absl::Condition(&has_room));
    queued_.push_back(std::move(filling_));
    if (!free_.empty()) {
      next = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (next == nullptr) {
    next = std::make_unique<Chunk>();
    next->bytes.reserve(kChunkBytes);
  }
  filling_ = std::move(next);
}

void RecordPipeline::Drain() {
  Submit();
  MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queued_.empty() && busy_ == 0;
  };
  mu_.Await(absl::Condition(&idle));
}

void RecordPipeline::Work() {
  std::unique_ptr<Chunk> chunk;
  for (;;) {
    {
      MutexLock lock(&mu_);
      if (chunk != nullptr) {
        chunk->bytes.clear();
        chunk->ends.clear();
        free_.push_back(std::move(chunk));
        --busy_;
      }
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !queued_.empty() || closed_;
      };
      mu_.Await(absl::Condition(&ready));
      if (queued_.empty()) return;  // Closed and drained.
      chunk = std::move(queued_.front());
      queued_.pop_front();
      ++busy_;
    }
    ApplyChunk(*chunk);
  }
}

void RecordPipeline::ApplyChunk(const Chunk& chunk) {
  uint32_t begin = 0;
  for (const uint32_t end : chunk.ends) {
    const Status st =
        apply_(std::string_view(chunk.bytes).substr(begin, end - begin));
    if (!st.ok()) {
      if (first_error_.ok()) first_error_ = st;
      ++failed_records_;
    }
    begin = end;
  }
}

void RecordPipeline::Finish() {
  if (finished_) return;
  finished_ = true;
  Submit();
  {
    MutexLock lock(&mu_);
    closed_ = true;
  }
  thread_.join();
}

}  // namespace strata
