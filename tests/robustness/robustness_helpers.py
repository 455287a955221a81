"""Helpers of the robustness tests: a small valid scenario and the checks every bad input must
pass (exit code 2, one located message, no traceback)."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result

#: A small valid scenario: one station, one class, half a day, quick to run.
SMALL = """\
name: small
time:
  horizon: 12h
  warmup: 1h
replications: 3
seed: 11
stations:
  desk:
    servers: 2
    service: {dist: exponential, mean: 1min}
classes:
  pax:
    arrivals: {kind: poisson, rate: 1/min}
    route: [desk]
"""

LIMIT_VARIABLES = (
    "PORTSIM_MAX_FILE_BYTES", "PORTSIM_MAX_CSV_BYTES", "PORTSIM_MAX_CSV_ROWS", "PORTSIM_MAX_DEPTH",
    "PORTSIM_MAX_NODES", "PORTSIM_MAX_HORIZON", "PORTSIM_MAX_ENTITIES", "PORTSIM_MAX_REPLICATIONS",
    "PORTSIM_MAX_TASKS", "PORTSIM_MAX_LOG_BYTES",
)


def assert_bad_input(result: Result, file: Path | str, *fragments: str, line: int | None = None,
                     path: str | None = None) -> str:
    """Exit code 2, no traceback, and one message naming the file (and the line and field path
    when given) holding every fragment. Returns the message."""
    output = result.output
    assert result.exit_code == 2, output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in output
    message = result.stderr
    assert message.startswith("error: "), message
    where = f"{file}:{line}: " if line is not None else f"{file}"
    assert where in message, message
    if path is not None:
        assert f": {path}: " in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder or a link)."""
    return {str(path.relative_to(folder)): None if path.is_dir() or path.is_symlink()
            else path.read_bytes() for path in sorted(folder.rglob("*"))}


def temporaries(folder: Path) -> list[str]:
    """portsim's temporaries (``.portsim-tmp-…``, ``.portsim-old-…``, and a trace's
    ``.NAME.partial-PID…`` of before) anywhere under ``folder``."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob(".*")
                  if path.name.startswith(".portsim-") or ".partial-" in path.name)
