#include "block/chunk_file_reader.h"

#include <algorithm>
#include <cstdlib>

#include "block/chunk_format.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {
namespace {

bool IsSegmentName(const std::string& name) {
  return !name.empty() && name.size() <= 10 &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// The parts of a chunk that starts at `at[0]`.
struct ChunkLayout {
  uint8_t encoding;
  std::string_view data;
  size_t total;  // Length field through CRC.
};

enum class ParseResult { kOk, kNeedMore, kCorrupt };

// `at` holds the bytes from the chunk's offset on; `available` is how many
// bytes the file has from there (>= at.size()).
ParseResult ParseChunk(std::string_view at, int64_t available, ChunkLayout* out,
                       std::string* why) {
  std::string_view in = at;
  uint64_t len;
  if (!GetUvarint(&in, &len) ||
      at.size() - in.size() > chunk_format::kMaxLengthFieldSize) {
    if (at.size() < static_cast<size_t>(chunk_format::kMaxLengthFieldSize) &&
        static_cast<int64_t>(at.size()) < available) {
      return ParseResult::kNeedMore;
    }
    *why = "bad chunk length";
    return ParseResult::kCorrupt;
  }
  const size_t header = at.size() - in.size();
  const uint64_t total =
      header + chunk_format::kEncodingSize + len + chunk_format::kCrcSize;
  if (total > static_cast<uint64_t>(available)) {
    *why = "chunk of " + std::to_string(len) + " bytes extends past the end";
    return ParseResult::kCorrupt;
  }
  if (total > at.size()) return ParseResult::kNeedMore;
  const std::string_view body = at.substr(header, 1 + len);
  const uint32_t want = DecodeBE32(at.data() + header + 1 + len);
  const uint32_t got = crc32c::Value(body);
  if (want != got) {
    char msg[96];
    std::snprintf(msg, sizeof(msg),
                  "chunk checksum mismatch: stored %08x, "
                  "computed %08x",
                  want, got);
    *why = msg;
    return ParseResult::kCorrupt;
  }
  out->encoding = static_cast<uint8_t>(body[0]);
  out->data = body.substr(1);
  out->total = total;
  return ParseResult::kOk;
}

}  // namespace

ChunkFileReader::ChunkFileReader(std::string dir, std::vector<Segment> segments,
                                 std::unique_ptr<BatchFileReader> batch,
                                 const ChunkReaderOptions& options)
    : dir_(std::move(dir)),
      segments_(std::move(segments)),
      batch_(std::move(batch)),
      options_(options) {
  for (const Segment& s : segments_) {
    size_ += static_cast<int64_t>(s.map->data().size());
  }
}

ChunkFileReader::~ChunkFileReader() = default;

StatusOr<std::unique_ptr<ChunkFileReader>> ChunkFileReader::Open(
    FileSystem* fs, const std::string& dir, const ChunkReaderOptions& options) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::vector<std::pair<uint64_t, std::string>> numbered;
  for (std::string& n : names) {
    if (IsSegmentName(n)) numbered.emplace_back(std::stoull(n), std::move(n));
  }
  std::sort(numbered.begin(), numbered.end());
  std::vector<Segment> segments;
  std::vector<std::string> paths;
  for (auto& [num, name] : numbered) {
    Segment seg;
    seg.path = JoinPath(dir, name);
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> map,
                            fs->MapFile(seg.path));
    std::string_view d = map->data();
    if (d.size() < static_cast<size_t>(chunk_format::kHeaderSize)) {
      return Status::Corruption(seg.path + ": segment shorter than its header");
    }
    if (DecodeBE32(d.data()) != chunk_format::kMagic) {
      return Status::Corruption(seg.path + ": bad chunk segment magic");
    }
    if (static_cast<uint8_t>(d[4]) != chunk_format::kVersion1) {
      return Status::Corruption(seg.path + ": unknown chunk segment version " +
                                std::to_string(static_cast<uint8_t>(d[4])));
    }
    seg.map = std::move(map);
    paths.push_back(seg.path);
    segments.push_back(std::move(seg));
  }
  std::unique_ptr<BatchFileReader> batch;
  if (options.io_mode != ChunkIoMode::kPread) {
    StatusOr<std::unique_ptr<BatchFileReader>> uring =
        NewUringFileReader(paths, options.uring_queue_depth);
    if (uring.ok()) {
      batch = std::move(uring).value();
    } else if (options.io_mode == ChunkIoMode::kUring ||
               !uring.status().Is(StatusCode::kNotSupported)) {
      return uring.status();
    }
  }
  if (batch == nullptr) {
    STRATA_ASSIGN_OR_RETURN(batch, NewPreadFileReader(fs, paths));
  }
  return std::unique_ptr<ChunkFileReader>(
      new ChunkFileReader(dir, std::move(segments), std::move(batch), options));
}

Status ChunkFileReader::Corrupt(uint64_t ref, std::string_view what) const {
  const uint32_t seg = chunk_format::RefSegment(ref);
  const std::string file =
      seg < segments_.size()
          ? segments_[seg].path
          : JoinPath(dir_, chunk_format::SegmentFileName(seg));
  return Status::Corruption(file + " at offset " +
                            std::to_string(chunk_format::RefOffset(ref)) +
                            ": " + std::string(what));
}

