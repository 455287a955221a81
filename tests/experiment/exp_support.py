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


def bad_file_refused(command: str, file: Path, out: Path, *, line: int, field: str,
                     message: str, messages: int = 1) -> None:
    """``portsim COMMAND FILE --out OUT`` on a bad file: exit 2, no traceback, ``messages``
    lines, the first naming the file, the line and the field and saying ``message``, and
    no output folder."""
    from typer.testing import CliRunner

    from portsim.cli.main import app

    result = CliRunner().invoke(app, [command, str(file), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == messages, result.output
    assert lines[0].startswith(f"error: {file}:{line}: {field}: "), lines[0]
    assert message in lines[0]
    assert not out.exists()
