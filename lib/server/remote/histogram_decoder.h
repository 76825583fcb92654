// Decodes one native histogram message of remote write (1.0's
// prometheus.Histogram, 2.0's io.prometheus.write.v2.Histogram: the same
// fields, 2.0 adding start_timestamp) into a WireHistogram.
//
// Structure only (wire types, truncation, packed lists); whether spans and
// buckets agree is ValidateHistogram's business (strata/histogram.h).
// Fields neither version uses (custom_values of schema -53) are read past.
//
// Thread-safety: a pure function.
#ifndef STRATA_SERVER_REMOTE_HISTOGRAM_DECODER_H_
#define STRATA_SERVER_REMOTE_HISTOGRAM_DECODER_H_

#include <string_view>

#include "server/remote/protowire.h"
#include "server/remote/remote_write_decoder.h"

namespace strata::server {

// Decodes `data` into *out (reset first). Returns false if the message is
// malformed; `reader_error` then names the problem and `offset` where the
// reader stopped, for the caller's message.
bool DecodeWireHistogram(RemoteWriteVersion version, std::string_view data,
                         WireHistogram* out, const char** reader_error,
                         size_t* offset);

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_HISTOGRAM_DECODER_H_
