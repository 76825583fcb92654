#include "open_options.h"

#include <string>
#include <string_view>

#include "errors.h"

namespace py = pybind11;

namespace strata::python {
namespace {

using Setter = void (*)(OpenOptions*, const py::handle&);

struct Option {
  std::string_view name;
  Setter set;
};

int64_t Int(const py::handle& v) { return v.cast<int64_t>(); }
bool Bool(const py::handle& v) { return v.cast<bool>(); }

WalSyncPolicy SyncPolicy(const py::handle& v) {
  const std::string name = v.cast<std::string>();
  if (name == "always") return WalSyncPolicy::kAlways;
  if (name == "interval") return WalSyncPolicy::kInterval;
  throw StatusError(Status::InvalidArgument(
      "wal_sync must be \"always\" or \"interval\", not \"" + name + "\""));
}

// Names as the C++ fields are named (include/strata/options.h,
// lib/promql/engine.h), the engine's prefixed with query_ where the field
// name alone would be ambiguous.
constexpr Option kOptions[] = {
    {"wal_sync",
     [](OpenOptions* o, const py::handle& v) {
       o->storage.wal_sync = SyncPolicy(v);
     }},
    {"wal_sync_interval_ms",
     [](OpenOptions* o, const py::handle& v) {
       o->storage.wal_sync_interval_ms = Int(v);
     }},
    {"wal_compression",
     [](OpenOptions* o, const py::handle& v) {
       o->storage.wal_compression = Bool(v);
     }},
    {"wal_segment_bytes",
     [](OpenOptions* o, const py::handle& v) {
       o->storage.wal_segment_bytes = Int(v);
     }},
    {"block_duration_ms",
     [](OpenOptions* o, const py::handle& v) {
       o->storage.block_duration_ms = Int(v);
     }},
    {"retention_ms",
     [](OpenOptions* o, const py::handle& v) {
       o->storage.retention_ms = Int(v);
     }},
    {"retention_bytes",
     [](OpenOptions* o, const py::handle& v) {
       o->storage.retention_bytes = Int(v);
     }},
    {"background_compaction",
     [](OpenOptions* o, const py::handle& v) {
       o->storage.background_compaction = Bool(v);
     }},
    {"compaction_interval_ms",
     [](OpenOptions* o, const py::handle& v) {
       o->storage.compaction_interval_ms = Int(v);
     }},
    {"scrub_interval_ms",
     [](OpenOptions* o, const py::handle& v) {
       o->storage.scrub_interval_ms = Int(v);
     }},
    {"lookback_delta_ms",
     [](OpenOptions* o, const py::handle& v) {
       o->engine.lookback_delta_ms = Int(v);
     }},
    {"query_max_samples",
     [](OpenOptions* o, const py::handle& v) {
       o->engine.max_samples = Int(v);
     }},
    {"query_max_memory_bytes",
     [](OpenOptions* o, const py::handle& v) {
       o->engine.max_memory_bytes = Int(v);
     }},
    {"query_timeout_ms",
     [](OpenOptions* o, const py::handle& v) {
       o->engine.timeout_ms = Int(v);
     }},
};

const Option* FindOption(std::string_view name) {
  for (const Option& option : kOptions) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

}  // namespace

OpenOptions OpenOptionsFromKwargs(const py::kwargs& kwargs) {
  OpenOptions out;
  for (const auto& [key, value] : kwargs) {
    const std::string name = key.cast<std::string>();
    const Option* option = FindOption(name);
    if (option == nullptr) {
      throw py::type_error("open() got an unexpected keyword argument '" +
                           name + "'");
    }
    try {
      option->set(&out, value);
    } catch (const py::cast_error&) {
      throw py::type_error(
          "open() option '" + name + "' got a " +
          std::string(py::str(value.get_type().attr("__name__"))));
    }
  }
  return out;
}

}  // namespace strata::python
