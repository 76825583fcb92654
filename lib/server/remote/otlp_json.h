// OTLP/JSON: an OTLP metrics export request in the JSON encoding
// (`Content-Type: application/json`, the OTLP specification's "JSON
// Protobuf Encoding") turned into the protobuf encoding of the same
// ExportMetricsServiceRequest, so that one decoder (otlp_decoder.h) reads
// both.
//
// The JSON is parsed by the protobuf library's JSON parser against the
// opentelemetry-proto schema (proto/opentelemetry/, vendored). As the
// OpenTelemetry Collector's decoder (which Prometheus uses) does, it takes
// lowerCamelCase or original field names, 64-bit integers as numbers or
// strings, enums as integers or names, "NaN"/"Infinity" doubles, and
// ignores unknown fields. Trace and span ids in exemplars (hex in OTLP/JSON)
// are not used by the translation.
//
// Thread-safety: a function of its arguments.
#ifndef STRATA_SERVER_REMOTE_OTLP_JSON_H_
#define STRATA_SERVER_REMOTE_OTLP_JSON_H_

#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::server {

// Replaces *out with the protobuf encoding of the request `json` holds.
// InvalidArgument, naming the problem, when `json` is not an
// ExportMetricsServiceRequest in JSON.
Status OtlpJsonToProtobuf(std::string_view json, std::string* out);

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_OTLP_JSON_H_
