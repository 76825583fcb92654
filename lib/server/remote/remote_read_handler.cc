#include "server/remote/remote_read_handler.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "prometheus/remote.pb.h"
#include "server/remote/samples_response.h"
#include "snappy.h"
#include "strata/querier.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "util/file_system.h"
#include "util/log.h"
#include "util/strings.h"

namespace strata::server {
namespace {

constexpr std::string_view kSamplesContentType = "application/x-protobuf";
constexpr std::string_view kStreamedContentType =
    "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";

// Bytes a length-delimited field of `n` bytes takes: tag, length, payload.
size_t FieldBytes(size_t n) { return 1 + UvarintLength(n) + n; }

Response Error(int status, std::string_view message) {
  return Response::Text(status, Cat(message, "\n"));
}

StatusOr<std::vector<Matcher>> ToMatchers(const prometheus::Query& query) {
  std::vector<Matcher> matchers;
  matchers.reserve(query.matchers_size());
  for (const prometheus::LabelMatcher& m : query.matchers()) {
    Matcher::Type type;
    switch (m.type()) {
      case prometheus::LabelMatcher::EQ:
        type = Matcher::Type::kEqual;
        break;
      case prometheus::LabelMatcher::NEQ:
        type = Matcher::Type::kNotEqual;
        break;
      case prometheus::LabelMatcher::RE:
        type = Matcher::Type::kRegexMatch;
        break;
      case prometheus::LabelMatcher::NRE:
        type = Matcher::Type::kRegexNoMatch;
        break;
      default:
        return Status::InvalidArgument(
            Cat("unknown matcher type ", static_cast<int>(m.type())));
    }
    STRATA_ASSIGN_OR_RETURN(Matcher matcher,
                            Matcher::Create(type, m.name(), m.value()));
    matchers.push_back(std::move(matcher));
  }
  return matchers;
}

void SetLabels(const Labels& labels,
               google::protobuf::RepeatedPtrField<prometheus::Label>* out) {
  out->Reserve(static_cast<int>(labels.size()));
  for (const Label& l : labels) {
    prometheus::Label* pl = out->Add();
    pl->set_name(l.name);
    pl->set_value(l.value);
  }
}

// A query's matchers with its time range, checked before answering.
struct PreparedQuery {
  int64_t mint = 0;
  int64_t maxt = 0;
  std::vector<Matcher> matchers;
};

// Opens the series set of one query; an empty range gives no series.
StatusOr<std::unique_ptr<SeriesSet>> Select(DB* db, const PreparedQuery& q,
                                            std::unique_ptr<Querier>* querier) {
  if (q.mint > q.maxt) return std::unique_ptr<SeriesSet>();
  STRATA_ASSIGN_OR_RETURN(*querier, db->NewQuerier(q.mint, q.maxt));
  SelectHints hints;
  hints.sorted = true;
  return (*querier)->Select(q.matchers, hints);
}

int StatusToHttp(const Status& st) {
  return st.Is(StatusCode::kInvalidArgument)     ? kHttpBadRequest
         : st.Is(StatusCode::kResourceExhausted) ? kHttpUnprocessableEntity
         : st.Is(StatusCode::kUnavailable)       ? kHttpServiceUnavailable
                                                 : kHttpInternalServerError;
}

// The answer to a failed read of `db`, its paths relative to the data
// directory (the log has them in full).
Response StorageError(const Status& st, const DB* db) {
  if (!st.Is(StatusCode::kInvalidArgument)) {
    STRATA_LOG(kError, "Remote read failed", {{"err", st.ToString()}});
  }
  return Error(StatusToHttp(st), RelativeToDir(st.ToString(), db->dir()));
}

struct StreamCounters {
  Counter* series;
  Counter* chunks;
  Counter* frames;
};

// Writes one frame: uvarint size, CRC32C (big endian), message.
Status SendFrame(const prometheus::ChunkedReadResponse& frame,
                 BodyWriter* writer, std::string* scratch) {
  scratch->clear();
  const size_t size = frame.ByteSizeLong();
  PutUvarint(scratch, size);
  const size_t header = scratch->size() + 4;
  scratch->resize(header + size);
  frame.SerializeWithCachedSizesToArray(
      reinterpret_cast<uint8_t*>(scratch->data() + header));
  EncodeBE32(scratch->data() + header - 4,
             crc32c::Value(std::string_view(*scratch).substr(header)));
  STRATA_RETURN_IF_ERROR(writer->Write(*scratch));
  return writer->Flush();
}

// Streams the chunks of every query's series, one series per frame (split
// over several frames when its chunks exceed `max_frame`). The first
// query's series set is already open.
Status StreamChunks(DB* db, const std::vector<PreparedQuery>& queries,
                    std::unique_ptr<Querier> first_querier,
                    std::unique_ptr<SeriesSet> first, size_t max_frame,
                    const StreamCounters& counters, BodyWriter* writer) {
  prometheus::ChunkedReadResponse frame;
  std::string scratch;
  for (size_t qi = 0; qi < queries.size(); ++qi) {
    std::unique_ptr<Querier> querier;
    std::unique_ptr<SeriesSet> set;
    if (qi == 0) {
      querier = std::move(first_querier);
      set = std::move(first);
    } else {
      STRATA_ASSIGN_OR_RETURN(set, Select(db, queries[qi], &querier));
    }
    if (set == nullptr) continue;
    const size_t index_bytes =
        qi == 0 ? 0 : 1 + UvarintLength(static_cast<uint64_t>(qi));
    while (set->Next()) {
      const Series& series = set->At();
      frame.Clear();
      frame.set_query_index(static_cast<int64_t>(qi));
      prometheus::ChunkedSeries* cs = frame.add_chunked_series();
      SetLabels(series.labels(), cs->mutable_labels());
      const size_t label_bytes = cs->ByteSizeLong();
      size_t chunk_bytes = 0;
      std::unique_ptr<ChunkIterator> it = series.NewChunkIterator();
      while (it->Next()) {
        const RawChunk& raw = it->At();
        prometheus::Chunk chunk;
        chunk.set_min_time_ms(raw.mint);
        chunk.set_max_time_ms(raw.maxt);
        chunk.set_type(static_cast<prometheus::Chunk::Encoding>(raw.encoding));
        chunk.set_data(raw.data.data(), raw.data.size());
        const size_t add = FieldBytes(chunk.ByteSizeLong());
        const size_t total =
            FieldBytes(label_bytes + chunk_bytes + add) + index_bytes;
        if (cs->chunks_size() > 0 && total > max_frame) {
          STRATA_RETURN_IF_ERROR(SendFrame(frame, writer, &scratch));
          counters.frames->Inc();
          cs->clear_chunks();
          chunk_bytes = 0;
        }
        *cs->add_chunks() = std::move(chunk);
        chunk_bytes += add;
        counters.chunks->Inc();
      }
      STRATA_RETURN_IF_ERROR(it->status());
      if (cs->chunks_size() > 0) {
        STRATA_RETURN_IF_ERROR(SendFrame(frame, writer, &scratch));
        counters.frames->Inc();
      }
      counters.series->Inc();
    }
    STRATA_RETURN_IF_ERROR(set->status());
  }
  return Status::OK();
}

struct SamplesCounters {
  Counter* series;
  Counter* samples;
};

// Answers SAMPLES: every query's series encoded before the first byte goes
// out, so the sample limit and the memory budget can still be a status
// code. `hold` (the concurrency slot) is kept until the answer is sent.
Response AnswerSamples(DB* db, const std::vector<PreparedQuery>& queries,
                       const RemoteReadOptions& options,
                       const SamplesCounters& counters,
                       std::shared_ptr<void> hold) {
  // Destroyed after the answer (declared before it in the capture below).
  auto budget = std::make_shared<MemoryBudget>(options.max_memory_bytes,
                                               options.memory_pool);
  auto answer =
      std::make_shared<SamplesResponse>(budget.get(), options.sample_limit);
  for (const PreparedQuery& q : queries) {
    answer->BeginQuery();
    std::unique_ptr<Querier> querier;
    StatusOr<std::unique_ptr<SeriesSet>> set = Select(db, q, &querier);
    if (!set.ok()) return StorageError(set.status(), db);
    if (*set == nullptr) continue;
    while ((*set)->Next()) {
      const Series& series = (*set)->At();
      std::unique_ptr<SampleIterator> it = series.NewIterator();
      if (Status st = answer->AddSeries(series.labels(), *it); !st.ok()) {
        // A limit or the budget is the client's; anything else the storage's.
        const bool limit = st.Is(StatusCode::kInvalidArgument) ||
                           st.Is(StatusCode::kResourceExhausted);
        return limit ? Error(StatusToHttp(st), st.message())
                     : StorageError(st, db);
      }
      counters.series->Inc();
    }
    if (!(*set)->status().ok()) return StorageError((*set)->status(), db);
  }
  counters.samples->Inc(static_cast<double>(answer->samples()));
  Response out;
  out.headers.Set("Content-Type", std::string(kSamplesContentType));
  out.headers.Set("Content-Encoding", "snappy");
  // The slot and the budget are held until the answer has been sent.
  out.stream = [hold = std::move(hold), budget = std::move(budget),
                answer = std::move(answer)](BodyWriter* writer) {
    return answer->Write(writer);
  };
  return out;
}

}  // namespace

class RemoteReadHandler::Slot {
 public:
  explicit Slot(RemoteReadHandler* handler) : handler_(handler) {
    if (handler_->options_.concurrent_limit <= 0) return;
    MutexLock lock(&handler_->mu_);
    handler_->mu_.Await(
        absl::Condition(handler_, &RemoteReadHandler::SlotFree));
    ++handler_->active_;
  }
  ~Slot() {
    if (handler_->options_.concurrent_limit <= 0) return;
    MutexLock lock(&handler_->mu_);
    --handler_->active_;
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  RemoteReadHandler* handler_;
};

RemoteReadHandler::RemoteReadHandler(RemoteReadOptions options,
                                     MetricsRegistry* registry)
    : options_(options) {
  CounterFamily* requests = registry->AddCounterFamily(
      "strata_remote_read_requests_total",
      "Remote read requests answered, by response type.", {"response_type"});
  metrics_.samples_requests = requests->WithLabelValues({"samples"});
  metrics_.streamed_requests =
      requests->WithLabelValues({"streamed_xor_chunks"});
  metrics_.series = registry->AddCounter("strata_remote_read_series_total",
                                         "Series sent by remote read.");
  metrics_.samples =
      registry->AddCounter("strata_remote_read_samples_total",
                           "Samples sent by remote read in SAMPLES responses.");
  metrics_.chunks =
      registry->AddCounter("strata_remote_read_chunks_total",
                           "Chunks sent by remote read in streamed responses.");
  metrics_.frames =
      registry->AddCounter("strata_remote_read_frames_total",
                           "Frames sent by remote read in streamed responses.");
}

void RemoteReadHandler::RegisterRoutes(Router* router) {
  router->Post(kRemoteReadPath,
               [this](Request& request) { return Handle(request); });
}

Response RemoteReadHandler::Handle(Request& request) {
  DB* db = db_.load(std::memory_order_acquire);
  if (db == nullptr) {
    return Response::Text(kHttpServiceUnavailable, "Service Unavailable");
  }
  auto slot = std::make_shared<Slot>(this);

  size_t decoded_size = 0;
  if (!snappy::GetUncompressedLength(request.body.data(), request.body.size(),
                                     &decoded_size)) {
    return Error(kHttpBadRequest, "snappy: corrupt input (bad length header)");
  }
  if (decoded_size > options_.max_decoded_bytes) {
    return Error(kHttpBadRequest,
                 Cat("snappy: decoded length ", decoded_size,
                     " exceeds the limit of ", options_.max_decoded_bytes));
  }
  std::string decoded;
  if (!snappy::Uncompress(request.body.data(), request.body.size(), &decoded)) {
    return Error(kHttpBadRequest, "snappy: corrupt or truncated input");
  }
  prometheus::ReadRequest read;
  if (!read.ParseFromString(decoded)) {
    return Error(kHttpBadRequest, "malformed prometheus.ReadRequest");
  }

  // The first response type we implement, in the client's order.
  bool streamed = false;
  if (read.accepted_response_types_size() > 0) {
    bool found = false;
    for (int type : read.accepted_response_types()) {
      if (type == prometheus::ReadRequest::SAMPLES ||
          type == prometheus::ReadRequest::STREAMED_XOR_CHUNKS) {
        streamed = type == prometheus::ReadRequest::STREAMED_XOR_CHUNKS;
        found = true;
        break;
      }
    }
    if (!found) {
      std::string types;
      for (int type : read.accepted_response_types()) {
        CatTo(&types, types.empty() ? "" : ", ", type);
      }
      return Error(kHttpBadRequest,
                   Cat("server does not support any of the requested "
                       "response types: [",
                       types, "]; supported: [SAMPLES, STREAMED_XOR_CHUNKS]"));
    }
  }

  auto queries = std::make_shared<std::vector<PreparedQuery>>();
  for (const prometheus::Query& q : read.queries()) {
    StatusOr<std::vector<Matcher>> matchers = ToMatchers(q);
    if (!matchers.ok()) {
      return Error(kHttpBadRequest, matchers.status().ToString());
    }
    queries->push_back(
        {q.start_timestamp_ms(), q.end_timestamp_ms(), std::move(*matchers)});
  }

  if (!streamed) {
    metrics_.samples_requests->Inc();
    return AnswerSamples(db, *queries, options_,
                         {metrics_.series, metrics_.samples}, std::move(slot));
  }

  // Streamed: open the first query's series set before answering, so that
  // a storage error on it can still become a status code.
  metrics_.streamed_requests->Inc();
  struct StreamState {
    std::shared_ptr<Slot> slot;
    std::shared_ptr<std::vector<PreparedQuery>> queries;
    std::unique_ptr<Querier> querier;
    std::unique_ptr<SeriesSet> first;
  };
  auto state = std::make_shared<StreamState>();
  state->slot = std::move(slot);
  state->queries = queries;
  if (!queries->empty()) {
    StatusOr<std::unique_ptr<SeriesSet>> set =
        Select(db, queries->front(), &state->querier);
    if (!set.ok()) {
      return StorageError(set.status(), db);
    }
    state->first = std::move(*set);
  }
  Response out;
  out.headers.Set("Content-Type", std::string(kStreamedContentType));
  StreamCounters counters{metrics_.series, metrics_.chunks, metrics_.frames};
  const size_t max_frame = options_.max_bytes_in_frame;
  out.stream = [state, db, max_frame, counters](BodyWriter* writer) {
    Status st =
        StreamChunks(db, *state->queries, std::move(state->querier),
                     std::move(state->first), max_frame, counters, writer);
    if (!st.ok()) {
      STRATA_LOG(kWarn, "Remote read stream ended early",
                 {{"err", st.ToString()}});
    }
    return st;
  };
  return out;
}

}  // namespace strata::server
