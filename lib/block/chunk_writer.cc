#include "block/chunk_writer.h"

#include <cstdio>

#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {

std::string chunk_format::SegmentFileName(uint32_t segment_index) {
  char name[16];
  std::snprintf(name, sizeof(name), "%06u",
                segment_index + static_cast<uint32_t>(kFirstSegmentNumber));
  return name;
}

ChunkSegmentWriter::ChunkSegmentWriter(FileSystem* fs, std::string dir,
                                       const ChunkWriterOptions& options)
    : fs_(fs), dir_(std::move(dir)), options_(options) {}

ChunkSegmentWriter::~ChunkSegmentWriter() {
  if (file_ != nullptr) (void)file_->Close();
}

StatusOr<std::unique_ptr<ChunkSegmentWriter>> ChunkSegmentWriter::Create(
    FileSystem* fs, std::string dir, const ChunkWriterOptions& options) {
  if (options.segment_bytes <= chunk_format::kHeaderSize ||
      options.segment_bytes > (int64_t{1} << 32)) {
    return Status::InvalidArgument("chunk segment size out of range");
  }
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(dir));
  return std::unique_ptr<ChunkSegmentWriter>(
      new ChunkSegmentWriter(fs, std::move(dir), options));
}

Status ChunkSegmentWriter::Fail(Status s) {
  if (error_.ok()) error_ = s;
  return s;
}

Status ChunkSegmentWriter::Flush() {
  if (buf_.empty()) return Status::OK();
  Status s = file_->Append(buf_);
  buf_.clear();
  return s.WithContext(path_);
}

Status ChunkSegmentWriter::CloseSegment() {
  if (file_ == nullptr) return Status::OK();
  STRATA_RETURN_IF_ERROR(Flush());
  STRATA_RETURN_IF_ERROR(file_->Sync().WithContext(path_));
  Status s = file_->Close().WithContext(path_);
  file_.reset();
  bytes_done_ += segment_size_;
  segment_size_ = 0;
  return s;
}

Status ChunkSegmentWriter::Cut() {
  STRATA_RETURN_IF_ERROR(CloseSegment());
  path_ = JoinPath(dir_, chunk_format::SegmentFileName(
                             static_cast<uint32_t>(num_segments_)));
  STRATA_ASSIGN_OR_RETURN(file_, fs_->NewWritableFile(path_));
  ++num_segments_;
  chunks_in_segment_ = 0;
  PutBE32(&buf_, chunk_format::kMagic);
  buf_.push_back(static_cast<char>(chunk_format::kVersion1));
  buf_.append(3, '\0');
  segment_size_ = chunk_format::kHeaderSize;
  return Status::OK();
}

StatusOr<uint64_t> ChunkSegmentWriter::Write(uint8_t encoding,
                                             std::string_view data) {
  if (!error_.ok()) return error_;
  if (finished_) return Status::FailedPrecondition("chunk writer finished");
  if (data.size() > UINT32_MAX) {
    return Status::InvalidArgument("chunk larger than 4 GiB");
  }
  // Prometheus reserves the largest length field when deciding to cut.
  const int64_t worst_size =
      chunk_format::kMaxChunkOverhead + static_cast<int64_t>(data.size());
  if (file_ == nullptr ||
      (chunks_in_segment_ > 0 &&
       segment_size_ + worst_size > options_.segment_bytes)) {
    Status s = Cut();
    if (!s.ok()) return Fail(s);
  }
  const uint64_t ref =
      chunk_format::PackRef(static_cast<uint32_t>(num_segments_ - 1),
                            static_cast<uint32_t>(segment_size_));
  const size_t start = buf_.size();
  PutUvarint(&buf_, data.size());
  const size_t crc_start = buf_.size();
  buf_.push_back(static_cast<char>(encoding));
  buf_.append(data);
  const uint32_t crc = crc32c::Value(std::string_view(buf_).substr(crc_start));
  PutBE32(&buf_, crc);
  segment_size_ += static_cast<int64_t>(buf_.size() - start);
  ++chunks_in_segment_;
  ++chunks_written_;
  if (buf_.size() >= options_.buffer_bytes) {
    Status s = Flush();
    if (!s.ok()) return Fail(s);
  }
  return ref;
}

Status ChunkSegmentWriter::Finish() {
  if (!error_.ok()) return error_;
  if (finished_) return Status::FailedPrecondition("chunk writer finished");
  finished_ = true;
  Status s = CloseSegment();
  if (!s.ok()) return Fail(s);
  s = fs_->SyncDir(dir_);
  if (!s.ok()) return Fail(s);
  return Status::OK();
}

}  // namespace strata
