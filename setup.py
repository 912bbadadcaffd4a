"""Build of the optional C speedups; the project metadata lives in pyproject.toml.

`optional=True`: without a working compiler the build of the extension fails softly and
the package installs as pure Python (gateway/fix/codec.py and validation.py fall back).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "gateway.fix._speedups",
            ["gateway/fix/_speedups.c"],
            optional=True,
            extra_compile_args=["-O2"],
        ),
    ],
)
