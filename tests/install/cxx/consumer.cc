// README.md's library example, as a program: appends two samples to
// ./data, selects them back and prints them, one line each.
#include <cstdio>

#include "strata/db.h"

namespace {

void Use(const strata::Labels& labels, int64_t t, double v) {
  std::printf("%s %lld %g\n", labels.ToString().c_str(),
              static_cast<long long>(t), v);
}

// Every fallible call returns a Status or a StatusOr; check it (value() on
// an error aborts the process).
strata::Status Example(int64_t t_ms, int64_t mint, int64_t maxt) {
  strata::Options options;  // WAL fsync policy, block duration, retention
  options.wal_sync = strata::WalSyncPolicy::kAlways;
  STRATA_ASSIGN_OR_RETURN(
      std::unique_ptr<strata::DB> db,
      strata::DB::Open(options, "./data"));  // replays the WAL

  std::unique_ptr<strata::Appender> app = db->NewAppender();  // one per thread
  STRATA_ASSIGN_OR_RETURN(
      strata::SeriesRef ref,
      app->Append(strata::Labels::Of({{"__name__", "up"}, {"job", "node"}}),
                  t_ms, 1.0));
  // Faster: by series ref. Out-of-order, out-of-bounds and duplicate
  // samples are rejected per sample with their own status codes.
  STRATA_RETURN_IF_ERROR(app->Append(ref, t_ms + 15000, 1.0).status());
  STRATA_RETURN_IF_ERROR(app->Commit());  // durable when it returns OK

  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<strata::Querier> q,
                          db->NewQuerier(mint, maxt));
  std::unique_ptr<strata::SeriesSet> set =
      q->Select({strata::Matcher::Equal("job", "node")});
  while (set->Next()) {
    std::unique_ptr<strata::SampleIterator> it = set->At().NewIterator();
    while (it->Next()) Use(set->At().labels(), it->t(), it->v());
    STRATA_RETURN_IF_ERROR(it->status());
  }
  STRATA_RETURN_IF_ERROR(set->status());
  return db->Close();
}

}  // namespace

int main() {
  strata::Status s = Example(1000, 0, 100000);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
