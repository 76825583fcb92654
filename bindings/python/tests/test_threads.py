"""Appends and selects from many Python threads, the GIL released while
Strata works."""

import threading
import time

import numpy as np

from conftest import series_samples

THREADS = 8
BATCHES = 20
BATCH = 5_000


def test_concurrent_appends_lose_nothing(db):
    errors = []

    def worker(k):
        try:
            app = db.appender()
            for b in range(BATCHES):
                t, v = series_samples(BATCH, start=b * BATCH, step=1, seed=k)
                db.append({"__name__": "m", "thread": str(k)}, t, v + k)
                app.append({"__name__": "n", "thread": str(k)}, t, v)
                app.commit()
                db.select({"__name__": "m", "thread": str(k)})
        except Exception as e:  # Reported below, failing the test.
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,))
               for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors
    got = db.select('{__name__=~"m|n"}')
    assert len(got) == 2 * THREADS
    for labels, t, v in got:
        assert len(t) == BATCHES * BATCH
        k = int(labels["thread"])
        parts = [series_samples(BATCH, start=b * BATCH, step=1, seed=k)
                 for b in range(BATCHES)]
        expected_v = np.concatenate([p[1] for p in parts])
        if labels["__name__"] == "m":
            expected_v = expected_v + k
        np.testing.assert_array_equal(t, np.arange(BATCHES * BATCH))
        np.testing.assert_array_equal(v, expected_v)


def test_gil_is_released_during_append(db):
    """While one thread appends a large batch, another runs Python code:
    it could not if the call held the GIL throughout."""
    t, v = series_samples(3_000_000, step=1, seed=3)
    window = {}

    def worker():
        window["start"] = time.perf_counter()
        db.append({"__name__": "big"}, t, v)
        window["end"] = time.perf_counter()

    ticks = []
    thread = threading.Thread(target=worker)
    thread.start()
    while thread.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.0005)
    thread.join()
    during = [x for x in ticks if window["start"] < x < window["end"]]
    assert len(during) >= 5, (len(during), window["end"] - window["start"])
