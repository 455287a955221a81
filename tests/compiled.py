"""The marker of tests that compare a compiled loop with its Python twin: they need the C
extension, which an install without a C compiler goes on without (CI builds it and sets
PORTSIM_REQUIRE_COMPILED=1, so tests/unit/test_kernels.py fails there if it is missing)."""

from __future__ import annotations

import pytest

from portsim.engine import kernels

needs_compiled = pytest.mark.skipif(
    not kernels.COMPILED, reason="the C extension was not built (no C compiler at install)")
