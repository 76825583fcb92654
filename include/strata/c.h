/* Strata's stable C ABI. Opaque handles, plain C types, no exceptions.
 *
 * Every function that can fail returns a strata_status_t; on failure,
 * strata_last_error() describes it (per thread, valid until the next call).
 * Thread-safety: as the C++ API: a db is shared, an appender or a series set
 * is used by one thread at a time. */
#ifndef STRATA_C_H_
#define STRATA_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  STRATA_OK = 0,
  STRATA_INVALID_ARGUMENT = 1,
  STRATA_NOT_FOUND = 2,
  STRATA_CORRUPTION = 3,
  STRATA_IO_ERROR = 4,
  STRATA_OUT_OF_ORDER = 5,
  STRATA_OUT_OF_BOUNDS = 6,
  STRATA_DUPLICATE_SAMPLE = 7,
  STRATA_UNAVAILABLE = 8,
  STRATA_OTHER_ERROR = 99
} strata_status_t;

typedef struct strata_db strata_db;
typedef struct strata_appender strata_appender;
typedef struct strata_series_set strata_series_set;

typedef struct {
  const char* name;
  const char* value;
} strata_label;

typedef enum {
  STRATA_MATCH_EQUAL = 0,
  STRATA_MATCH_NOT_EQUAL = 1,
  STRATA_MATCH_REGEX = 2,
  STRATA_MATCH_NOT_REGEX = 3
} strata_match_type;

typedef struct {
  strata_match_type type;
  const char* name;
  const char* value;
} strata_matcher;

const char* strata_last_error(void);

/* sync_always: non-zero for fsync on every commit, else interval (1 s). */
strata_status_t strata_open(const char* dir, int sync_always, strata_db** db);
/* Closes and frees; NULL is ignored. */
strata_status_t strata_close(strata_db* db);

strata_appender* strata_appender_new(strata_db* db);
void strata_appender_free(strata_appender* app);
/* Appends by labels; *ref (may be NULL) receives the series ref. */
strata_status_t strata_append(strata_appender* app, const strata_label* labels,
                              size_t n_labels, int64_t t_ms, double value,
                              uint64_t* ref);
strata_status_t strata_append_ref(strata_appender* app, uint64_t ref,
                                  int64_t t_ms, double value);
strata_status_t strata_commit(strata_appender* app);
void strata_rollback(strata_appender* app);

/* Series matching all matchers with samples in [mint, maxt], sorted. */
strata_status_t strata_select(strata_db* db, const strata_matcher* matchers,
                              size_t n_matchers, int64_t mint, int64_t maxt,
                              strata_series_set** set);
/* Advances to the next series; 0 at the end. */
int strata_series_next(strata_series_set* set);
/* Labels of the current series; valid until the next strata_series_next. */
size_t strata_series_labels(strata_series_set* set,
                            const strata_label** labels);
/* Copies up to cap samples of the current series starting at offset;
 * returns how many were copied. */
size_t strata_series_samples(strata_series_set* set, size_t offset, int64_t* ts,
                             double* vs, size_t cap);
void strata_series_set_free(strata_series_set* set);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_C_H_ */
