/* Strata's stable C ABI (libstrata.so): opaque handles, plain C types, no
 * exceptions, only strata_* symbols. Build against it with
 * `pkg-config --cflags --libs strata` or CMake's strata::c target.
 *
 * Errors: every fallible call returns a strata_status_t (STRATA_OK = 0);
 * on failure strata_last_error() describes it. The message is per thread
 * and stays valid until the next failing call on that thread.
 *
 * Ownership: a handle returned through an out-parameter (strata_db,
 * strata_appender, strata_series_set, strata_string_list,
 * strata_query_result) belongs to the caller, who frees it with its own
 * _free/close function; NULL is ignored by each of them. Pointers into a handle
 * (labels, sample arrays) are borrowed and valid as stated at each function.
 * Input strings and arrays are copied when needed; the caller keeps them.
 *
 * Thread-safety: as the C++ API (include/strata/db.h). A strata_db is
 * shared by any number of threads; an appender, a series set and a query
 * result are used by one thread at a time. Free every appender, series set
 * and query result before closing their strata_db. */
#ifndef STRATA_C_H_
#define STRATA_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Mirrors strata::StatusCode (include/strata/status.h). */
typedef enum {
  STRATA_OK = 0,
  STRATA_INVALID_ARGUMENT = 1,
  STRATA_NOT_FOUND = 2,
  STRATA_CORRUPTION = 3,
  STRATA_IO_ERROR = 4,
  STRATA_OUT_OF_ORDER = 5,
  STRATA_OUT_OF_BOUNDS = 6,
  STRATA_DUPLICATE_SAMPLE = 7,
  STRATA_RESOURCE_EXHAUSTED = 8,
  STRATA_UNAVAILABLE = 9,
  STRATA_FAILED_PRECONDITION = 10,
  STRATA_NOT_SUPPORTED = 11,
  STRATA_CANCELLED = 12,
  STRATA_DEADLINE_EXCEEDED = 13,
  STRATA_INTERNAL = 14,
  STRATA_TOO_OLD_SAMPLE = 15,
  STRATA_OTHER_ERROR = 99
} strata_status_t;

typedef struct strata_options strata_options;
typedef struct strata_db strata_db;
typedef struct strata_appender strata_appender;
typedef struct strata_series_set strata_series_set;
typedef struct strata_query_result strata_query_result;

typedef struct {
  const char* name;
  const char* value;
} strata_label;

typedef enum {
  STRATA_MATCH_EQUAL = 0,     /* name="value" */
  STRATA_MATCH_NOT_EQUAL = 1, /* name!="value" */
  STRATA_MATCH_REGEX = 2,     /* name=~"value" (RE2, fully anchored) */
  STRATA_MATCH_NOT_REGEX = 3  /* name!~"value" */
} strata_match_type;

typedef struct {
  strata_match_type type;
  const char* name;
  const char* value;
} strata_matcher;

/* ---- Library, errors ---------------------------------------------------- */

/* The library's version, "MAJOR.MINOR.PATCH". Static storage. */
const char* strata_version(void);
/* The last failure's message on this thread ("" if none). */
const char* strata_last_error(void);
/* A stable lower-case name of a status, e.g. "out_of_order". Static. */
const char* strata_status_name(strata_status_t status);

/* ---- Options, open, close ----------------------------------------------- */

/* Defaults as strata::Options. Free with strata_options_free. NULL only if
 * out of memory. */
strata_options* strata_options_new(void);
void strata_options_free(strata_options* options);
/* Non-zero: Commit fsyncs before returning; else a background fsync every
 * wal_sync_interval_ms (default 1000). */
void strata_options_set_wal_sync_always(strata_options* options, int always);
void strata_options_set_wal_sync_interval_ms(strata_options* options,
                                             int64_t ms);
void strata_options_set_wal_compression(strata_options* options, int on);
void strata_options_set_block_duration_ms(strata_options* options, int64_t ms);
/* 0 disables time retention. */
void strata_options_set_retention_ms(strata_options* options, int64_t ms);
/* 0 disables size retention. */
void strata_options_set_retention_bytes(strata_options* options, int64_t bytes);
/* Zero: no background compaction; call strata_compact. */
void strata_options_set_background_compaction(strata_options* options, int on);
/* PromQL limits (0: no timeout). Defaults as strata-server's flags. */
void strata_options_set_query_timeout_ms(strata_options* options, int64_t ms);
void strata_options_set_query_max_samples(strata_options* options,
                                          int64_t samples);
void strata_options_set_query_lookback_delta_ms(strata_options* options,
                                                int64_t ms);

