#!/usr/bin/env python3
"""The Python bindings' figure: bench/db_batch_bench.cc's workload (same
series, timestamps, values, windows and commits) from NumPy through
strata.DB.append, then one strata.DB.select of every series.

Usage (after `make`; PYTHONPATH names the built package):
  PYTHONPATH=build/bindings/python /usr/bin/python3 bench/python_batch_bench.py \
      [series=1000] [samples_per_series=10000] [window=1000]
"""

import sys
import tempfile
import time

import numpy as np

import strata


def main():
    series, samples, window = ([int(a) for a in sys.argv[1:4]] +
                               [1000, 10000, 1000][len(sys.argv) - 1:])
    t = np.arange(samples, dtype=np.int64) * 1000
    i = np.arange(samples, dtype=np.int64)
    values = [((s * 17 + i * 31) % 1000) / 2.0 for s in range(series)]
    labels = [{"__name__": "bench", "series": str(s)} for s in range(series)]
    total = series * samples
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
            assert sum(len(ts) for _, ts, _ in got) == total
    print(f"python {series} series x {samples} samples, window {window}: "
          f"append {append_s:.3f} s ({total / append_s / 1e6:.2f} M samples/s), "
          f"select {select_s:.3f} s ({total / select_s / 1e6:.2f} M samples/s)")


if __name__ == "__main__":
    main()
