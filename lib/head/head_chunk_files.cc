#include "head/head_chunk_files.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "chunk/xor_iterator.h"
#include "util/log.h"

namespace strata {

HeadChunkFiles::HeadChunkFiles(FileSystem* fs, std::string dir)
    : fs_(fs), dir_(std::move(dir)) {}

HeadChunkFiles::~HeadChunkFiles() { (void)Close(); }

StatusOr<std::shared_ptr<HeadChunkFiles>> HeadChunkFiles::Open(
    FileSystem* fs, std::string dir, const ChunkFn& on_chunk,
    LoadStats* stats) {
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(dir));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::vector<uint32_t> seqs;
  for (const std::string& n : names) {
    if (uint32_t seq = head_chunks::ParseFileName(n); seq != 0) {
      seqs.push_back(seq);
    }
  }
  std::sort(seqs.begin(), seqs.end());
  std::shared_ptr<HeadChunkFiles> files(new HeadChunkFiles(fs, dir));
  MutexLock lock(&files->mu_);
  size_t i = 0;
  for (; i < seqs.size(); ++i) {
    if (i > 0 && seqs[i] != seqs[i - 1] + 1) {
      stats->damage =
          absl::StrCat("head chunk file ",
                       head_chunks::FileName(seqs[i - 1] + 1), " is missing");
      break;
    }
    STRATA_ASSIGN_OR_RETURN(const int64_t damaged_at,
                            files->LoadFile(seqs[i], on_chunk, stats));
    if (damaged_at < 0) continue;
    const std::string path = files->PathOf(seqs[i]);
    if (damaged_at < head_chunks::kFileHeaderSize) {
      files->files_.erase(seqs[i]);
      STRATA_RETURN_IF_ERROR(fs->RemoveFile(path));
      ++stats->files_removed;
    } else {
      STRATA_RETURN_IF_ERROR(fs->TruncateFile(path, damaged_at));
    }
    ++i;
    break;
  }
  for (; i < seqs.size(); ++i) {
    STRATA_RETURN_IF_ERROR(fs->RemoveFile(files->PathOf(seqs[i])));
    ++stats->files_removed;
  }
  if (!stats->damage.empty()) {
    STRATA_LOG(kWarn,
               "head chunk files damaged; cut at the damage, the WAL fills in",
               {{"damage", stats->damage},
                {"files_removed", absl::StrCat(stats->files_removed)}});
  }
  files->last_seq_ = files->files_.empty() ? 0 : files->files_.rbegin()->first;
  if (!seqs.empty()) files->last_seq_ = std::max(files->last_seq_, seqs[0] - 1);
  return files;
}

StatusOr<int64_t> HeadChunkFiles::LoadFile(uint32_t seq,
                                           const ChunkFn& on_chunk,
                                           LoadStats* stats) {
  const std::string path = PathOf(seq);
  const std::string name = head_chunks::FileName(seq);
  STRATA_ASSIGN_OR_RETURN(const int64_t file_size, fs_->FileSize(path));
  if (file_size < head_chunks::kFileHeaderSize) {
    // Created but never written: a crash before the first flush.
    stats->damage = absl::StrCat(name, ": shorter than its header");
    return 0;
  }
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> mapped,
                          fs_->MapFile(path));
  const std::string_view data = mapped->data();
  if (Status st = head_chunks::CheckFileHeader(data); !st.ok()) {
    stats->damage = absl::StrCat(name, ": ", std::string(st.message()));
    return 0;
  }
  File file;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> reader,
                          fs_->NewRandomAccessFile(path));
  file.reader = std::move(reader);
  ++stats->files;
  int64_t damaged_at = -1;
  size_t off = head_chunks::kFileHeaderSize;
  while (off < data.size()) {
    head_chunks::ChunkRecord rec;
    size_t size = 0;
    const head_chunks::DecodeResult r =
        head_chunks::DecodeRecord(data.substr(off), &rec, &size);
    if (r == head_chunks::DecodeResult::kEnd) break;
    if (r != head_chunks::DecodeResult::kOk) {
      stats->damage = absl::StrCat(name, " at offset ", off, ": ",
                                   r == head_chunks::DecodeResult::kShort
                                       ? "torn record"
                                       : "bad length or checksum");
      damaged_at = static_cast<int64_t>(off);
      break;
    }
    const MappedChunk chunk{
        head_chunks::MakeRef(seq, static_cast<uint32_t>(off)), rec.mint,
        rec.maxt,
        static_cast<uint16_t>(std::max(0, chunk::XorNumSamples(rec.data))),
        rec.encoding};
    on_chunk(rec.series_ref, chunk);
    file.maxt = std::max(file.maxt, rec.maxt);
    ++stats->chunks;
    off += size;
  }
  files_[seq] = std::move(file);
  return damaged_at;
}

