"""Study files are held to the rules of scenario files: a port's ``file:`` may name only files in
the study's folder (or a folder of ``PORTSIM_STUDY_DIRS``), regular files only, and no other
file's contents are ever quoted; the work a study asks for is held to the limits before any
port file is read."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import SMALL, assert_bad_input

STUDY = """\
name: study
replications: 2
standard: 30min
ports:
  - name: North
    kind: land
    file: FILE
    copies: 2
"""
FILE_LINE = 7
SECRET = "PORTSIM_TEST_SECRET_" + "s3cr3t" * 20


def study(folder: Path, file: str, text: str = STUDY) -> Path:
    path = folder / "study.yaml"
    path.write_text(text.replace("FILE", file), encoding="utf-8")
    return path


def test_a_port_file_outside_the_studys_folder_is_refused_unread(
        cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elsewhere").mkdir()
    secret = tmp_path / "elsewhere" / "secret.yaml"
    secret.write_text(f"name: {SECRET}\npassword: {SECRET}\n", encoding="utf-8")
    folder = tmp_path / "study"
    folder.mkdir()
    for written in ("../elsewhere/secret.yaml", str(secret), "/etc/passwd",
                    "../../../../../../proc/self/environ"):
        path = study(folder, written)
        message = assert_bad_input(cli("study", path), path, "outside the study file's folder",
                                   "PORTSIM_STUDY_DIRS", line=FILE_LINE, path="ports.0.file")
        assert SECRET not in message and "root:" not in message
    # A link inside the folder to a file outside it is judged by where it leads.
    (folder / "port.yaml").symlink_to(secret)
    path = study(folder, "port.yaml")
    message = assert_bad_input(cli("study", path), path, "outside the study file's folder",
                               line=FILE_LINE, path="ports.0.file")
    assert SECRET not in message
    # ... and the variable allows more folders: then the file is read as a scenario.
    monkeypatch.setenv("PORTSIM_STUDY_DIRS", str(tmp_path / "elsewhere"))
    result = cli("study", path)
    assert result.exit_code == 2 and "outside the study" not in result.output


def test_a_port_file_in_a_sub_folder_is_read(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "ports").mkdir()
    (tmp_path / "ports" / "small.yaml").write_text(SMALL, encoding="utf-8")
    path = study(tmp_path, "ports/small.yaml")
    result = cli("study", path, "--out", tmp_path / "out", "--workers", "1", "--no-plots")
    assert result.exit_code == 0, result.output


def test_a_fifo_as_port_file_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "port.yaml")
    path = study(tmp_path, "port.yaml")
    # In a fresh process: opening a FIFO would block for ever.
    done = subprocess.run([sys.executable, "-m", "portsim", "study", str(path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "is not a regular file" in done.stderr and "Traceback" not in done.stderr


def test_study_replications_are_held_to_the_limit(cli: Callable[..., Result],
                                                   tmp_path: Path) -> None:
    (tmp_path / "small.yaml").write_text(SMALL, encoding="utf-8")
    path = study(tmp_path, "small.yaml", STUDY.replace("replications: 2",
                                                       "replications: 1000000000"))
    assert_bad_input(cli("study", path), path, "1,000,000,000 replications",
                     "PORTSIM_MAX_REPLICATIONS", line=2, path="replications")


def test_ports_times_copies_times_replications_are_held_to_the_task_limit(
        cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "small.yaml").write_text(SMALL, encoding="utf-8")
    ports = "".join(f"  - {{name: P{i}, kind: land, file: small.yaml, copies: 100}}\n"
                    for i in range(50))
    text = "name: big\nreplications: 10000\nports:\n" + ports
    path = study(tmp_path, "small.yaml", text)
    assert_bad_input(cli("study", path), path, "5,000 copies in all × 10,000 replications",
                     "50,000,000 replications", "PORTSIM_MAX_TASKS", line=2,
                     path="replications")
    # --replications overrides the file's count: the product is checked again, before the
    # output folder is touched.
    text = "name: big\nreplications: 2\nports:\n" + ports
    path = study(tmp_path, "small.yaml", text)
    result = cli("study", path, "--replications", "10000", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "50 ports (with their copies) × 10,000 replications" in result.stderr
    assert "PORTSIM_MAX_TASKS" in result.stderr and not (tmp_path / "out").exists()
