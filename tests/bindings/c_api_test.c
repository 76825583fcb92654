/* Exercises the C ABI from C: open, append, commit, reopen, select. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/c.h"

static int failures = 0;
#define CHECK(cond)                                               \
  do {                                                            \
    if (!(cond)) {                                                \
      fprintf(stderr, "%s:%d: CHECK failed: %s (%s)\n", __FILE__, \
              __LINE__, #cond, strata_last_error());              \
      ++failures;                                                 \
    }                                                             \
  } while (0)

int main(void) {
  char dir[] = "/tmp/strata-c-api-XXXXXX";
  if (mkdtemp(dir) == NULL) return 2;
  strata_db* db = NULL;
  CHECK(strata_open(dir, 1, &db) == STRATA_OK);
  strata_appender* app = strata_appender_new(db);
  strata_label labels[] = {{"job", "c"}, {"__name__", "c_metric"}};
  uint64_t ref = 0;
  CHECK(strata_append(app, labels, 2, 1000, 1.5, &ref) == STRATA_OK);
  CHECK(ref != 0);
  CHECK(strata_append_ref(app, ref, 2000, 2.5) == STRATA_OK);
  CHECK(strata_append_ref(app, ref, 1500, 9) == STRATA_OUT_OF_ORDER);
  strata_label bad[] = {{"1bad", "x"}};
  CHECK(strata_append(app, bad, 1, 1000, 1, NULL) == STRATA_INVALID_ARGUMENT);
  CHECK(strlen(strata_last_error()) > 0);
  CHECK(strata_commit(app) == STRATA_OK);
  strata_appender_free(app);
  CHECK(strata_close(db) == STRATA_OK);

  CHECK(strata_open(dir, 0, &db) == STRATA_OK);
  strata_matcher m = {STRATA_MATCH_REGEX, "job", "c|d"};
  strata_series_set* set = NULL;
  CHECK(strata_select(db, &m, 1, 0, 10000, &set) == STRATA_OK);
  int series = 0;
  while (set != NULL && strata_series_next(set)) {
    ++series;
    const strata_label* ls = NULL;
    size_t n = strata_series_labels(set, &ls);
    CHECK(n == 2);
    CHECK(strcmp(ls[0].name, "__name__") == 0 && strcmp(ls[0].value, "c_metric") == 0);
    int64_t ts[4];
    double vs[4];
    size_t k = strata_series_samples(set, 0, ts, vs, 4);
    CHECK(k == 2);
    CHECK(ts[0] == 1000 && vs[0] == 1.5 && ts[1] == 2000 && vs[1] == 2.5);
  }
  CHECK(series == 1);
  strata_series_set_free(set);
  CHECK(strata_close(db) == STRATA_OK);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  if (system(cmd) != 0) return 2;
  printf("c api: %s\n", failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
