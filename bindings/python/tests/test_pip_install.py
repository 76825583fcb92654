"""`pip install ./bindings/python` (README.md there) into a fresh venv,
then `import strata` from it, outside the build tree."""

import os
import pathlib
import shutil
import subprocess
import sys

import strata

PACKAGE_DIR = pathlib.Path(__file__).resolve().parents[1]


def build_dir():
    if "STRATA_BINARY_DIR" in os.environ:
        return os.environ["STRATA_BINARY_DIR"]
    # <build>/bindings/python/strata/__init__.py
    return str(pathlib.Path(strata.__file__).resolve().parents[3])


def test_pip_install_into_a_venv(tmp_path):
    source = tmp_path / "source"  # pip builds in the tree: not in ours.
    shutil.copytree(PACKAGE_DIR, source, ignore=shutil.ignore_patterns(
        "tests", "build", "*.egg-info", "__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages",
                    str(venv)], check=True)
    env = dict(os.environ, STRATA_BUILD_DIR=build_dir())
    env.pop("PYTHONPATH", None)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q",
                    "--no-build-isolation", "--no-deps", "--no-index",
                    str(source)], check=True, env=env, timeout=300)
    script = ("import numpy as np, strata, sys\n"
              "with strata.open(sys.argv[1]) as db:\n"
              "    db.append({'__name__': 'x'}, np.arange(3), np.ones(3))\n"
              "    [(labels, t, v)] = db.select('x')\n"
              "    print(strata.__file__, labels, t.sum(), v.sum())\n")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", script,
                          str(tmp_path / "data")], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True,
                         timeout=120)
    installed, rest = out.stdout.split(" ", 1)
    assert installed.startswith(str(venv))
    assert rest.strip() == "{'__name__': 'x'} 3 3.0"
    assert (pathlib.Path(installed).parent / "__init__.pyi").exists()
