"""One rule for every output (portsim/writing.py): nothing of the user's is replaced or lost.

Through the command line: ``--force`` deletes only portsim's own files, at every depth; no
command writes over one of its own inputs (the scenario, its timetables, the state file, the
event log), whatever the name or link leading to it; a file is replaced only with ``--force``,
through its symbolic links and keeping its hard links; a file put into the output folder while
the run goes on is kept; study folders are replaced with ``--force`` like any other.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from robustness_helpers import SMALL, temporaries, tree

TIMETABLE = SMALL.replace("{kind: poisson, rate: 1/min}",
                          "{kind: timetable, file: flights.csv, repeat: 12h}")
FLIGHTS = "time,count,spread\n06:30,3,5min\n09:00,4,0\n"


def refused(result: Result, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    # One error; only warnings printed before it while the command ran (too few replications)
    before, found, _ = result.stderr.partition("error: ")
    assert found and (not before or before.startswith("warning: ")), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture
def with_timetable(tmp_path: Path) -> Path:
    (tmp_path / "flights.csv").write_text(FLIGHTS, encoding="utf-8")
    path = tmp_path / "timetabled.yaml"
    path.write_text(TIMETABLE, encoding="utf-8")
    return path


def run(cli: Callable[..., Result], scenario: Path, out: Path, *extra: str | Path) -> Result:
    return cli("run", scenario, "--out", out, "--workers", "1", "--replications", "2", *extra)


# ------------------------------------------------------------------- --force at every depth

#: A user's file deep in an output folder, and what the refusal names.
DEEP = {"states/notes.txt": "states/notes.txt",
        "states/mine/replication-0.yaml": "states/mine",
        ".partial/notes.txt": ".partial/notes.txt",
        ".partial/baseline/notes.txt": ".partial/baseline/notes.txt",
        "ports/North/notes.txt": "ports/North/notes.txt"}


@pytest.mark.parametrize("where", DEEP)
@pytest.mark.parametrize("force", [False, True])
def test_force_never_deletes_a_users_file_at_any_depth(cli: Callable[..., Result],
                                                       scenario: Path, tmp_path: Path,
                                                       where: str, force: bool) -> None:
    out = tmp_path / "out"
    assert run(cli, scenario, out, "--snapshot-at", "06:00").exit_code == 0
    assert (out / "states" / "replication-0.yaml").is_file()
    (out / "ports" / "North").mkdir(parents=True)
    (out / "ports" / "North" / "results.json").write_text("{}\n", encoding="utf-8")
    mine = out / where
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text("years of work\n", encoding="utf-8")
    before = tree(out)
    result = run(cli, scenario, out, *(["--force"] if force else []))
    refused(result, "did not write", DEEP[where])
    assert tree(out) == before


def test_a_link_inside_the_folder_is_never_followed(cli: Callable[..., Result],
                                                    scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(cli, scenario, out).exit_code == 0
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "replication-0.yaml").write_text("mine\n", encoding="utf-8")
    (out / "states").symlink_to(precious, target_is_directory=True)
    refused(run(cli, scenario, out, "--force"), "states")
    assert (precious / "replication-0.yaml").read_text(encoding="utf-8") == "mine\n"


def test_a_file_put_in_the_folder_during_the_run_is_kept(cli: Callable[..., Result],
                                                         scenario: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    from portsim.experiment import runner

    out = tmp_path / "out"
    assert run(cli, scenario, out).exit_code == 0
    real = runner.simulate

    def meanwhile(*args: Any, **kwargs: Any) -> Any:
        results = real(*args, **kwargs)
        (out / "notes.txt").write_text("written while it ran\n", encoding="utf-8")
        return results

    monkeypatch.setattr(runner, "simulate", meanwhile)
    message = refused(run(cli, scenario, out, "--force", "--seed", "5"), "notes.txt")
    assert "--resume" in message  # the replications are kept
    assert (out / "notes.txt").read_text(encoding="utf-8") == "written while it ran\n"
    assert temporaries(tmp_path) == []
    monkeypatch.setattr(runner, "simulate", real)
    (out / "notes.txt").unlink()  # moved away: the kept replications finish the run
    resumed = run(cli, scenario, out, "--force", "--resume", "--seed", "5")
    assert resumed.exit_code == 0, resumed.output
    assert '"seed": 5' in (out / "results.json").read_text(encoding="utf-8")
    assert temporaries(tmp_path) == [] and not (out / ".partial").exists()


# ------------------------------------------------------------------------ never an input

def test_the_state_a_run_starts_from_is_never_replaced(cli: Callable[..., Result],
                                                       scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(cli, scenario, out, "--snapshot-at", "06:00").exit_code == 0
    state = out / "states" / "replication-0.yaml"
    before = tree(out)
    result = run(cli, scenario, out, "--from-state", state, "--horizon", "2h", "--force")
    refused(result, "which this command reads", str(state.resolve()))
    assert tree(out) == before


def test_a_scenario_in_the_output_folder_is_never_replaced(cli: Callable[..., Result],
                                                           tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("{}\n", encoding="utf-8")
    (out / "variant.yaml").write_text(SMALL, encoding="utf-8")  # a name portsim writes too
    before = tree(out)
    refused(run(cli, out / "variant.yaml", out, "--force"), "which this command reads")
    assert tree(out) == before


@pytest.mark.parametrize("how", ["same name", "symbolic link", "hard link"])
def test_a_trace_never_replaces_a_timetable(cli: Callable[..., Result], with_timetable: Path,
                                            tmp_path: Path, how: str) -> None:
    timetable = tmp_path / "flights.csv"
    trace = {"same name": timetable, "symbolic link": tmp_path / "t.csv",
             "hard link": tmp_path / "t.csv"}[how]
    if how == "symbolic link":
        trace.symlink_to(timetable)
    elif how == "hard link":
        os.link(timetable, trace)
    result = run(cli, with_timetable, tmp_path / "out", "--trace", trace, "--force")
    refused(result, f"--trace {trace}", "which this command reads")
    assert timetable.read_text(encoding="utf-8") == FLIGHTS
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("out", ["log", "scenario", "timetable"])
def test_state_from_log_never_writes_over_what_it_reads(cli: Callable[..., Result],
                                                        with_timetable: Path, tmp_path: Path,
                                                        out: str) -> None:
    log = tmp_path / "log.csv"
    assert run(cli, with_timetable, tmp_path / "day", "--trace", log).exit_code == 0
    target = {"log": log, "scenario": with_timetable, "timetable": tmp_path / "flights.csv"}
    before = tree(tmp_path)
    result = cli("state-from-log", log, "--at", "08:00", "--scenario", with_timetable,
                 "--out", target[out], "--force")
    refused(result, "which this command reads")
    assert tree(tmp_path) == before


def test_a_trace_inside_the_output_folder_is_refused(cli: Callable[..., Result],
                                                     scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    refused(run(cli, scenario, out, "--trace", out / "events.csv"), "inside the output folder")
    assert not out.exists()


# ----------------------------------------------------------- replaced only with --force

def test_an_existing_trace_or_state_file_is_replaced_only_with_force(
        cli: Callable[..., Result], scenario: Path, tmp_path: Path) -> None:
    trace = tmp_path / "events.csv"
    trace.write_text("my own events\n", encoding="utf-8")
    refused(run(cli, scenario, tmp_path / "a", "--trace", trace),
            f"--trace {trace}: exists; use --force")
    assert trace.read_text(encoding="utf-8") == "my own events\n"
    assert not (tmp_path / "a").exists()  # refused before anything ran
    assert run(cli, scenario, tmp_path / "a", "--trace", trace, "--force").exit_code == 0
    assert trace.read_text(encoding="utf-8").startswith("time,entity,class,station,event\n")
    state = tmp_path / "now.yaml"
    state.write_text("# my notes\n", encoding="utf-8")
    refused(cli("state-from-log", trace, "--at", "06:00", "--out", state),
            f"--out {state}: exists; use --force")
    assert state.read_text(encoding="utf-8") == "# my notes\n"
    made = cli("state-from-log", trace, "--at", "06:00", "--out", state, "--force")
    assert made.exit_code == 0, made.output
    assert state.read_text(encoding="utf-8").startswith("# The state at 06:00")
    assert temporaries(tmp_path) == []


def test_a_replaced_file_keeps_its_links_and_permissions(cli: Callable[..., Result],
                                                         scenario: Path,
                                                         tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    assert run(cli, scenario, tmp_path / "day", "--trace", log).exit_code == 0
    # a hard link: every name sees the new state
    state = tmp_path / "now.yaml"
    state.write_text("# old\n", encoding="utf-8")
    state.chmod(0o640)
    other = tmp_path / "shared" / "now.yaml"
    other.parent.mkdir()
    os.link(state, other)
    assert cli("state-from-log", log, "--at", "06:00", "--out", state,
               "--force").exit_code == 0
    assert other.read_bytes() == state.read_bytes() != b"# old\n"
    assert os.stat(other).st_ino == os.stat(state).st_ino and os.stat(state).st_nlink == 2
    assert state.stat().st_mode & 0o777 == 0o640
    # a symbolic link: the file it names is written, the link stays
    real = tmp_path / "real.yaml"
    real.write_text("# old\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert cli("state-from-log", log, "--at", "07:00", "--out", link,
               "--force").exit_code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("# The state")
    assert temporaries(tmp_path) == []


def test_a_device_is_never_an_output(cli: Callable[..., Result], scenario: Path,
                                     tmp_path: Path) -> None:
    link = tmp_path / "full.csv"
    link.symlink_to("/dev/null")
    refused(run(cli, scenario, tmp_path / "out", "--trace", link, "--force"),
            "not a regular file")
    assert Path("/dev/null").is_char_device()


# ------------------------------------------------------------------------------- studies

STUDY = """\
name: One mini port
replications: 2
standard: 10min
ports:
  - name: North
    kind: land
    file: small.yaml
"""


def test_study_outputs_are_replaced_with_force(cli: Callable[..., Result], scenario: Path,
                                               tmp_path: Path) -> None:
    scenario.write_text(SMALL.replace("sla", "sla").replace("seed: 11", "seed: 11\nsla: 10min"),
                        encoding="utf-8")
    study = tmp_path / "study.yaml"
    study.write_text(STUDY, encoding="utf-8")
    out = tmp_path / "national"
    first = cli("study", study, "--out", out, "--workers", "1", "--no-plots")
    assert first.exit_code == 0, first.output
    before = tree(out)
    refused(cli("study", study, "--out", out, "--workers", "1", "--no-plots"),
            "already holds results; use --force")
    assert tree(out) == before
    again = cli("study", study, "--out", out, "--workers", "1", "--force")
    assert again.exit_code == 0, again.output
    assert (out / "within_standard.png").is_file() and (out / "study.json").is_file()
    (out / "ports" / "notes.txt").write_text("mine\n", encoding="utf-8")
    refused(cli("study", study, "--out", out, "--workers", "1", "--force"),
            "ports/notes.txt")
    assert (out / "ports" / "notes.txt").read_text(encoding="utf-8") == "mine\n"
