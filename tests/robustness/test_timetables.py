"""Hostile and awkward timetable CSV files: each is read correctly or refused with one clear
error naming the scenario's line, the CSV file and its row.

Rows in any order are accepted: a timetable is a set of batches, and the engine sorts them, so
an unsorted file gives exactly the results of the sorted one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import SMALL, assert_bad_input

from portsim.engine.simulation import run_replication
from portsim.limits import DEFAULTS
from portsim.scenario import compile_model, load_scenario

TIMETABLE = SMALL.replace("{kind: poisson, rate: 1/min}",
                          "{kind: timetable, file: flights.csv, repeat: 12h}")
LINE = 13  # of "arrivals:" in TIMETABLE
FIELD = "classes.pax.arrivals.file"


@pytest.fixture
def scenario(write: Callable[..., Path]) -> Path:
    return write(TIMETABLE)


def rows(count: int, *, shuffled: bool = False, seed: int = 3) -> str:
    times = [f"{i * 0.5:.1f}" for i in range(count)]
    if shuffled:
        random.Random(seed).shuffle(times)
    return "time,count,spread\n" + "".join(f"{t},2,1min\n" for t in times)


CASES = [
    ("missing_count_column", "time,spread\n06:30,5min\n",
     "flights.csv row 1: the header must name the columns time,count[,spread]"),
    ("missing_header", "06:30,3\n07:00,4\n", "flights.csv row 1: the header must name"),
    ("missing_value", "time,count,spread\n06:30,3,1min\n07:00,4\n",
     "flights.csv row 3: expected 3 values (time,count,spread), got 2"),
    ("extra_value", "time,count\n06:30,3,9\n", "flights.csv row 2: expected 2 values"),
    ("duplicate_column", "time,count,time\n1,2,3\n", "the header must name the columns"),
    ("text_count", "time,count\n06:30,many\n",
     "flights.csv row 2, column 'count': Input should be a valid integer"),
    ("nan_time", "time,count\nnan,3\n", "row 2, column 'time': invalid duration 'nan'"),
    ("inf_time", "time,count\ninf,3\n", "row 2, column 'time': invalid duration 'inf'"),
    ("negative_spread", "time,count,spread\n06:30,3,-2min\n",
     "row 2, column 'spread': a duration cannot be negative"),
    ("negative_count", "time,count\n06:30,-3\n", "row 2, column 'count': Input should be greater"),
    ("no_rows", "time,count\n", "flights.csv: no batches below the header"),
    ("empty", "", "flights.csv: the file is empty"),
    ("outside_repeat", "time,count\n13:00,3\n", "not within the repeat period (12h)"),
    ("not_utf8", "time,count\n06:30,3\n".encode("utf-16"), "is not UTF-8 text"),
    ("binary", random.Random(1).randbytes(2000), "flights.csv"),
    ("nul_byte", b"time,count\n06:30,3\x00\n", "flights.csv row 2, column 'count'"),
    ("huge_field", "time,count\n" + "9" * 200_000 + ",3\n", "flights.csv row 2: not a CSV row"),
    ("huge_count", "time,count\n06:30,1000000000000000\n",
     "flights.csv row 2, column 'count': Input should be less than or equal to 1000000000"),
    ("too_many_entities", "time,count\n06:30,100000000\n",
     "about 100,000,000 entities would arrive in one replication"),
]


@pytest.mark.parametrize(("content", "fragment"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_timetables(cli: Callable[..., Result], scenario: Path, write: Callable[..., Path],
                        tmp_path: Path, content: str | bytes, fragment: str) -> None:
    write(content, "flights.csv")
    out = tmp_path / "out"
    for args in (("validate", scenario), ("run", scenario, "--out", out)):
        message = assert_bad_input(cli(*args), scenario, fragment, line=LINE)
        assert f": {FIELD}: " in message or ": classes.pax.arrivals: " in message
    assert not out.exists()


def test_timetable_path_is_a_folder(cli: Callable[..., Result], scenario: Path,
                                    tmp_path: Path) -> None:
    (tmp_path / "flights.csv").mkdir()
    assert_bad_input(cli("validate", scenario), scenario, "is a folder, not a CSV file",
                     line=LINE, path=FIELD)


def test_unsorted_rows_give_the_results_of_sorted_ones(write: Callable[..., Path],
                                                       scenario: Path) -> None:
    write(rows(300), "flights.csv")
    ordered = compile_model(load_scenario(scenario))
    write(rows(300, shuffled=True), "flights.csv")
    shuffled = compile_model(load_scenario(scenario))
    assert shuffled.classes[0].arrivals == ordered.classes[0].arrivals
    assert list(shuffled.classes[0].arrivals.times) == sorted(shuffled.classes[0].arrivals.times)
    assert run_replication(shuffled, seed=5).kpis == run_replication(ordered, seed=5).kpis


def test_a_million_rows_are_refused_at_the_row_limit_by_default(cli: Callable[..., Result],
                                                       scenario: Path, tmp_path: Path) -> None:
    """Reading stops at the row limit (what that costs: benchmarks/test_refusals.py)."""
    with (tmp_path / "flights.csv").open("w") as handle:
        handle.write("time,count\n")
        handle.writelines(f"{i % 700},1\n" for i in range(1_000_000))
    assert_bad_input(cli("validate", scenario), scenario, "flights.csv has more than 200,000 rows",
                     "PORTSIM_MAX_CSV_ROWS", line=LINE, path=FIELD)


def test_the_row_limit_is_exact_and_overridable(cli: Callable[..., Result], scenario: Path,
                                                write: Callable[..., Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTSIM_MAX_CSV_ROWS", "1_000")
    write(rows(1000), "flights.csv")
    assert cli("validate", scenario).exit_code == 0
    write(rows(1001), "flights.csv")
    assert_bad_input(cli("validate", scenario), scenario, "more than 1,000 rows", line=LINE)


@pytest.mark.slow
def test_a_timetable_at_the_default_row_limit_loads(write: Callable[..., Path],
                                                    scenario: Path) -> None:
    write(rows(DEFAULTS.max_csv_rows), "flights.csv")
    text = TIMETABLE.replace("repeat: 12h", "repeat: 100000h")
    batches = load_scenario(write(text)).document().classes["pax"].arrivals.batches
    assert len(batches) == DEFAULTS.max_csv_rows


def test_a_csv_larger_than_the_limit_is_refused_by_its_size(cli: Callable[..., Result],
                                                            scenario: Path,
                                                            tmp_path: Path) -> None:
    with (tmp_path / "flights.csv").open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)  # sparse: refused without reading it
    assert_bad_input(cli("validate", scenario), scenario, "is 41,943,040 bytes (40 MiB), more "
                     "than the limit of 33,554,432 bytes (32 MiB)", "PORTSIM_MAX_CSV_BYTES",
                     line=LINE, path=FIELD)
