#include "remote_handler_harness.h"

#include "util/log.h"

namespace strata::fuzz {

RemoteHandlerHarness::RemoteHandlerHarness() {
  SetLogLevel(LogLevel::kError);
  metadata_ = std::make_unique<server::MetadataStore>(
      nullptr, scratch_.dir() + "/metadata");
}

void RemoteHandlerHarness::MaybeReset() {
  if (++inputs_ % kInputsPerDB != 0) return;
  SetDBs(nullptr);
  scratch_.Reset();
  SetDBs(scratch_.db());
}

void RemoteHandlerHarness::SetDBs(DB* db) {
  for (const auto& set_db : set_dbs_) set_db(db);
}

}  // namespace strata::fuzz
