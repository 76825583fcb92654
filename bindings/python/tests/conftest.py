"""Fixtures for the strata Python package's tests. ctest runs these with
the built package on PYTHONPATH (bindings/python/CMakeLists.txt)."""

import numpy as np
import pytest

import strata


@pytest.fixture
def db(tmp_path):
    with strata.open(str(tmp_path / "data")) as opened:
        yield opened


def series_samples(n, start=0, step=1000, seed=0):
    """n samples: timestamps start, start+step, ...; values from a seeded
    random walk (so each test's data is fixed)."""
    rng = np.random.default_rng(seed)
    t = start + step * np.arange(n, dtype=np.int64)
    v = np.cumsum(rng.normal(size=n))
    return t, v
