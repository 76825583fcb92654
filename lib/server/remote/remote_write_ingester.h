// RemoteWriteIngester: appends a decoded remote write batch to the DB.
//
// Semantics (as Prometheus's own receiver, made partial as remote write 2.0
// asks): every valid sample of a batch is stored even when others are
// rejected; rejected samples are counted by reason and the first few are
// described, so the HTTP layer can answer 400 naming them. Rejections are
// final (retrying cannot help): invalid labels, out of order, out of
// bounds, duplicate timestamps with another value, timestamps before the
// epoch or too far in the future. An exact duplicate (same timestamp, same
// value bits) is accepted and counted as written, so a sender re-sending a
// batch after a lost response gets 204. Only a failure to commit (or a DB
// that is closing) makes the whole batch fail retryably.
//
// Samples of series whose ref is cached (or resolved by the series' first
// sample) are appended after the others, in one Appender::AppendBatch, so
// the DB loads their series ahead; per-sample refusals come back in its
// report. The described rejections follow that order.
//
// Native histograms are appended after their series' samples
// (Appender::AppendHistogram, integer or float as decoded) and committed
// with them; those Prometheus 2.42 would refuse (ValidateHistogram: spans,
// buckets, count) are counted apart, with Prometheus's error text for the
// first few, and do not change the answer; out-of-order and duplicate ones
// are rejected as samples are. While the DB refuses native histograms
// (Options::enable_native_histograms off) a batch holding a valid one
// fails whole with that NotSupported status, as Prometheus 2.42 answers
// 500 "native histograms are disabled". Exemplars are appended after
// the samples, into the DB's exemplar storage, and committed with them; refused
// ones are dropped without failing the request, as Prometheus does.
// Start/created timestamps are decoded and ignored, as Prometheus does
// without --enable-feature=created-timestamp-zero-ingestion.
//
// Thread-safety: Ingest may be called concurrently.
#ifndef STRATA_SERVER_REMOTE_REMOTE_WRITE_INGESTER_H_
#define STRATA_SERVER_REMOTE_REMOTE_WRITE_INGESTER_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/remote/metadata_store.h"
#include "server/remote/remote_write_decoder.h"
#include "server/remote/series_ref_cache.h"
#include "strata/db.h"
#include "strata/status.h"

namespace strata::server {

// Why a sample was not stored. Serialized only as the metric label and in
// messages, via RejectReasonName.
enum class RejectReason : uint8_t {
  kInvalidLabels,   // Empty, unsorted, duplicate or invalid label names.
  kInvalidSeries,   // 2.0: unusable symbol references and the like.
  kOutOfOrder,      // Older than the series' newest sample.
  kOutOfBounds,     // Older than the head accepts, or before the epoch.
  kDuplicate,       // Same timestamp as a stored sample, other value.
  kTooFarInFuture,  // Past now + max_future_ms.
  kOther,           // Any other per-sample refusal.
  // Over a LabelLimits limit; named as Mimir's discarded-samples reasons.
  kMaxLabelNamesPerSeries,
  kLabelNameTooLong,
  kLabelValueTooLong,
  // Out of order and older than the out-of-order window allows.
  kTooOldSample,
};
inline constexpr size_t kNumRejectReasons = 11;
std::string_view RejectReasonName(RejectReason reason);

// Limits on the labels of a series (as Mimir's -validation.* flags, with
// more generous defaults); 0 disables one. Past a limit, every sample of
// the series is rejected and the 400 names the series and the flag.
// Checked when a series is not in the ref cache yet, i.e. before it is
// created.
struct LabelLimits {
  // --remote-write.max-label-names-per-series, counting __name__.
  int max_label_names_per_series = 128;
  // --remote-write.max-length-label-name, in bytes.
  int max_label_name_length = 1024;
  // --remote-write.max-length-label-value, in bytes.
  int max_label_value_length = 16384;
};

struct IngestOptions {
  // Samples newer than the receiver's clock plus this are refused: one such
  // sample would move the head's time so far ahead that every later sample
  // is out of bounds. 0 disables the check.
  int64_t max_future_ms = 10 * 60 * 1000;
  // How many rejected samples a result describes in full.
  int max_described_rejections = 3;
  LabelLimits label_limits;
};

struct IngestResult {
  int64_t samples_written = 0;
  int64_t histograms_written = 0;
  // Exemplars the appender took (an exact duplicate of a stored one, or
  // any while exemplar storage is off, is taken as a no-op).
  int64_t exemplars_accepted = 0;
  // Not stored (invalid, refused, or of an invalid series).
  int64_t histograms_dropped = 0;
  // Of histograms_dropped, those ValidateHistogram refuses, and
  // "<series> t=<ts>: <Prometheus's error>" for the first few.
  int64_t histograms_invalid = 0;
  std::vector<std::string> histogram_errors;
  int64_t series = 0;
  int64_t series_cache_misses = 0;
  int64_t metadata_updates = 0;
  std::array<int64_t, kNumRejectReasons> rejected{};
  // "<reason>: <detail>" for the first few rejected samples.
  std::vector<std::string> rejections;
  // Non-OK if nothing may be assumed stored and the sender should retry
  // (Commit failed, the DB is closing).
  Status fatal;

  int64_t total_rejected() const;
  // One line naming the counts by reason and the described rejections.
  std::string RejectionSummary() const;
};

class RemoteWriteIngester {
 public:
  // `db`, `cache` and `metadata` are not owned and must outlive this;
  // `metadata` may be null (metadata is then dropped).
  RemoteWriteIngester(DB* db, SeriesRefCache* cache, MetadataStore* metadata,
                      IngestOptions options);

  // Appends `batch` in one Appender and commits it. `now_ms` is the
  // receiver's wall clock (for the future-timestamp check). Every series is
  // stored without its `drop_label` ("": none), e.g. the HA replica label;
  // the series ref cache keys such series apart from the same labels
  // stored as they came.
  IngestResult Ingest(const WriteBatch& batch, int64_t now_ms,
                      std::string_view drop_label = {});

 private:
  // Constant after construction.
  DB* const db_;
  SeriesRefCache* const cache_;
  MetadataStore* const metadata_;
  const IngestOptions options_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_REMOTE_WRITE_INGESTER_H_
