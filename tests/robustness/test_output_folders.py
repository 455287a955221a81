"""``--force`` replaces only portsim's own results: a folder holding anything else (the scenario,
a user's notes, sub-folders) is refused with exit code 2 and left exactly as it was, and a
symbolic link is judged by the folder it points to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import SMALL, tree

from portsim.report.files import foreign_entries

#: SMALL with a variant, so that ``compare`` has something to compare.
SCENARIO = SMALL + "variants:\n  more:\n    stations: {desk: {servers: 3}}\n"
COMMANDS = {
    "run": ("run",),
    "compare": ("compare", "--no-plots"),
    "sweep": ("sweep", "--set", "stations.desk.servers=2", "--replications", "2"),
}


def refused(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "did not write" in result.stderr and "already holds results" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("force", [False, True])
def test_a_folder_with_foreign_files_is_never_replaced(cli: Callable[..., Result],
                                                       tmp_path: Path, monkeypatch:
                                                       pytest.MonkeyPatch, command: str,
                                                       force: bool) -> None:
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (work / "small.yaml").write_text(SCENARIO, encoding="utf-8")
    (work / "notes.txt").write_text("mine\n", encoding="utf-8")
    (work / "sub" / "data.csv").write_text("1,2\n", encoding="utf-8")
    (work / "results.json").write_text("{}\n", encoding="utf-8")  # one result file among them
    before = tree(work)
    monkeypatch.chdir(work)
    name, *extra = COMMANDS[command]
    result = cli(name, "small.yaml", "--out", ".", "--workers", "1", *extra,
                 *(["--force"] if force else []))
    message = refused(result)
    assert "notes.txt" in message and "small.yaml" in message and "sub" in message
    assert tree(work) == before
    assert [p.name for p in tmp_path.iterdir()] == ["work"]  # no staging folder left


@pytest.mark.parametrize("force", [False, True])
def test_a_symlinked_out_is_judged_by_its_target(cli: Callable[..., Result], tmp_path: Path,
                                                 force: bool) -> None:
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL, encoding="utf-8")
    target = tmp_path / "precious"
    target.mkdir()
    (target / "thesis.tex").write_text("years of work\n", encoding="utf-8")
    link = tmp_path / "out"
    link.symlink_to(target, target_is_directory=True)
    before = tree(target)
    result = cli("run", scenario, "--out", link, "--workers", "1",
                 *(["--force"] if force else []))
    assert "thesis.tex" in refused(result)
    assert tree(target) == before and link.is_symlink()


def test_force_still_replaces_an_earlier_runs_results(cli: Callable[..., Result],
                                                      tmp_path: Path) -> None:
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "out"
    assert cli("run", scenario, "--out", out, "--workers", "1").exit_code == 0
    first = tree(out)
    result = cli("run", scenario, "--out", out, "--workers", "1", "--seed", "5")
    assert result.exit_code == 2 and "already holds results; use --force" in result.stderr
    assert cli("run", scenario, "--out", out, "--workers", "1", "--seed", "5",
               "--force").exit_code == 0
    assert set(tree(out)) == set(first) and tree(out) != first
    # a link to a folder of results is replaced through the link, which stays a link
    link = tmp_path / "link"
    link.symlink_to(out, target_is_directory=True)
    assert cli("run", scenario, "--out", link, "--workers", "1", "--force").exit_code == 0
    assert link.is_symlink()
    assert (out / "results.json").read_bytes() == first["results.json"]


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_everything_a_command_writes_counts_as_its_own(cli: Callable[..., Result],
                                                       tmp_path: Path, command: str) -> None:
    """A new output file must join files.RESULT_NAMES, or --force would refuse the folder."""
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    name, *extra = COMMANDS[command]
    extra = [flag for flag in extra if flag != "--no-plots"]  # every plot and report.html
    assert cli(name, scenario, "--out", out, "--workers", "1", *extra).exit_code == 0
    assert foreign_entries(out) == []
    again = cli(name, scenario, "--out", out, "--workers", "1", *extra, "--force")
    assert again.exit_code == 0, again.output