Status HeadChunkFiles::StartFile() {
  const uint32_t seq = std::max(cur_seq_, last_seq_) + 1;
  const std::string path = PathOf(seq);
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> writer,
                          fs_->NewWritableFile(path));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> reader,
                          fs_->NewRandomAccessFile(path));
  writer_ = std::move(writer);
  files_[seq].reader = std::move(reader);
  cur_seq_ = seq;
  buffer_.clear();
  head_chunks::AppendFileHeader(&buffer_);
  buffer_offset_ = 0;
  cur_size_ = static_cast<int64_t>(buffer_.size());
  return Status::OK();
}

StatusOr<uint64_t> HeadChunkFiles::Write(uint64_t series_ref, int64_t mint,
                                         int64_t maxt, uint8_t encoding,
                                         std::string_view data) {
  MutexLock lock(&mu_);
  if (failed_) return Status::IOError("head chunk writes failed earlier");
  if (closed_) return Status::FailedPrecondition("head chunk files closed");
  const int64_t size =
      static_cast<int64_t>(head_chunks::RecordSize(data.size()));
  if (cur_seq_ == 0 || cur_size_ + size > head_chunks::kMaxFileSize) {
    Status st;
    if (cur_seq_ != 0) {
      st = FlushLocked();
      if (st.ok()) st = writer_->Sync();
      if (st.ok()) st = writer_->Close();
    }
    if (st.ok()) st = StartFile();
    if (!st.ok()) {
      Fail(st);
      return st;
    }
  }
  const uint64_t ref =
      head_chunks::MakeRef(cur_seq_, static_cast<uint32_t>(cur_size_));
  head_chunks::AppendRecord({series_ref, mint, maxt, encoding, data}, &buffer_);
  cur_size_ += size;
  File& file = files_[cur_seq_];
  file.maxt = std::max(file.maxt, maxt);
  if (buffer_.size() >= kFlushBytes) {
    // The chunk is in the buffer, readable even if this fails.
    (void)FlushLocked();
  }
  return ref;
}

Status HeadChunkFiles::Flush() {
  MutexLock lock(&mu_);
  return FlushLocked();
}

Status HeadChunkFiles::FlushLocked() {
  if (failed_ || writer_ == nullptr || buffer_.empty()) return Status::OK();
  Status st = writer_->Append(buffer_);
  if (!st.ok()) {
    Fail(st);
    return st;
  }
  buffer_offset_ += static_cast<int64_t>(buffer_.size());
  buffer_.clear();
  return Status::OK();
}

void HeadChunkFiles::Fail(const Status& st) {
  if (failed_) return;
  failed_ = true;
  STRATA_LOG(kError,
             "writing head chunks failed; later chunks stay in memory until "
             "restart",
             {{"dir", dir_}, {"err", st.ToString()}});
}