/* Opens or creates the data directory `dir`, replaying its WAL. `options`
 * may be NULL (defaults); it is copied. On success *db is the caller's. */
strata_status_t strata_open(const char* dir, const strata_options* options,
                            strata_db** db);
/* Flushes and syncs the WAL, then frees `db` (also when it fails). */
strata_status_t strata_close(strata_db* db);

/* ---- Appending ---------------------------------------------------------- */

/* A batch committed atomically. NULL only if out of memory. */
strata_appender* strata_appender_new(strata_db* db);
/* Drops uncommitted samples and frees. */
void strata_appender_free(strata_appender* app);
/* Appends one sample by labels (sorted and validated here); *ref (may be
 * NULL) receives the series' reference for strata_append_ref. Errors are
 * per sample and leave the batch usable: STRATA_OUT_OF_ORDER,
 * STRATA_OUT_OF_BOUNDS, STRATA_DUPLICATE_SAMPLE, STRATA_INVALID_ARGUMENT. */
strata_status_t strata_append(strata_appender* app, const strata_label* labels,
                              size_t n_labels, int64_t t_ms, double value,
                              uint64_t* ref);
/* STRATA_NOT_FOUND if `ref` is unknown (garbage collected): use labels. */
strata_status_t strata_append_ref(strata_appender* app, uint64_t ref,
                                  int64_t t_ms, double value);
/* Appends n samples (ts[i], vs[i]) of one series in order. Stops at the
 * first rejected sample and returns its error; *n_appended (may be NULL)
 * receives how many samples before it were appended (n on success). */
strata_status_t strata_append_batch(strata_appender* app,
                                    const strata_label* labels, size_t n_labels,
                                    const int64_t* ts, const double* vs,
                                    size_t n, size_t* n_appended);
/* One sample strata_append_refs refused. */
typedef struct {
  size_t index;           /* Its position in the call's arrays. */
  strata_status_t status; /* STRATA_OUT_OF_ORDER, STRATA_OUT_OF_BOUNDS,
                             STRATA_DUPLICATE_SAMPLE or STRATA_NOT_FOUND
                             (unknown ref: append that one by labels). */
} strata_sample_error;
/* Appends n samples (refs[i], ts[i], vs[i]), of any series, as n calls of
 * strata_append_ref would, but faster: the series of later samples are
 * loaded while earlier ones are checked. A refused sample does not stop
 * the call: the first errors_cap refusals are written to errors (NULL
 * allowed when errors_cap is 0) in index order, *n_errors (may be NULL)
 * receives how many there were, and every other sample is pending.
 * Returns STRATA_OK unless the call failed as a whole (then nothing was
 * appended by it): STRATA_INVALID_ARGUMENT for a NULL array with n > 0,
 * STRATA_UNAVAILABLE if the DB is closed. */
strata_status_t strata_append_refs(strata_appender* app, const uint64_t* refs,
                                   const int64_t* ts, const double* vs,
                                   size_t n, strata_sample_error* errors,
                                   size_t errors_cap, size_t* n_errors);
/* Writes the batch to the WAL and makes it visible; durable per the sync
 * option when STRATA_OK. The appender is empty and reusable either way. */
strata_status_t strata_commit(strata_appender* app);
/* Drops the pending samples. */
void strata_rollback(strata_appender* app);
/* Samples appended since the last commit or rollback. */
size_t strata_appender_pending(const strata_appender* app);

/* ---- Selecting ---------------------------------------------------------- */

/* Series matching every matcher with samples in [mint, maxt], sorted by
 * labels. At least one matcher must not match the empty string. */
strata_status_t strata_select(strata_db* db, const strata_matcher* matchers,
                              size_t n_matchers, int64_t mint, int64_t maxt,
                              strata_series_set** set);
/* Moves to the next series: 1, or 0 at the end or on error (see
 * strata_series_set_status). */
int strata_series_next(strata_series_set* set);
/* The current series' labels, sorted; *labels valid until the next
 * strata_series_next or free. Returns their count. */
size_t strata_series_labels(strata_series_set* set,
                            const strata_label** labels);
/* The current series' next sample: 1, or 0 at its end or on error. */
int strata_series_sample_next(strata_series_set* set, int64_t* t_ms,
                              double* value);
/* Copies the current series' next samples, at most `cap`, into ts and vs;
 * returns how many (0 at its end or on error). */
size_t strata_series_samples(strata_series_set* set, int64_t* ts, double* vs,
                             size_t cap);
/* STRATA_OK unless selecting or reading samples failed. */
strata_status_t strata_series_set_status(strata_series_set* set);
void strata_series_set_free(strata_series_set* set);

