"""``portsim schema``: the JSON Schema of scenario files, for editor completion."""

from __future__ import annotations

import json
import sys


def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from portsim.document.json_schema import scenario_json_schema

    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")
