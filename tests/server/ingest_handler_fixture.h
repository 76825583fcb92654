// What the tests of the ingesting handlers (remote write: 1.0/2.0,
// hardening, HA; OTLP) share: the handler over a real DB (TempDB) with
// its metrics registry and metadata store, reading back what was stored,
// and reading a metric's value from the registry.
#ifndef STRATA_TESTS_SERVER_INGEST_HANDLER_FIXTURE_H_
#define STRATA_TESTS_SERVER_INGEST_HANDLER_FIXTURE_H_

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "remote_test_util.h"
#include "server/metrics/metrics.h"
#include "server/remote/metadata_store.h"

namespace strata::server::testing {

// The value of the series rendered exactly as `series` (name and labels)
// in `registry`'s text format; "" if absent.
inline std::string MetricValue(const MetricsRegistry& registry,
                               const std::string& series) {
  const std::string text = registry.RenderText();
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return "";
  const size_t start = at + series.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

// A `Handler` (RemoteWriteHandler, OtlpHandler: built from its options,
// a registry and a metadata store, attached with SetDB) over tmp_'s DB.
// SetUp makes it with default options.
template <typename Handler, typename HandlerOptions>
class IngestHandlerFixture : public ::testing::Test {
 protected:
  void SetUp() override { MakeHandler(HandlerOptions{}); }

  // Replaces the handler by one with `options`, a fresh registry and the
  // metadata store reopened, attached to tmp_'s DB.
  void MakeHandler(HandlerOptions options) {
    handler_.reset();
    registry_ = std::make_unique<MetricsRegistry>();
    metadata_ =
        std::make_unique<MetadataStore>(nullptr, tmp_.dir() + "/metadata");
    handler_ =
        std::make_unique<Handler>(options, registry_.get(), metadata_.get());
    handler_->SetDB(tmp_.db());
  }

  SampleMap Stored() { return ReadAll(tmp_.db(), AllSeries()); }

  TempDB tmp_;
  std::unique_ptr<MetricsRegistry> registry_;
  std::unique_ptr<MetadataStore> metadata_;
  std::unique_ptr<Handler> handler_;
};

}  // namespace strata::server::testing

#endif  // STRATA_TESTS_SERVER_INGEST_HANDLER_FIXTURE_H_