StatusOr<ChunkBytes> ChunkFileReader::Chunk(const ChunkMeta& meta) const {
  const uint32_t seg = chunk_format::RefSegment(meta.ref);
  const uint32_t off = chunk_format::RefOffset(meta.ref);
  if (seg >= segments_.size()) return Corrupt(meta.ref, "no such segment");
  const std::string_view file = segments_[seg].map->data();
  if (off < chunk_format::kHeaderSize || off >= file.size()) {
    return Corrupt(meta.ref, "offset outside the segment");
  }
  ChunkLayout c;
  std::string why;
  const std::string_view at = file.substr(off);
  if (ParseChunk(at, static_cast<int64_t>(at.size()), &c, &why) !=
      ParseResult::kOk) {
    return Corrupt(meta.ref, why.empty() ? "truncated chunk" : why);
  }
  ChunkBytes out;
  out.encoding = c.encoding;
  out.data = c.data;
  out.keep_alive = segments_[seg].map;
  return out;
}

Status ChunkFileReader::ReadBatch(std::span<const ChunkMeta> metas,
                                  std::vector<ChunkBytes>* out) const {
  out->clear();
  out->resize(metas.size());
  std::vector<ReadRequest> reqs(metas.size());
  std::vector<int64_t> available(metas.size());
  size_t arena_size = 0;
  for (size_t i = 0; i < metas.size(); ++i) {
    const uint32_t seg = chunk_format::RefSegment(metas[i].ref);
    const uint32_t off = chunk_format::RefOffset(metas[i].ref);
    if (seg >= segments_.size())
      return Corrupt(metas[i].ref, "no such segment");
    const int64_t file_size =
        static_cast<int64_t>(segments_[seg].map->data().size());
    if (off < chunk_format::kHeaderSize || off >= file_size) {
      return Corrupt(metas[i].ref, "offset outside the segment");
    }
    available[i] = file_size - off;
    reqs[i].file = seg;
    reqs[i].offset = off;
    reqs[i].length = static_cast<size_t>(std::min<int64_t>(
        static_cast<int64_t>(options_.initial_read_bytes), available[i]));
    arena_size += reqs[i].length;
  }
  auto arena = std::make_shared<std::string>(arena_size, '\0');
  size_t pos = 0;
  for (ReadRequest& r : reqs) {
    r.dest = arena->data() + pos;
    pos += r.length;
  }
  STRATA_RETURN_IF_ERROR(batch_->ReadBatch(reqs));

  // Chunks longer than the first read get a second, exact read.
  std::vector<size_t> longer;
  std::vector<ReadRequest> more;
  std::vector<std::shared_ptr<std::string>> more_bufs;
  for (size_t i = 0; i < metas.size(); ++i) {
    ChunkLayout c;
    std::string why;
    const std::string_view at(reqs[i].dest, reqs[i].bytes_read);
    switch (ParseChunk(at, available[i], &c, &why)) {
      case ParseResult::kOk:
        (*out)[i].encoding = c.encoding;
        (*out)[i].data = c.data;
        (*out)[i].keep_alive = arena;
        break;
      case ParseResult::kCorrupt:
        return Corrupt(metas[i].ref, why);
      case ParseResult::kNeedMore: {
        if (reqs[i].bytes_read < reqs[i].length) {
          return Corrupt(metas[i].ref, "short read");
        }
        // The length field is complete when reads are >= 5 bytes; else read
        // the largest chunk the file can hold.
        std::string_view in = at;
        uint64_t len = 0;
        size_t total = static_cast<size_t>(available[i]);
        if (GetUvarint(&in, &len)) {
          total = (at.size() - in.size()) + chunk_format::kEncodingSize + len +
                  chunk_format::kCrcSize;
        }
        auto buf = std::make_shared<std::string>(total, '\0');
        ReadRequest r;
        r.file = reqs[i].file;
        r.offset = reqs[i].offset;
        r.length = total;
        r.dest = buf->data();
        more.push_back(r);
        more_bufs.push_back(std::move(buf));
        longer.push_back(i);
        break;
      }
    }
  }
  if (more.empty()) return Status::OK();
  STRATA_RETURN_IF_ERROR(batch_->ReadBatch(more));
  for (size_t k = 0; k < more.size(); ++k) {
    const size_t i = longer[k];
    ChunkLayout c;
    std::string why;
    const std::string_view at(more[k].dest, more[k].bytes_read);
    if (ParseChunk(at, static_cast<int64_t>(at.size()), &c, &why) !=
        ParseResult::kOk) {
      return Corrupt(metas[i].ref, why.empty() ? "truncated chunk" : why);
    }
    (*out)[i].encoding = c.encoding;
    (*out)[i].data = c.data;
    (*out)[i].keep_alive = more_bufs[k];
  }
  return Status::OK();
}

Status ChunkFileReader::ForEachChunk(
    const std::function<Status(uint64_t ref, const ChunkBytes&)>& fn) const {
  for (uint32_t seg = 0; seg < segments_.size(); ++seg) {
    const std::string_view file = segments_[seg].map->data();
    size_t off = chunk_format::kHeaderSize;
    while (off < file.size()) {
      const uint64_t ref =
          chunk_format::PackRef(seg, static_cast<uint32_t>(off));
      ChunkLayout c;
      std::string why;
      const std::string_view at = file.substr(off);
      if (ParseChunk(at, static_cast<int64_t>(at.size()), &c, &why) !=
          ParseResult::kOk) {
        return Corrupt(ref, why.empty() ? "truncated chunk" : why);
      }
      ChunkBytes bytes;
      bytes.encoding = c.encoding;
      bytes.data = c.data;
      bytes.keep_alive = segments_[seg].map;
      STRATA_RETURN_IF_ERROR(fn(ref, bytes));
      off += c.total;
    }
  }
  return Status::OK();
}

}  // namespace strata
