"""Where a timetable file may live, and what is read from it.

A scenario is untrusted input: its ``file:`` must not make portsim read (and echo in a message,
or inline into results.json) any file on the machine. A timetable must lie in the scenario's
folder or below it, symbolic links followed, unless ``PORTSIM_TIMETABLE_DIRS`` lists more
folders. Only regular files are read: a device never ends and a FIFO blocks in ``open()``. A
message quotes at most a short, visibly cut excerpt of a bad cell.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import SMALL, assert_bad_input

TIMETABLE = SMALL.replace("{kind: poisson, rate: 1/min}",
                          "{kind: timetable, file: FILE, repeat: 12h}")
LINE = 13  # of "arrivals:"
FIELD = "classes.pax.arrivals.file"
GOOD_CSV = "time,count,spread\n06:30,3,5min\n09:00,4,0\n"
SECRET = "PORTSIM_TEST_SECRET_" + "s3cr3t" * 20


def scenario(folder: Path, file: str) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(TIMETABLE.replace("FILE", file), encoding="utf-8")
    return path


def validate(path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``portsim validate`` in a fresh process, so that a hang is caught by its timeout."""
    return subprocess.run([sys.executable, "-m", "portsim", "validate", str(path)],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env}, check=False)


def test_a_timetable_outside_the_scenarios_folder_is_refused(
        cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "flights.csv").write_text(GOOD_CSV, encoding="utf-8")
    folder = tmp_path / "study"
    folder.mkdir()
    for written in ("../elsewhere/flights.csv", str(tmp_path / "elsewhere" / "flights.csv")):
        path = scenario(folder, written)
        assert_bad_input(cli("validate", path), path, "outside the scenario's folder",
                         "PORTSIM_TIMETABLE_DIRS", line=LINE, path=FIELD)
    # A link inside the folder to a file outside it is judged by where it leads.
    (folder / "flights.csv").symlink_to(tmp_path / "elsewhere" / "flights.csv")
    path = scenario(folder, "flights.csv")
    assert_bad_input(cli("validate", path), path, "outside the scenario's folder",
                     line=LINE, path=FIELD)
    # ... and an option allows more folders.
    monkeypatch.setenv("PORTSIM_TIMETABLE_DIRS", str(tmp_path / "elsewhere"))
    assert cli("validate", path).exit_code == 0


def test_a_timetable_in_a_sub_folder_is_read(cli: Callable[..., Result], tmp_path: Path,
                                             ) -> None:
    (tmp_path / "data" / "2026").mkdir(parents=True)
    (tmp_path / "data" / "2026" / "flights.csv").write_text(GOOD_CSV, encoding="utf-8")
    path = scenario(tmp_path, "data/2026/flights.csv")
    assert cli("validate", path).exit_code == 0


def test_system_files_are_neither_read_nor_echoed(cli: Callable[..., Result], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTSIM_TEST_SECRET", SECRET)
    for written in ("../../../../../../proc/self/environ", "/etc/passwd", "/etc/shadow",
                    "/etc/hostname"):
        path = scenario(tmp_path, written)
        message = assert_bad_input(cli("validate", path), path, "outside the scenario's folder",
                                   line=LINE, path=FIELD)
        assert SECRET not in message and "root:" not in message
        assert len(message) < 500, message


def test_a_device_is_refused_at_once(tmp_path: Path) -> None:
    path = scenario(tmp_path, "/dev/zero")
    result = validate(path, PORTSIM_TIMETABLE_DIRS="/dev")
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "flights.csv")
    result = validate(scenario(tmp_path, "flights.csv"))
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr and "Traceback" not in result.stderr


def test_a_file_read_past_its_stated_size_stops_at_the_limit(
        cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # /proc files state a size of 0 and then give more: the limit holds while reading.
    monkeypatch.setenv("PORTSIM_TEST_SECRET", SECRET)
    monkeypatch.setenv("PORTSIM_TIMETABLE_DIRS", "/proc")
    monkeypatch.setenv("PORTSIM_MAX_CSV_BYTES", "100")
    path = scenario(tmp_path, "/proc/self/environ")
    message = assert_bad_input(cli("validate", path), path, "more than the limit",
                               "PORTSIM_MAX_CSV_BYTES", line=LINE, path=FIELD)
    assert SECRET not in message


@pytest.mark.parametrize(("content", "fragment"), [
    ("root:$6$" + "x" * 200 + ":19000:0:99999:7:::\n06:30,3\n", "(227 characters, cut)"),
    ("time,count\n" + "9" * 300 + "min,3\n", "column 'time': not a time"),
    ("time,count,spread\n06:30,3," + "y" * 5000 + "\n", "(5,000 characters, cut)"),
], ids=["header", "time", "spread"])
def test_a_bad_cell_is_quoted_as_a_short_cut_excerpt(cli: Callable[..., Result],
                                                     tmp_path: Path, content: str,
                                                     fragment: str) -> None:
    (tmp_path / "flights.csv").write_text(content, encoding="utf-8")
    path = scenario(tmp_path, "flights.csv")
    message = assert_bad_input(cli("validate", path), path, fragment, line=LINE, path=FIELD)
    assert len(message) < 400, message
    assert "x" * 41 not in message and "9" * 41 not in message and "y" * 41 not in message
