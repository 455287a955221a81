"""User text is printed exactly as written: names and messages are never read as Rich markup
(``[/]`` used to end a run in a MarkupError traceback, after the simulation) or emoji codes
(``file.yaml:100:`` lost its line number to 💯).

A mutation test: each hostile fragment is put into the scenario's name, a station's, a class's
and a variant's, and every command must succeed and show the names verbatim.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import SMALL, assert_bad_input

#: Rich markup (closing tags with nothing to close, styles, links, escapes) and emoji codes.
FRAGMENTS = ["[/]", "[bold]", "[red]r[/red]", "[link=http://x]l", "\\[", ":smile:", ":100:",
             ":x:", ":smile:desk:x:", "[/]:100:"]
ROLES = ("scenario", "station", "class", "variant")


def named(fragment: str, *roles: str) -> tuple[str, dict[str, str]]:
    """A scenario whose ``roles`` hold ``fragment``; and the names it uses."""
    names = {"scenario": "small", "station": "desk", "class": "pax", "variant": "more"}
    for role in roles:
        names[role] = f"{role[0]}{fragment}e"
    text = SMALL.replace("name: small", f"name: {quoted(names['scenario'])}")
    text = text.replace("  desk:", f"  {quoted(names['station'])}:")
    text = text.replace("route: [desk]", f"route: [{quoted(names['station'])}]")
    text = text.replace("  pax:", f"  {quoted(names['class'])}:")
    text += (f"variants:\n  {quoted(names['variant'])}:\n"
             f"    stations: {{{quoted(names['station'])}: {{servers: 3}}}}\n")
    return text, names


def quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def clean(result: Result) -> str:
    output = result.output
    assert "Traceback" not in output and "MarkupError" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return output


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_validate_prints_names_as_written(cli: Callable[..., Result],
                                          write: Callable[..., Path], fragment: str,
                                          role: str) -> None:
    text, names = named(fragment, role)
    result = cli("validate", write(text))
    output = clean(result)
    assert result.exit_code == 0, output
    shown = names["scenario"] if role != "variant" else names["variant"]
    assert shown in output, output


@pytest.mark.parametrize("fragment", ["[/]", ":smile:desk:x:", "[red]r[/red]:100:"])
def test_run_compare_sweep_print_names_as_written(cli: Callable[..., Result],
                                                  write: Callable[..., Path], tmp_path: Path,
                                                  fragment: str) -> None:
    text, names = named(fragment, *ROLES)
    file = write(text)
    run = cli("run", file, "--out", tmp_path / "run", "--workers", "1")
    output = clean(run)
    assert run.exit_code == 0, output
    for role in ("scenario", "station", "class"):
        assert names[role] in output, output
    assert (tmp_path / "run" / "results.json").is_file()
    compare = cli("compare", file, "--out", tmp_path / "cmp", "--workers", "1", "--no-plots")
    output = clean(compare)
    assert compare.exit_code == 0, output
    assert names["variant"] in output and names["station"] in output, output
    sweep = cli("sweep", file, "--out", tmp_path / "sweep", "--workers", "1", "--replications",
                "2", "--set", f"stations.{names['station']}.servers=2")
    output = clean(sweep)
    assert sweep.exit_code == 0, output
    assert f"stations.{names['station']}.servers" in output, output
    assert "(1 point;" in output, output  # not "1 points"


def test_an_error_on_line_100_keeps_its_line_number(cli: Callable[..., Result],
                                                   write: Callable[..., Path]) -> None:
    text = SMALL.replace("seed: 11\n", "seed: 11\n" + "#\n" * 91)
    text = text.replace("servers: 2", "servers: -2")
    line = text.splitlines().index("    servers: -2") + 1
    assert line == 100
    file = write(text)
    message = assert_bad_input(cli("validate", file), file, line=100,
                               path="stations.desk.servers")
    assert "💯" not in message


def test_a_warning_naming_a_marked_up_station_is_printed_as_written(
        cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    text, names = named("[/]:x:", "station")
    text = text.replace("servers: 2", "servers: 1").replace("rate: 1/min", "rate: 3/min")
    result = cli("validate", write(text))
    output = clean(result)
    assert result.exit_code == 0, output
    assert f"station {names['station']!r}" in output or names["station"] in output, output
    assert "warning" in output, output