StatusOr<std::string> HeadChunkFiles::Read(uint64_t ref) const {
  const uint32_t seq = head_chunks::RefSeq(ref);
  const int64_t offset = head_chunks::RefOffset(ref);
  std::shared_ptr<RandomAccessFile> reader;
  std::shared_ptr<MappedFile> mapped;
  {
    MutexLock lock(&mu_);
    if (seq == cur_seq_ && offset >= buffer_offset_) {
      return DecodeAt(buffer_, seq, offset - buffer_offset_);
    }
    auto it = files_.find(seq);
    if (it == files_.end()) return Status::NotFound("head chunk file removed");
    reader = it->second.reader;
    mapped = it->second.mapped;
  }
  // A record past the end of the mapping (written after it was made) is
  // read with pread.
  if (mapped != nullptr &&
      offset < static_cast<int64_t>(mapped->data().size())) {
    StatusOr<std::string> data = DecodeAt(mapped->data(), seq, offset);
    if (data.ok()) return data;
  }
  // Most chunks are a few hundred bytes: one read usually gets it all.
  std::string scratch(512, '\0');
  std::string_view got;
  STRATA_RETURN_IF_ERROR(
      reader->Read(offset, scratch.size(), &got, scratch.data()));
  head_chunks::ChunkRecord rec;
  size_t size = 0;
  head_chunks::DecodeResult r = head_chunks::DecodeRecord(got, &rec, &size);
  if (r == head_chunks::DecodeResult::kShort && size > scratch.size()) {
    scratch.assign(size, '\0');
    STRATA_RETURN_IF_ERROR(reader->Read(offset, size, &got, scratch.data()));
    r = head_chunks::DecodeRecord(got, &rec, &size);
  }
  if (r != head_chunks::DecodeResult::kOk) {
    return Status::Corruption(absl::StrCat("head chunk ",
                                           head_chunks::FileName(seq), ":",
                                           offset, " does not decode"));
  }
  return std::string(rec.data);
}

StatusOr<std::string> HeadChunkFiles::DecodeAt(std::string_view file,
                                               uint32_t seq, int64_t offset) {
  head_chunks::ChunkRecord rec;
  size_t size = 0;
  if (offset > static_cast<int64_t>(file.size()) ||
      head_chunks::DecodeRecord(file.substr(offset), &rec, &size) !=
          head_chunks::DecodeResult::kOk) {
    return Status::Corruption(absl::StrCat("head chunk ",
                                           head_chunks::FileName(seq), ":",
                                           offset, " does not decode"));
  }
  return std::string(rec.data);
}

void HeadChunkFiles::BeginBulkRead() {
  MutexLock lock(&mu_);
  // The buffer's chunks reach the file being written, so the mapping
  // covers them too (a failure leaves them in the buffer, read from it).
  (void)FlushLocked();
  for (auto& [seq, file] : files_) {
    if (file.mapped != nullptr) continue;
    StatusOr<std::unique_ptr<MappedFile>> mapped = fs_->MapFile(PathOf(seq));
    if (mapped.ok()) file.mapped = std::move(*mapped);
  }
}

void HeadChunkFiles::EndBulkRead() {
  MutexLock lock(&mu_);
  for (auto& [seq, file] : files_) file.mapped.reset();
}

int HeadChunkFiles::Truncate(int64_t mint) {
  MutexLock lock(&mu_);
  int removed = 0;
  while (!files_.empty()) {
    auto it = files_.begin();
    if (it->first == cur_seq_ || it->second.maxt >= mint) break;
    Status st = fs_->RemoveFile(PathOf(it->first));
    if (!st.ok()) {
      STRATA_LOG(kWarn, "removing a head chunk file", {{"err", st.ToString()}});
      break;
    }
    files_.erase(it);  // Readers still holding the file keep reading it.
    ++removed;
  }
  return removed;
}

Status HeadChunkFiles::Close() {
  MutexLock lock(&mu_);
  closed_ = true;
  if (writer_ == nullptr) return Status::OK();
  Status st = FlushLocked();
  if (st.ok() && !failed_) st = writer_->Sync();
  Status close = writer_->Close();
  writer_.reset();
  if (st.ok()) st = close;
  return st;
}

bool HeadChunkFiles::write_failed() const {
  MutexLock lock(&mu_);
  return failed_;
}

int64_t HeadChunkFiles::NumFiles() const {
  MutexLock lock(&mu_);
  return static_cast<int64_t>(files_.size());
}

}  // namespace strata
