#!/usr/bin/env python3
"""The Python bindings' figure: bench/db_batch_bench.cc's workload (same
series, timestamps, values, windows and commits) from NumPy through
strata.DB.append, then one strata.DB.select of every series.
bench/python_http_bench.py runs the same job through strata-server's HTTP
API and imports the workload from here.

Usage (after `make`; PYTHONPATH names the built package):
  PYTHONPATH=build/bindings/python /usr/bin/python3 bench/python_batch_bench.py \
      [series=1000] [samples_per_series=10000] [window=1000]
"""

import sys
import tempfile
import time

import numpy as np


def parse_args(argv):
    """(series, samples_per_series, window) from argv, with the defaults."""
    return tuple([int(a) for a in argv[:3]] + [1000, 10000, 1000][len(argv):])


def workload(series, samples):
    """The timestamps (ms, 1 s apart; shared), each series' values and
    labels of db_batch_bench.cc."""
    t = np.arange(samples, dtype=np.int64) * 1000
    i = np.arange(samples, dtype=np.int64)
    values = [((s * 17 + i * 31) % 1000) / 2.0 for s in range(series)]
    labels = [{"__name__": "bench", "series": str(s)} for s in range(series)]
    return t, values, labels


def run_binding(series, samples, window):
    """Appends the workload window by window (one append of `window`
    samples of one series each, every series in turn), then selects all of
    it back; returns (append seconds, select seconds)."""
    import strata  # noqa: PLC0415  (only this benchmark needs the package)
    t, values, labels = workload(series, samples)
    with tempfile.TemporaryDirectory(prefix="strata-bench-") as tmp:
        with strata.open(tmp) as db:
            start = time.perf_counter()
            for begin in range(0, samples, window):
                end = min(begin + window, samples)
                for s in range(series):
                    db.append(labels[s], t[begin:end], values[s][begin:end])
            append_s = time.perf_counter() - start
            start = time.perf_counter()
            got = db.select({"__name__": "bench"})
            select_s = time.perf_counter() - start
            assert sum(len(ts) for _, ts, _ in got) == series * samples
    return append_s, select_s


def rate(total, seconds):
    return f"{seconds:.3f} s ({total / seconds / 1e6:.2f} M samples/s)"


def main():
    series, samples, window = parse_args(sys.argv[1:])
    append_s, select_s = run_binding(series, samples, window)
    total = series * samples
    print(f"python {series} series x {samples} samples, window {window}: "
          f"append {rate(total, append_s)}, select {rate(total, select_s)}")


if __name__ == "__main__":
    main()
