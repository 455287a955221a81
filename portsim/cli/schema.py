"""``portsim schema``: the JSON Schema of scenario files, for editor completion."""

from __future__ import annotations

import json

from portsim.cli.common import user_errors, write_stdout


def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from portsim.document.json_schema import scenario_json_schema

    with user_errors():
        write_stdout(json.dumps(scenario_json_schema(), indent=2) + "\n")