/* Sorted, unique label names, or values of label `name`, of the series
 * matching every matcher (all series when n_matchers is 0) with samples in
 * [mint, maxt]. */
typedef struct strata_string_list strata_string_list;
strata_status_t strata_label_names(strata_db* db,
                                   const strata_matcher* matchers,
                                   size_t n_matchers, int64_t mint,
                                   int64_t maxt, strata_string_list** names);
strata_status_t strata_label_values(strata_db* db, const char* name,
                                    const strata_matcher* matchers,
                                    size_t n_matchers, int64_t mint,
                                    int64_t maxt, strata_string_list** values);
size_t strata_string_list_size(const strata_string_list* list);
/* The i-th string, valid until the list is freed; NULL past the end. */
const char* strata_string_list_at(const strata_string_list* list, size_t i);
void strata_string_list_free(strata_string_list* list);

/* Marks the samples of matching series in [mint, maxt] deleted. */
strata_status_t strata_delete_series(strata_db* db,
                                     const strata_matcher* matchers,
                                     size_t n_matchers, int64_t mint,
                                     int64_t maxt);

/* ---- PromQL ------------------------------------------------------------- */

typedef enum {
  STRATA_VALUE_NONE = 0,
  STRATA_VALUE_VECTOR = 1, /* series with one point each, at the query time */
  STRATA_VALUE_SCALAR = 2, /* one series without labels, one point */
  STRATA_VALUE_MATRIX = 3, /* series sorted by labels, points by time */
  STRATA_VALUE_STRING = 4  /* strata_result_string */
} strata_value_type;

/* Evaluates `promql` at t_ms (Prometheus 2.42 semantics). Parse errors are
 * STRATA_INVALID_ARGUMENT, timeouts STRATA_DEADLINE_EXCEEDED. */
strata_status_t strata_query(strata_db* db, const char* promql, int64_t t_ms,
                             strata_query_result** result);
/* Evaluates at start, start+step, ... <= end; the result is a matrix. */
strata_status_t strata_query_range(strata_db* db, const char* promql,
                                   int64_t start_ms, int64_t end_ms,
                                   int64_t step_ms,
                                   strata_query_result** result);
strata_value_type strata_result_type(const strata_query_result* result);
/* How many series the result holds (a scalar: 1; a string: 0). */
size_t strata_result_series_count(const strata_query_result* result);
/* Series i's labels; *labels valid until the result is freed. Returns their
 * count. */
size_t strata_result_labels(const strata_query_result* result, size_t i,
                            const strata_label** labels);
/* Series i's points as two plain arrays of the returned length, valid until
 * the result is freed. */
size_t strata_result_points(const strata_query_result* result, size_t i,
                            const int64_t** ts, const double** vs);
/* A string result's value ("" otherwise); valid until freed. */
const char* strata_result_string(const strata_query_result* result);
void strata_result_free(strata_query_result* result);

/* ---- Maintenance: snapshot, backup, compaction, stats ------------------- */

/* A consistent, openable copy of the data in `dir` while ingest goes on;
 * with_head non-zero includes the head's samples. */
strata_status_t strata_snapshot(strata_db* db, const char* dir, int with_head);

/* Fields are only ever appended: pass sizeof(strata_backup_report). */
typedef struct {
  int64_t blocks_copied;
  int64_t blocks_skipped;
  int64_t bytes_copied;
  int64_t wal_segments_copied;
  int64_t wal_segments_removed;
} strata_backup_report;
/* Incremental backup into the data directory `dir` (see DB::Backup).
 * `report` may be NULL; report_size is sizeof(strata_backup_report). */
strata_status_t strata_backup(strata_db* db, const char* dir, int with_head,
                              strata_backup_report* report, size_t report_size);
/* Persists the head's complete block ranges, compacts, applies retention. */
strata_status_t strata_compact(strata_db* db);

/* Fields are only ever appended: pass sizeof(strata_stats). */
typedef struct {
  int64_t head_series;
  int64_t head_chunks;
  int64_t head_min_time;
  int64_t head_max_time;
  int64_t samples_appended;
  int64_t series_created;
  int64_t samples_out_of_order;
  int64_t samples_out_of_bounds;
  int64_t samples_duplicate;
  int64_t wal_bytes;
  int64_t wal_segments;
  int64_t wal_fsyncs;
  int64_t blocks;
  int64_t blocks_bytes;
  int64_t compactions;
  int64_t compaction_failures;
  int64_t corrupt_blocks;
} strata_stats;
/* Fills the first stats_size bytes of *stats (sizeof(strata_stats)). */
strata_status_t strata_get_stats(strata_db* db, strata_stats* stats,
                                 size_t stats_size);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_C_H_ */
