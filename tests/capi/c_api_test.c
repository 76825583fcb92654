/* The C ABI (include/strata/c.h) exercised from C11: open with options,
 * append (single, by ref, batch), rollback, commit, reopen, select, label
 * names and values, PromQL instant and range queries, stats, snapshot,
 * backup, deletion, errors.
 * Built in the tree against libstrata.so (tests/capi/CMakeLists.txt) and
 * against an installed prefix with pkg-config (tests/install/). Prints
 * "c api: ok" and exits 0 when every check passes. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/c.h"

static int failures = 0;
#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      fprintf(stderr, "%s:%d: CHECK failed: %s (%s)\n", __FILE__, __LINE__, \
              #cond, strata_last_error());                                  \
      ++failures;                                                           \
    }                                                                       \
  } while (0)

static const strata_label kSeriesC[] = {{"job", "c"}, {"__name__", "c_metric"}};
static const strata_label kSeriesD[] = {{"__name__", "c_metric"}, {"job", "d"}};

static strata_db* Open(const char* dir) {
  strata_options* options = strata_options_new();
  strata_options_set_wal_sync_always(options, 1);
  strata_options_set_background_compaction(options, 0);
  strata_options_set_query_timeout_ms(options, 60000);
  strata_db* db = NULL;
  CHECK(strata_open(dir, options, &db) == STRATA_OK);
  strata_options_free(options);
  return db;
}

/* Series c: 1000 -> 1.5, 2000 -> 2.5. Series d: t = 1000..1099 -> t. */
static void Append(strata_db* db) {
  strata_appender* app = strata_appender_new(db);
  CHECK(app != NULL);
  uint64_t ref = 0;
  CHECK(strata_append(app, kSeriesC, 2, 1000, 1.5, &ref) == STRATA_OK);
  CHECK(ref != 0);
  CHECK(strata_append_ref(app, ref, 2000, 2.5) == STRATA_OK);
  CHECK(strata_append_ref(app, ref, 1500, 9) == STRATA_OUT_OF_ORDER);
  CHECK(strcmp(strata_status_name(STRATA_OUT_OF_ORDER), "out_of_order") == 0);
  strata_label bad[] = {{"1bad", "x"}};
  CHECK(strata_append(app, bad, 1, 1000, 1, NULL) == STRATA_INVALID_ARGUMENT);
  CHECK(strlen(strata_last_error()) > 0);

  int64_t ts[100];
  double vs[100];
  for (int i = 0; i < 100; ++i) ts[i] = 1000 + i, vs[i] = 1000 + i;
  size_t appended = 0;
  CHECK(strata_append_batch(app, kSeriesD, 2, ts, vs, 100, &appended) ==
        STRATA_OK);
  CHECK(appended == 100);
  CHECK(strata_appender_pending(app) == 102);
  CHECK(strata_commit(app) == STRATA_OK);
  CHECK(strata_appender_pending(app) == 0);

  /* A batch stops at its first rejected sample; a rollback drops it. */
  int64_t late[] = {5000, 10};
  double late_vs[] = {1, 2};
  CHECK(strata_append_batch(app, kSeriesD, 2, late, late_vs, 2, &appended) ==
        STRATA_OUT_OF_ORDER);
  CHECK(appended == 1);
  strata_rollback(app);
  CHECK(strata_appender_pending(app) == 0);
  strata_appender_free(app);
}

/* strata_append_refs over series c and d as Append left them: every
 * refusal reported by index (the first errors_cap of them), nothing stored. */
static void AppendRefs(strata_db* db) {
  strata_appender* app = strata_appender_new(db);
  CHECK(app != NULL);
  uint64_t c = 0, d = 0;
  CHECK(strata_append(app, kSeriesC, 2, 2000, 2.5, &c) == STRATA_OK);
  CHECK(strata_append(app, kSeriesD, 2, 1099, 1099, &d) == STRATA_OK);
  uint64_t refs[] = {c, c, d, 424242, d};
  int64_t ts[] = {1000, 2000, 1050, 1, 999};
  double vs[] = {1.5, 7, 1050, 0, 5};
  strata_sample_error errors[3];
  size_t n_errors = 0;
  CHECK(strata_append_refs(app, refs, ts, vs, 5, errors, 3, &n_errors) ==
        STRATA_OK);
  CHECK(n_errors == 5);
  CHECK(errors[0].index == 0 && errors[0].status == STRATA_OUT_OF_ORDER);
  CHECK(errors[1].index == 1 && errors[1].status == STRATA_DUPLICATE_SAMPLE);
  CHECK(errors[2].index == 2 && errors[2].status == STRATA_OUT_OF_ORDER);
  CHECK(strata_appender_pending(app) == 0);
  /* Newer samples are pending until the rollback. */
  int64_t newer[] = {3000, 3000};
  uint64_t both[] = {c, d};
  CHECK(strata_append_refs(app, both, newer, vs, 2, NULL, 0, &n_errors) ==
        STRATA_OK);
  CHECK(n_errors == 0);
  CHECK(strata_appender_pending(app) == 2);
  strata_rollback(app);
  CHECK(strata_append_refs(app, NULL, ts, vs, 1, NULL, 0, NULL) ==
        STRATA_INVALID_ARGUMENT);
  CHECK(strata_append_refs(app, refs, ts, vs, 0, NULL, 0, NULL) == STRATA_OK);
  strata_appender_free(app);
}

