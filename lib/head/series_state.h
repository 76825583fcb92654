// SeriesStateView: a series' chunks and append state as the head's shutdown
// snapshot saves and restores them (MemSeries::ViewState, RestoreState).
// The chunk bytes are views: into the series while MemSeries::ViewState's
// callback runs, into the decoded record while restoring. A completed
// chunk in the head-chunk files may instead be given by its reference
// there (disk_ref, no bytes).
//
// Thread-safety: plain values.
#ifndef STRATA_HEAD_SERIES_STATE_H_
#define STRATA_HEAD_SERIES_STATE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "chunk/encoding.h"
#include "chunk/histogram_layout.h"
#include "chunk/xor_chunk.h"
#include "strata/histogram.h"
#include "strata/querier.h"

namespace strata {

struct SeriesChunkView {
  int64_t mint = 0;  // First and last sample of the chunk.
  int64_t maxt = 0;
  std::string_view bytes;  // XOR chunk bytes, without the encoding byte.
  // Nonzero: the chunk is the record at this ref in the head-chunk files
  // (head_chunks::MakeRef) and `bytes` is empty. Only completed chunks.
  uint64_t disk_ref = 0;
  // With disk_ref: the chunk's sample count (its bytes say it otherwise).
  uint16_t samples = 0;
  // Prometheus's chunk encoding byte: XOR, histogram or float histogram.
  uint8_t encoding = static_cast<uint8_t>(chunk::Encoding::kXor);
};

struct SeriesStateView {
  // Completed chunks, oldest first.
  std::vector<SeriesChunkView> closed;
  // The chunk samples are appended to (open.encoding says its kind), and
  // its encoder state: open_state for an XOR chunk, the XOR windows
  // (chunk::HistogramChunk::XorWindows) for a histogram chunk, whose other
  // state its bytes give back.
  bool has_open = false;
  SeriesChunkView open;
  chunk::XorChunk::AppendState open_state;
  std::vector<chunk::XorWindow> open_windows;
  // When the open chunk is cut (chunk::ChunkCutState::next_at).
  int64_t next_at = 0;
  // Newest sample ever appended (kMinTime if none) and its value bits:
  // they outlive the chunks truncation drops, for the order and duplicate
  // checks of later appends.
  int64_t max_time = 0;
  uint64_t last_value_bits = 0;
  // The newest sample's kind; a histogram's value is last_h or last_fh
  // (the duplicate check compares with it), a float's last_value_bits.
  SampleValueType last_type = SampleValueType::kFloat;
  Histogram last_h;
  FloatHistogram last_fh;
};

}  // namespace strata

#endif  // STRATA_HEAD_SERIES_STATE_H_
