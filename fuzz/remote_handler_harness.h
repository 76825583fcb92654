// RemoteHandlerHarness: what the fuzz targets that ingest through a remote
// handler (remote_write_fuzzer, otlp_fuzzer) share: logging quieted to
// errors, a ScratchDB, a metrics registry and a metadata store for the
// handlers, and a reset of the DB every kInputsPerDB inputs (bounds the
// head's memory) with the handlers detached meanwhile.
//
//   RemoteHandlerHarness harness;
//   OtlpHandler handler(options, harness.registry(), harness.metadata());
//   harness.Attach(&handler);
//   ... per input: handler.Handle(request); harness.MaybeReset();
//
// The handlers must outlive the harness's use of them: declare them after
// it, so that they are destroyed first.
//
// Thread-safety: one thread.
#ifndef STRATA_FUZZ_REMOTE_HANDLER_HARNESS_H_
#define STRATA_FUZZ_REMOTE_HANDLER_HARNESS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "scratch_db.h"
#include "server/metrics/metrics.h"
#include "server/remote/metadata_store.h"
#include "strata/db.h"

namespace strata::fuzz {

class RemoteHandlerHarness {
 public:
  // Inputs between two resets of the DB.
  static constexpr int64_t kInputsPerDB = 4096;

  // Aborts if the scratch DB does not open (ScratchDB).
  RemoteHandlerHarness();
  RemoteHandlerHarness(const RemoteHandlerHarness&) = delete;
  RemoteHandlerHarness& operator=(const RemoteHandlerHarness&) = delete;

  // Points `handler` (anything with SetDB(DB*)) at the DB, now and after
  // every reset.
  template <typename Handler>
  void Attach(Handler* handler) {
    set_dbs_.push_back([handler](DB* db) { handler->SetDB(db); });
    handler->SetDB(scratch_.db());
  }

  // Counts one input; after every kInputsPerDB-th, detaches the handlers,
  // replaces the DB with an empty one and attaches them again.
  void MaybeReset();

  server::MetricsRegistry* registry() { return &registry_; }
  server::MetadataStore* metadata() { return metadata_.get(); }

 private:
  void SetDBs(DB* db);

  ScratchDB scratch_;
  server::MetricsRegistry registry_;
  std::unique_ptr<server::MetadataStore> metadata_;
  std::vector<std::function<void(DB*)>> set_dbs_;  // One per handler.
  int64_t inputs_ = 0;
};

}  // namespace strata::fuzz

#endif  // STRATA_FUZZ_REMOTE_HANDLER_HARNESS_H_
