"""Failures raise strata.Error subclasses carrying Strata's status code."""

import numpy as np
import pytest

import strata


def test_bad_matcher(db):
    with pytest.raises(strata.InvalidArgumentError) as e:
        db.select('{job=~"("}')
    assert e.value.code == "invalid_argument"
    assert isinstance(e.value, strata.Error)
    with pytest.raises(strata.InvalidArgumentError, match="parse error"):
        db.select("{job=")
    with pytest.raises(strata.InvalidArgumentError):
        db.select(42)


def test_bad_promql(db):
    with pytest.raises(strata.InvalidArgumentError, match="parse error") as e:
        db.query("sum(", 0)
    assert e.value.code == "invalid_argument"
    with pytest.raises(strata.InvalidArgumentError):
        db.query_range("rate(m)", 0, 1000, 100)  # Needs a range vector.


def test_closed_db(tmp_path):
    db = strata.open(str(tmp_path))
    app = db.appender()
    db.close()
    db.close()  # Idempotent.
    assert db.closed
    for call in [lambda: db.select("m"), lambda: db.query("m", 0),
                 lambda: db.append({"__name__": "m"}, [1], [1.0]),
                 lambda: db.snapshot(str(tmp_path / "s")), db.appender]:
        with pytest.raises(strata.UnavailableError) as e:
            call()
        assert e.value.code == "unavailable"
    with pytest.raises(strata.Error):
        app.append({"__name__": "m"}, [1], [1.0])
        app.commit()


def test_refused_sample_rolls_back_the_batch(db):
    db.append({"__name__": "m"}, [1000, 2000], [1.0, 2.0])
    with pytest.raises(strata.OutOfOrderError, match="sample 1 ") as e:
        db.append({"__name__": "m"}, [3000, 1500, 4000], [3.0, 1.5, 4.0])
    assert e.value.code == "out_of_order"
    [(_, t, _)] = db.select("m")
    np.testing.assert_array_equal(t, [1000, 2000])  # 3000 not committed.
    with pytest.raises(strata.DuplicateSampleError):
        db.append({"__name__": "m"}, [2000], [9.0])


def test_bad_arguments(db, tmp_path):
    with pytest.raises(strata.InvalidArgumentError, match="length"):
        db.append({"__name__": "m"}, [1, 2], [1.0])
    with pytest.raises(strata.InvalidArgumentError, match="1-D"):
        db.append({"__name__": "m"}, np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(strata.InvalidArgumentError):
        db.append({"0bad": "x"}, [1], [1.0])
    with pytest.raises(strata.InvalidArgumentError, match="must be str"):
        db.append({"__name__": 3}, [1], [1.0])
    with pytest.raises(TypeError, match="no_such_option"):
        strata.open(str(tmp_path / "x"), no_such_option=1)
    with pytest.raises(TypeError, match="retention_ms"):
        strata.open(str(tmp_path / "z"), retention_ms="15d")
    with pytest.raises(strata.InvalidArgumentError, match="wal_sync"):
        strata.open(str(tmp_path / "y"), wal_sync="sometimes")
