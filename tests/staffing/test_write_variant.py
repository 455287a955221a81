"""``staff --write-variant`` edits the user's own scenario file: through the command line, it
follows symbolic links and keeps hard links, keeps every character and line ending, refuses a
file changed since it was read and names that ``compare`` could not take (before any
simulation), and a failed write leaves the file as it was."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from staffing_support import hall
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.scenario import load_scenario

STAFF = ["--stations", "desks", "--target", "wait_mean<=10min", "--replications", "4",
         "--workers", "1"]


def small_hall(folder: Path, **settings: Any) -> Path:
    """A quick hall: 20 an hour for two days, one of them warm-up."""
    return hall(folder, rate="20/h", horizon="2d", warmup="1d", servers=3, **settings)


def staff(path: Path, out: Path, name: str = "rostered") -> Any:
    return CliRunner().invoke(app, ["staff", str(path), *STAFF, "--out", str(out),
                                    "--write-variant", name])


def beside(folder: Path) -> list[str]:
    """Temporaries left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    real = small_hall(data)
    link = tmp_path / "hall.yaml"
    link.symlink_to(real)
    result = staff(link, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real
    assert load_scenario(real).variant_names == ["rostered"]
    assert beside(data) == [] and beside(tmp_path) == []


def test_hard_links_are_kept(tmp_path: Path) -> None:
    path = small_hall(tmp_path)
    other = tmp_path / "shared"
    other.mkdir()
    os.link(path, other / "hall.yaml")
    result = staff(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (other / "hall.yaml").read_bytes() == path.read_bytes()
    assert os.stat(path).st_ino == os.stat(other / "hall.yaml").st_ino
    assert load_scenario(other / "hall.yaml").variant_names == ["rostered"]
    assert beside(tmp_path) == []


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("has_variants", [False, True])
def test_line_endings_and_every_character_are_kept(tmp_path: Path, newline: str,
                                                   has_variants: bool) -> None:
    # YAML reads U+2028, U+2029 and U+0085 as line breaks (Python's splitlines too): they
    # stay where they are, as they are.
    extra = (('variants:\n  mine:   # café\n    description: "one\u2029two\u0085three"\n'
             "    stations: {desks: {servers: 4}}\n\n# after the variants\nsla: 30min\n")
             if has_variants else "")
    path = small_hall(tmp_path, extra=extra)
    text = path.read_text(encoding="utf-8").replace(
        "name: Staffing test hall", 'name: "Staffing\u2028test hall"  # é')
    original = text.replace("\n", newline).encode("utf-8")
    path.write_bytes(original)
    result = staff(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after.count(b"\n") == after.count(newline.encode()), "every line ends as before"
    if has_variants:  # inserted after the last variant, before the blank line and comment
        tail = f"{newline}# after the variants{newline}".encode()
        cut = original.index(tail)
        assert after.startswith(original[:cut]) and after.endswith(original[cut:])
    else:
        assert after.startswith(original)
    scenario = load_scenario(path)
    assert scenario.name == "Staffing\u2028test hall"
    assert scenario.variant_names == [*(["mine"] if has_variants else []), "rostered"]


def test_a_file_changed_during_the_search_is_left_as_it_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from portsim.experiment.staffing import solver

    path = small_hall(tmp_path)
    real = solver.solve

    def edited_meanwhile(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        with path.open("a", encoding="utf-8") as handle:
            handle.write("# an edit saved while portsim worked\n")
        return found

    monkeypatch.setattr(solver, "solve", edited_meanwhile)
    edited = path.read_text(encoding="utf-8") + "# an edit saved while portsim worked\n"
    result = staff(path, tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "changed since portsim read it" in result.stderr and "variant.yaml" in result.stderr
    assert path.read_text(encoding="utf-8") == edited
    assert (tmp_path / "out" / "variant.yaml").is_file()  # the roster is not lost
    assert beside(tmp_path) == []


@pytest.mark.parametrize("name", ["baseline", "a,b", "", " padded", "padded "])
def test_a_name_compare_cannot_take_is_refused_before_any_simulation(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from portsim.experiment import executors

    def no_simulation(*_: Any, **__: Any) -> Any:
        raise AssertionError("a replication ran")

    monkeypatch.setattr(executors, "execute", no_simulation)
    path = small_hall(tmp_path)
    before = path.read_bytes()
    result = staff(path, tmp_path / "out", name)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stderr.startswith("error: ")
    assert path.read_bytes() == before and not (tmp_path / "out").exists()


def test_a_failed_write_leaves_the_scenario_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import portsim.writing

    path = small_hall(tmp_path)
    before = path.read_bytes()
    real = os.replace

    def full_for_the_scenario(source: Any, target: Any) -> None:
        if Path(target) == path:
            raise OSError(28, "No space left on device")
        real(source, target)

    monkeypatch.setattr(portsim.writing.os, "replace", full_for_the_scenario)
    result = staff(path, tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.stderr and "Traceback" not in result.output
    assert path.read_bytes() == before
    assert beside(tmp_path) == []


def test_what_is_written_is_the_variant_compare_takes(tmp_path: Path) -> None:
    path = small_hall(tmp_path)
    result = staff(path, tmp_path / "out", "night: on")  # quoted in the file
    assert result.exit_code == 0, result.output
    assert list(yaml.safe_load(path.read_text(encoding="utf-8"))["variants"]) == ["night: on"]


def test_the_reserved_name_is_the_comparisons() -> None:
    from portsim.experiment.comparison import BASELINE
    from portsim.scenario.edit import BASELINE as RESERVED

    assert RESERVED == BASELINE
