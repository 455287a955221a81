"""The one thing pyproject.toml does not declare: the C extension (setuptools still calls its
``[tool.setuptools.ext-modules]`` table experimental).

``portsim/_kernels.c`` holds the fast path's per-customer loops. It is optional: without a C
compiler the build goes on and portsim runs the same loops in Python, with the same results
(portsim/engine/kernels.py, portsim/engine/kernels_giving.py).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("portsim._kernels", ["portsim/_kernels.c"], optional=True)])
