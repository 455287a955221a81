"""A write that fails (a full disk, simulated) leaves the previous file exactly as it was, no
temporary behind, and exits with code 1 (the machine refused), naming the file; a reader of
stdout that goes away ends the printout, not the command."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from robustness_helpers import SMALL, temporaries

ROOT = Path(__file__).parents[2]


def disk_full(*_: Any, **__: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def machine_refused(result: Result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: No space left on device"), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def run(cli: Callable[..., Result], scenario: Path, out: Path, *extra: str | Path) -> Result:
    return cli("run", scenario, "--out", out, "--replications", "2", *extra)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_trace_cut_short_by_a_full_disk(cli: Callable[..., Result], scenario: Path,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          workers: str) -> None:
    from portsim.experiment.trace import TraceWriter

    trace = tmp_path / "t.csv"
    assert run(cli, scenario, tmp_path / "first", "--trace", trace,
               "--workers", workers).exit_code == 0
    before = trace.read_bytes()
    real = TraceWriter.flush

    def half_then_full(self: TraceWriter) -> None:
        self._rows = self._rows[: len(self._rows) // 2]
        real(self)
        disk_full()

    monkeypatch.setattr(TraceWriter, "flush", half_then_full)  # workers fork with it
    result = run(cli, scenario, tmp_path / "second", "--trace", trace, "--force",
                 "--workers", workers, "--seed", "5")
    machine_refused(result, str(trace))
    assert trace.read_bytes() == before
    assert temporaries(tmp_path) == []
    assert not (tmp_path / "second" / "results.json").exists()


def test_a_state_file_cut_short_by_a_full_disk(cli: Callable[..., Result], scenario: Path,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "log.csv"
    assert run(cli, scenario, tmp_path / "day", "--trace", log, "--workers", "1").exit_code == 0
    state = tmp_path / "now.yaml"
    assert cli("state-from-log", log, "--at", "06:00", "--out", state).exit_code == 0
    before = state.read_bytes()
    real = Path.write_bytes

    def half_then_full(self: Path, data: bytes) -> int:
        real(self, data[: len(data) // 2])  # what still loads as a (wrong) state
        disk_full()
        return 0

    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    result = cli("state-from-log", log, "--at", "09:00", "--out", state, "--force")
    machine_refused(result)
    monkeypatch.undo()
    assert state.read_bytes() == before
    assert temporaries(tmp_path) == []
    # a new file cut short does not appear at all
    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    result = cli("state-from-log", log, "--at", "09:00", "--out", tmp_path / "new.yaml")
    monkeypatch.undo()
    machine_refused(result)
    assert not (tmp_path / "new.yaml").exists() and temporaries(tmp_path) == []


def test_a_state_file_that_fails_its_check_leaves_the_previous_one(
        cli: Callable[..., Result], scenario: Path, tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    assert run(cli, scenario, tmp_path / "day", "--trace", log, "--workers", "1").exit_code == 0
    state = tmp_path / "now.yaml"
    state.write_text("# the state I keep\n", encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(SMALL.replace("desk", "gate"), encoding="utf-8")  # other station names
    result = cli("state-from-log", log, "--at", "06:00", "--out", state, "--force",
                 "--scenario", other)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {state}:"), result.stderr  # named as itself
    assert state.read_text(encoding="utf-8") == "# the state I keep\n"
    assert temporaries(tmp_path) == []


def test_a_rename_that_fails_leaves_the_previous_file(cli: Callable[..., Result],
                                                      scenario: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import portsim.writing

    trace = tmp_path / "t.csv"
    trace.write_text("mine\n", encoding="utf-8")
    real = os.replace

    def refuse_the_trace(source: Any, target: Any) -> None:
        if Path(target) == trace:
            disk_full()
        real(source, target)

    monkeypatch.setattr(portsim.writing.os, "replace", refuse_the_trace)
    result = run(cli, scenario, tmp_path / "out", "--trace", trace, "--force",
                 "--workers", "1")
    machine_refused(result, str(trace))
    assert trace.read_text(encoding="utf-8") == "mine\n"
    assert temporaries(tmp_path) == []


def test_a_hard_linked_file_rewritten_in_place_is_restored_when_the_disk_fills(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import portsim.writing
    from portsim.writing import write_file

    path = tmp_path / "a.txt"
    path.write_bytes(b"old text\r\n")
    os.link(path, tmp_path / "b.txt")
    real = portsim.writing.shutil.copyfileobj
    calls: list[int] = []

    def first_fails(source: Any, target: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            target.write(source.read(3))
            disk_full()
        real(source, target)

    monkeypatch.setattr(portsim.writing.shutil, "copyfileobj", first_fails)
    with pytest.raises(OSError, match="No space"):
        write_file(path, b"a much longer new text\n", replace=True)
    assert path.read_bytes() == (tmp_path / "b.txt").read_bytes() == b"old text\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]
    monkeypatch.undo()
    write_file(path, b"new\n", replace=True)
    assert (tmp_path / "b.txt").read_bytes() == b"new\n" and os.stat(path).st_nlink == 2


def test_a_closed_stdout_ends_the_printout_not_the_command(scenario: Path,
                                                           tmp_path: Path) -> None:
    """``portsim run … | head -c0``: the reader is gone before anything is printed."""
    out = tmp_path / "out"
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "portsim", "run", str(scenario), "--out", str(out),
             "--workers", "1", "--replications", "2"], stdout=writer, stderr=subprocess.PIPE,
            text=True, timeout=300, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.close(writer)
    assert done.returncode == 1, done.stderr
    # the one error, after the warnings the run printed (2 replications are too few)
    assert done.stderr.count("error: ") == 1, done.stderr
    assert "\nerror: the standard output was closed" in "\n" + done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["results.json", "summary.csv",
                                                     "timings.json"]