static void CheckStats(strata_db* db) {
  strata_stats stats;
  memset(&stats, 0, sizeof(stats));
  CHECK(strata_get_stats(db, &stats, sizeof(stats)) == STRATA_OK);
  CHECK(stats.head_series == 2);
  CHECK(stats.head_min_time == 1000 && stats.head_max_time == 2000);
}

/* Returns the number of series c_metric{job=~"c|d"} has in [mint, maxt]. */
static int Select(strata_db* db, int64_t mint, int64_t maxt) {
  strata_matcher m[] = {{STRATA_MATCH_REGEX, "job", "c|d"},
                        {STRATA_MATCH_EQUAL, "__name__", "c_metric"}};
  strata_series_set* set = NULL;
  CHECK(strata_select(db, m, 2, mint, maxt, &set) == STRATA_OK);
  int series = 0;
  while (set != NULL && strata_series_next(set)) {
    ++series;
    const strata_label* ls = NULL;
    CHECK(strata_series_labels(set, &ls) == 2);
    CHECK(strcmp(ls[0].name, "__name__") == 0);
    CHECK(strcmp(ls[0].value, "c_metric") == 0);
    if (strcmp(ls[1].value, "c") == 0) {
      int64_t t = 0;
      double v = 0;
      CHECK(strata_series_sample_next(set, &t, &v) == 1);
      CHECK(t == 1000 && v == 1.5);
      CHECK(strata_series_sample_next(set, &t, &v) == 1);
      CHECK(t == 2000 && v == 2.5);
      CHECK(strata_series_sample_next(set, &t, &v) == 0);
    } else {
      int64_t ts[64];
      double vs[64];
      size_t total = 0, n;
      while ((n = strata_series_samples(set, ts, vs, 64)) > 0) {
        CHECK(ts[0] == 1000 + (int64_t)total && vs[n - 1] == ts[n - 1]);
        total += n;
      }
      CHECK(total == 100);
    }
  }
  CHECK(strata_series_set_status(set) == STRATA_OK);
  strata_series_set_free(set);
  return series;
}

/* The value of a query returning one sample at t_ms; -1 otherwise. */
static double QueryValue(strata_db* db, const char* promql, int64_t t_ms) {
  strata_query_result* r = NULL;
  CHECK(strata_query(db, promql, t_ms, &r) == STRATA_OK);
  const int64_t* ts = NULL;
  const double* vs = NULL;
  double value = -1;
  if (strata_result_series_count(r) == 1 &&
      strata_result_points(r, 0, &ts, &vs) == 1) {
    value = vs[0];
  }
  strata_result_free(r);
  return value;
}

static void Labels(strata_db* db) {
  strata_string_list* list = NULL;
  CHECK(strata_label_names(db, NULL, 0, 0, 10000, &list) == STRATA_OK);
  CHECK(strata_string_list_size(list) == 2);
  CHECK(strcmp(strata_string_list_at(list, 0), "__name__") == 0);
  CHECK(strcmp(strata_string_list_at(list, 1), "job") == 0);
  CHECK(strata_string_list_at(list, 2) == NULL);
  strata_string_list_free(list);
  strata_matcher not_c = {STRATA_MATCH_NOT_EQUAL, "job", "c"};
  CHECK(strata_label_values(db, "job", &not_c, 1, 0, 10000, &list) ==
        STRATA_OK);
  CHECK(strata_string_list_size(list) == 1);
  CHECK(strcmp(strata_string_list_at(list, 0), "d") == 0);
  strata_string_list_free(list);
}

