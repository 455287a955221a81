"""Property tests run under small entity limits, so that a mutation that asks for a huge run is
refused quickly instead of simulated for minutes."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

#: Entities one replication may bring, for documents generated here (small by construction;
#: mutations may ask for far more).
MAX_ENTITIES = 20_000


@pytest.fixture(autouse=True, scope="module")
def small_limits() -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in ("PORTSIM_MAX_ENTITIES",
                                                  "PORTSIM_MAX_REPLICATIONS")}
    os.environ["PORTSIM_MAX_ENTITIES"] = str(MAX_ENTITIES)
    os.environ["PORTSIM_MAX_REPLICATIONS"] = "1000"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
