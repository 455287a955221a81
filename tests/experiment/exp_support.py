"""Helpers shared by the experiment and CLI tests (a plain module: conftest files are not
importable by name when several test folders have one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini_port.yaml"
REPLICATIONS = 4


def canonical(data: Any) -> str:
    """What results.json would hold, as one string (NaN is not allowed there)."""
    return json.dumps(data, sort_keys=True, indent=2, allow_nan=False)