static void Query(strata_db* db) {
  strata_query_result* r = NULL;
  CHECK(strata_query(db, "sum by (__name__) (c_metric)", 2000, &r) ==
        STRATA_OK);
  CHECK(strata_result_type(r) == STRATA_VALUE_VECTOR);
  CHECK(strata_result_series_count(r) == 1);
  const int64_t* ts = NULL;
  const double* vs = NULL;
  CHECK(strata_result_points(r, 0, &ts, &vs) == 1);
  CHECK(ts[0] == 2000 && vs[0] == 2.5 + 1099);
  const strata_label* ls = NULL;
  CHECK(strata_result_labels(r, 0, &ls) == 1);
  CHECK(strcmp(ls[0].name, "__name__") == 0);
  strata_result_free(r);

  CHECK(strata_query(db, "1 + 1", 0, &r) == STRATA_OK);
  CHECK(strata_result_type(r) == STRATA_VALUE_SCALAR);
  CHECK(strata_result_points(r, 0, &ts, &vs) == 1 && vs[0] == 2);
  strata_result_free(r);

  CHECK(strata_query(db, "\"text\"", 0, &r) == STRATA_OK);
  CHECK(strata_result_type(r) == STRATA_VALUE_STRING);
  CHECK(strcmp(strata_result_string(r), "text") == 0);
  strata_result_free(r);

  r = NULL;
  CHECK(strata_query(db, "sum(", 0, &r) == STRATA_INVALID_ARGUMENT);
  CHECK(r == NULL && strlen(strata_last_error()) > 0);

  CHECK(strata_query_range(db, "c_metric{job=\"c\"} * 2", 1000, 3000, 500,
                           &r) == STRATA_OK);
  CHECK(strata_result_type(r) == STRATA_VALUE_MATRIX);
  CHECK(strata_result_series_count(r) == 1);
  size_t n = strata_result_points(r, 0, &ts, &vs);
  CHECK(n == 5);
  if (n == 5) {
    CHECK(ts[0] == 1000 && vs[0] == 3 && ts[1] == 1500 && vs[1] == 3);
    CHECK(ts[2] == 2000 && vs[2] == 5 && ts[4] == 3000 && vs[4] == 5);
  }
  CHECK(strata_result_labels(r, 0, &ls) == 1); /* * drops __name__ */
  strata_result_free(r);
}

/* Snapshot and backup are openable data directories holding the data. */
static void CopyAndCheck(strata_db* db, const char* dir) {
  char snap[256], backup[256];
  snprintf(snap, sizeof(snap), "%s/snapshot", dir);
  snprintf(backup, sizeof(backup), "%s/backup", dir);
  CHECK(strata_snapshot(db, snap, 1) == STRATA_OK);
  strata_backup_report report;
  memset(&report, 0, sizeof(report));
  CHECK(strata_backup(db, backup, 1, &report, sizeof(report)) == STRATA_OK);
  CHECK(report.bytes_copied > 0);
  strata_db* copy = Open(snap);
  CHECK(Select(copy, 0, 10000) == 2);
  CHECK(strata_close(copy) == STRATA_OK);
  copy = Open(backup);
  CHECK(Select(copy, 0, 10000) == 2);
  CHECK(strata_close(copy) == STRATA_OK);
}

int main(void) {
  char dir[] = "/tmp/strata-c-api-XXXXXX";
  if (mkdtemp(dir) == NULL) return 2;
  char data[64];
  snprintf(data, sizeof(data), "%s/data", dir);
  CHECK(strlen(strata_version()) >= 5); /* "MAJOR.MINOR.PATCH" */

  /* Misuse is reported, not crashed on. */
  strata_db* db = NULL;
  CHECK(strata_open(NULL, NULL, &db) == STRATA_INVALID_ARGUMENT && !db);
  CHECK(strcmp(strata_last_error(), "dir is NULL") == 0);
  CHECK(strata_close(NULL) == STRATA_OK);
  CHECK(strata_select(NULL, NULL, 0, 0, 1, NULL) == STRATA_INVALID_ARGUMENT);
  CHECK(strcmp(strata_status_name(STRATA_INTERNAL), "internal") == 0);

  db = Open(data);
  Append(db);
  AppendRefs(db);
  CheckStats(db);
  CHECK(strata_close(db) == STRATA_OK);

  db = Open(data); /* from the WAL */
  CHECK(Select(db, 0, 10000) == 2);
  CHECK(Select(db, 3000, 4000) == 0);
  Labels(db);
  Query(db);
  CopyAndCheck(db, dir);
  strata_matcher d = {STRATA_MATCH_EQUAL, "job", "d"};
  CHECK(strata_delete_series(db, &d, 1, 0, 10000) == STRATA_OK);
  CHECK(QueryValue(db, "count(c_metric)", 2000) == 1);
  strata_series_set* set = NULL;
  strata_matcher empty = {STRATA_MATCH_EQUAL, "job", ""};
  CHECK(strata_select(db, &empty, 1, 0, 1, &set) == STRATA_INVALID_ARGUMENT);
  CHECK(strata_close(db) == STRATA_OK);

  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  if (system(cmd) != 0) return 2;
  printf("c api: %s\n", failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
