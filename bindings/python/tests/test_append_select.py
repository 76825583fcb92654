"""Append from NumPy and select back: values, dtypes, ranges, matchers."""

import numpy as np
import pytest

import strata
from conftest import series_samples


def test_round_trip_is_exact(db):
    t, v = series_samples(1000)
    v[10] = np.nan
    v[11] = np.inf
    db.append({"__name__": "m", "job": "a"}, t, v)
    [(labels, got_t, got_v)] = db.select('{__name__="m"}')
    assert labels == {"__name__": "m", "job": "a"}
    assert got_t.dtype == np.int64 and got_v.dtype == np.float64
    assert got_t.flags.c_contiguous and got_v.flags.c_contiguous
    np.testing.assert_array_equal(got_t, t)
    np.testing.assert_array_equal(got_v, v)  # NaN == NaN here.


def test_select_range_is_inclusive(db):
    t, v = series_samples(100)
    db.append({"__name__": "m"}, t, v)
    [(_, got_t, got_v)] = db.select("m", 10_000, 20_000)
    keep = (t >= 10_000) & (t <= 20_000)
    np.testing.assert_array_equal(got_t, t[keep])
    np.testing.assert_array_equal(got_v, v[keep])
    assert len(got_t) == 11


def test_matchers_as_selector_and_dict(db):
    for job in ["api", "app", "db"]:
        t, v = series_samples(5, seed=len(job) + ord(job[0]))
        db.append({"__name__": "up", "job": job}, t, v)
    jobs = [labels["job"] for labels, _, _ in
            db.select('{__name__="up", job=~"a.*"}')]
    assert jobs == ["api", "app"]  # Sorted by labels.
    jobs = [labels["job"] for labels, _, _ in db.select('up{job!="db"}')]
    assert jobs == ["api", "app"]
    [(labels, _, _)] = db.select({"__name__": "up", "job": "db"})
    assert labels == {"__name__": "up", "job": "db"}
    assert db.select({"__name__": "nothing"}) == []


def test_inputs_are_converted_when_not_int64_float64(db):
    t = np.arange(0, 10_000, 1000, dtype=np.int32)
    v = np.arange(10, dtype=np.float32)
    db.append({"__name__": "m"}, t, v)
    db.append({"__name__": "n"}, [0, 1000], [1, 2])  # Python lists too.
    strided = np.arange(40, dtype=np.int64)[::2] * 1000  # Not contiguous.
    db.append({"__name__": "s"}, strided, np.ones(20))
    [(_, got_t, got_v)] = db.select("m")
    np.testing.assert_array_equal(got_t, t.astype(np.int64))
    np.testing.assert_array_equal(got_v, v.astype(np.float64))
    [(_, got_t, got_v)] = db.select("n")
    np.testing.assert_array_equal(got_v, [1.0, 2.0])
    [(_, got_t, _)] = db.select("s")
    np.testing.assert_array_equal(got_t, strided)


def test_appender_batches_series_atomically(db):
    app = db.appender()
    t, v = series_samples(50)
    app.append({"__name__": "a"}, t, v)
    app.append({"__name__": "b"}, t, v * 2)
    assert app.pending == 100
    assert db.select('{__name__=~"a|b"}') == []  # Not visible before commit.
    app.commit()
    assert app.pending == 0
    got = db.select('{__name__=~"a|b"}')
    assert [labels["__name__"] for labels, _, _ in got] == ["a", "b"]
    np.testing.assert_array_equal(got[1][2], v * 2)
    app.append({"__name__": "c"}, t, v)
    app.rollback()
    assert app.pending == 0
    assert db.select("c") == []


def test_million_sample_batch(db):
    n = 1_000_000
    t, v = series_samples(n, step=1, seed=7)
    db.append({"__name__": "big"}, t, v)
    [(_, got_t, got_v)] = db.select("big")
    assert len(got_t) == n
    np.testing.assert_array_equal(got_t, t)
    np.testing.assert_array_equal(got_v, v)
    result = db.query("count_over_time(big[1000s])", int(t[-1]))
    assert result.series[0][2][0] == n


def test_data_survives_reopen_and_snapshot(tmp_path):
    t, v = series_samples(300)
    with strata.open(str(tmp_path / "data"), wal_sync="always") as db:
        db.append({"__name__": "m", "k": "v"}, t, v)
        db.snapshot(str(tmp_path / "snap"))
    for path in ["data", "snap"]:
        with strata.open(str(tmp_path / path)) as db:
            [(labels, got_t, got_v)] = db.select("m")
            assert labels == {"__name__": "m", "k": "v"}
            np.testing.assert_array_equal(got_t, t)
            np.testing.assert_array_equal(got_v, v)


def test_stats_count_appended_samples(db):
    t, v = series_samples(42)
    db.append({"__name__": "m"}, t, v)
    stats = db.stats()
    assert stats["samples_appended"] == 42
    assert stats["head_series"] == 1
    assert db.path.endswith("data")


def test_empty_append_stores_nothing(db):
    db.append({"__name__": "m"}, np.empty(0, np.int64), np.empty(0))
    assert db.select("m") == []
    assert db.stats()["samples_appended"] == 0
