// Exemplars: a value with labels (a trace id, typically) attached to a
// series at a point in time, as Prometheus 2.42 stores them with
// --enable-feature=exemplar-storage.
//
// The DB keeps them in one bounded in-memory ring of
// Options::max_exemplars entries shared by every series (the oldest
// exemplar is evicted first), and in the WAL, so a restart keeps them;
// they are never written to blocks. Exemplars are added through
// Appender::AppendExemplar, committed with the batch's samples, and read
// through DB::NewExemplarQuerier.
//
// Thread-safety: plain values; an ExemplarQuerier is for one thread at a
// time, many may run concurrently with appends.
#ifndef STRATA_EXEMPLAR_H_
#define STRATA_EXEMPLAR_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "strata/labels.h"
#include "strata/status.h"

namespace strata {

// OpenMetrics: the label names and values of an exemplar together hold at
// most this many UTF-8 characters.
inline constexpr size_t kExemplarMaxLabelSetLength = 128;

struct Exemplar {
  Labels labels;
  double value = 0;
  int64_t t_ms = 0;
  // Whether the exemplar came with its own timestamp (Prometheus's HasTs:
  // remote write sets it for a non-zero timestamp). Exemplars without one
  // are duplicates of each other whatever their t_ms.
  bool has_timestamp = true;

  // Prometheus's Exemplar.Equals: same labels and value bits-equal as
  // floats (==), and the same timestamp unless neither has one.
  bool Equals(const Exemplar& other) const {
    if (!(labels == other.labels)) return false;
    if ((has_timestamp || other.has_timestamp) && t_ms != other.t_ms) {
      return false;
    }
    return value == other.value;
  }
};

// The exemplars of one series, oldest first.
struct ExemplarSeries {
  Labels series_labels;
  std::vector<Exemplar> exemplars;
};

class ExemplarQuerier {
 public:
  virtual ~ExemplarQuerier() = default;

  // The exemplars with mint <= t <= maxt of every series whose labels
  // satisfy all matchers of at least one of `matcher_sets`, as
  // Prometheus's CircularExemplarStorage.Select: series sorted by labels,
  // series without such exemplars left out; no matcher set, no series.
  virtual StatusOr<std::vector<ExemplarSeries>> Select(
      int64_t mint, int64_t maxt,
      const std::vector<std::vector<Matcher>>& matcher_sets) = 0;
};

// The exemplar storage's figures, Prometheus's prometheus_tsdb_exemplar_*.
struct ExemplarStats {
  int64_t appended = 0;      // Counter: exemplars added to the ring.
  int64_t out_of_order = 0;  // Counter: refused as out of order.
  int64_t in_storage = 0;
  int64_t series_in_storage = 0;
  // The oldest exemplar's timestamp in seconds (0 while empty).
  double oldest_timestamp_seconds = 0;
  int64_t max_exemplars = 0;
};

}  // namespace strata

#endif  // STRATA_EXEMPLAR_H_
