"""Packages the extension module CMake built (target strata_python) with
the pure-Python files; it compiles nothing. See README.md."""

import glob
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_DIR = os.environ.get("STRATA_BUILD_DIR",
                           os.path.join(HERE, "..", "..", "build"))


class BuildPyWithExtension(build_py):
    """build_py, then the prebuilt strata/_strata*.so copied beside it."""

    def run(self):
        super().run()
        pattern = os.path.join(BUILD_DIR, "bindings", "python", "strata",
                               "_strata*.so")
        built = glob.glob(pattern)
        if not built:
            raise SystemExit(
                f"no extension module at {pattern}: run `make` (or cmake "
                "--build build --target strata_python) first, or point "
                "STRATA_BUILD_DIR at the build directory")
        for path in built:
            shutil.copy2(path, os.path.join(self.build_lib, "strata"))


class BinaryDistribution(Distribution):
    """A platform wheel: the package carries a compiled module."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildPyWithExtension},
      distclass=BinaryDistribution)
