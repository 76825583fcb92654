"""Strata, the embedded time-series store, from Python.

    import numpy as np, strata
    with strata.open("/tmp/data") as db:
        db.append({"__name__": "up", "job": "a"},
                  np.array([1000, 2000], dtype=np.int64),
                  np.array([1.0, 0.0]))
        for labels, t, v in db.select('{__name__="up"}', 0, 10_000):
            ...
        result = db.query_range("up", 0, 10_000, 1000)

Times are Unix milliseconds (int). Storage and query work runs with the
GIL released. Failures raise strata.Error subclasses whose `code` is
Strata's status code name ("out_of_order", "invalid_argument", ...).
"""

from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np

from . import _strata
from ._strata import (Appender, CancelledError, CorruptionError,
                      DeadlineExceededError, DuplicateSampleError, Error,
                      FailedPreconditionError, InternalError,
                      InvalidArgumentError, NotFoundError, NotSupportedError,
                      OutOfBoundsError, OutOfOrderError,
                      ResourceExhaustedError, StorageIOError,
                      UnavailableError)

__all__ = [
    "open", "DB", "Appender", "QueryResult", "to_pandas", "Error",
    "CancelledError", "CorruptionError", "DeadlineExceededError",
    "DuplicateSampleError", "FailedPreconditionError", "InternalError",
    "InvalidArgumentError", "NotFoundError", "NotSupportedError",
    "OutOfBoundsError", "OutOfOrderError", "ResourceExhaustedError",
    "StorageIOError", "UnavailableError",
]

MIN_TIME = -(2**63)
MAX_TIME = 2**63 - 1

Series = Tuple[Dict[str, str], np.ndarray, np.ndarray]


def to_pandas(series: List[Series]):
    """One long DataFrame (labels as columns, then `timestamp` in ms and
    `value`) from select() or QueryResult.series. Needs pandas."""
    try:
        import pandas as pd
    except ImportError as e:
        raise ImportError("strata.to_pandas needs pandas "
                          "(apt-get install python3-pandas)") from e
    frames = []
    for labels, t, v in series:
        frame = pd.DataFrame({"timestamp": t, "value": v})
        for name, value in labels.items():
            frame.insert(0, name, value)
        frames.append(frame)
    if not frames:
        return pd.DataFrame({"timestamp": np.empty(0, np.int64),
                             "value": np.empty(0, np.float64)})
    return pd.concat(frames, ignore_index=True)


class QueryResult:
    """A PromQL result. `series` holds (labels, timestamps, values) per
    series for "vector" (one point each, at the query time) and "matrix";
    `scalar` for "scalar"; `string` for "string"."""

    def __init__(self, raw: tuple):
        (self.result_type, self.series, self.scalar, self.string, self.time,
         self.warnings) = raw

    def __iter__(self) -> Iterator[Series]:
        return iter(self.series)

    def __len__(self) -> int:
        return len(self.series)

    def __repr__(self) -> str:
        return (f"QueryResult(result_type={self.result_type!r}, "
                f"series={len(self.series)})")

    def to_pandas(self):
        return to_pandas(self.series)


class DB:
    """An open data directory; see strata.open. Usable from many threads.
    A context manager: closes on exit."""

    def __init__(self, impl: "_strata.DB"):
        self._impl = impl

    def append(self, labels: Dict[str, str], timestamps, values) -> None:
        """Appends one series' samples (int64 ms, float64) and commits:
        all or none. int64/float64 C-contiguous arrays are read in place."""
        self._impl.append(labels, timestamps, values)

    def appender(self) -> Appender:
        """A batch across series: append(...)* then commit() or
        rollback(); a refused sample rolls the whole batch back."""
        return self._impl.appender()

    def select(self, matchers, start: int = MIN_TIME,
               end: int = MAX_TIME) -> List[Series]:
        """Series matching `matchers` (a PromQL selector such as
        '{__name__="up", job=~"a.*"}', or a dict of equalities) with their
        samples in [start, end], sorted by labels."""
        return self._impl.select(matchers, start, end)

    def query(self, query: str, time: int) -> QueryResult:
        """Evaluates PromQL at `time` (ms)."""
        return QueryResult(self._impl._query(query, time))

    def query_range(self, query: str, start: int, end: int,
                    step: int) -> QueryResult:
        """Evaluates PromQL at start, start+step, ... <= end (ms)."""
        return QueryResult(self._impl._query_range(query, start, end, step))

    def snapshot(self, dir: str, with_head: bool = True) -> None:
        """Writes an openable copy of the data to `dir`."""
        self._impl.snapshot(dir, with_head)

    def compact(self) -> None:
        self._impl.compact()

    def stats(self) -> Dict[str, int]:
        return self._impl.stats()

    def close(self) -> None:
        """Flushes and syncs the WAL; idempotent. Later calls raise
        UnavailableError."""
        self._impl.close()

    @property
    def closed(self) -> bool:
        return self._impl.closed

    @property
    def path(self) -> str:
        return self._impl.path

    def __enter__(self) -> "DB":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def open(path: str, **options: Any) -> DB:
    """Opens or creates the data directory `path`. Options (all optional):
    wal_sync ("always" | "interval"), wal_sync_interval_ms,
    wal_compression, wal_segment_bytes, block_duration_ms, retention_ms,
    retention_bytes, background_compaction, compaction_interval_ms,
    scrub_interval_ms, and for PromQL lookback_delta_ms,
    query_max_samples, query_max_memory_bytes, query_timeout_ms."""
    return DB(_strata._open(path, **options))
