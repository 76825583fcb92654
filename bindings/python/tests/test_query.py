"""PromQL through db.query / db.query_range, checked against values
computed here with NumPy from the appended arrays."""

import numpy as np
import pytest

import strata
from conftest import series_samples

LOOKBACK_MS = 5 * 60 * 1000
JOBS = ["a", "b", "c"]


@pytest.fixture
def loaded(db):
    """2.5 h of 15 s samples for three series, in one batch (appended one
    series after another, later series would be out of bounds)."""
    data = {}
    app = db.appender()
    for i, job in enumerate(JOBS):
        t, v = series_samples(600, step=15_000, seed=i)
        app.append({"__name__": "m", "job": job}, t, v)
        data[job] = (t, v)
    app.commit()
    return db, data


def latest_at(t, v, when):
    """The value an instant selector sees at `when`: the newest sample at
    or before it, within the lookback window; None if there is none."""
    i = np.searchsorted(t, when, side="right") - 1
    if i < 0 or when - t[i] >= LOOKBACK_MS:
        return None
    return v[i]


def test_instant_vector(loaded):
    db, data = loaded
    when = 1_000_000 + 7_000
    result = db.query("m * 2", when)
    assert result.result_type == "vector"
    assert len(result) == 3
    for labels, t, v in result:
        assert "__name__" not in labels  # Dropped by the operator.
        assert t.dtype == np.int64 and v.dtype == np.float64
        np.testing.assert_array_equal(t, [when])
        expected = 2 * latest_at(*data[labels["job"]], when)
        assert v[0] == pytest.approx(expected, rel=1e-12)


def test_scalar_and_string(loaded):
    db, _ = loaded
    result = db.query("scalar(count(m))", 1_000_000)
    assert result.result_type == "scalar" and result.scalar == 3
    result = db.query('"hello"', 1_000_000)
    assert result.result_type == "string" and result.string == "hello"


def test_range_query_sum_by_step(loaded):
    db, data = loaded
    start, end, step = 0, 9_000_000, 60_000
    result = db.query_range("sum(m)", start, end, step)
    assert result.result_type == "matrix"
    [(labels, t, v)] = result
    assert labels == {}
    steps = np.arange(start, end + 1, step, dtype=np.int64)
    expected = []
    for when in steps:
        seen = [latest_at(*data[job], when) for job in JOBS]
        seen = [x for x in seen if x is not None]
        if seen:
            expected.append((when, sum(seen)))
    np.testing.assert_array_equal(t, [when for when, _ in expected])
    np.testing.assert_allclose(v, [x for _, x in expected], rtol=1e-12)


def test_range_vector_instant_query_is_the_raw_samples(loaded):
    db, data = loaded
    when = 3_000_000
    result = db.query('m{job="b"}[10m]', when)
    assert result.result_type == "matrix"
    [(_, t, v)] = result
    ref_t, ref_v = data["b"]
    keep = (ref_t >= when - 600_000) & (ref_t <= when)  # Both ends, as 2.42.
    np.testing.assert_array_equal(t, ref_t[keep])
    np.testing.assert_array_equal(v, ref_v[keep])


def test_to_pandas(loaded):
    db, data = loaded
    result = db.query_range('m{job="a"}', 0, 600_000, 15_000)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pandas"):
            result.to_pandas()
        return
    frame = result.to_pandas()
    assert list(frame.columns) == ["__name__", "job", "timestamp", "value"]
    np.testing.assert_array_equal(frame["value"], data["a"][1][:41])
