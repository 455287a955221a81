"""Event logs (``portsim state-from-log``, CSV and Parquet) are read as untrusted input: whatever
the file holds, the command writes a state or stops with one message naming the file, the row
and the column, exit code 2, no traceback, and no state file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

HEADER = "time,entity,class,station,event\n"
GOOD = HEADER + "1,1,pax,,arrive\n1,1,pax,desk,queue\n2,2,pax,,arrive\n2,2,pax,desk,queue\n" \
    "2,2,pax,desk,start\n"

LogRun = Callable[[str | bytes, str], Result]


@pytest.fixture
def from_log(cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path) -> LogRun:
    def run(content: str | bytes, name: str = "log.csv") -> Result:
        log = write(content, name)
        return cli("state-from-log", log, "--at", "06:00", "--out", tmp_path / "state.yaml")

    return run


def refused(result: Result, tmp_path: Path, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = result.stderr
    assert message.startswith("error: ") and message.count("\n") == 1, message
    for fragment in fragments:
        assert fragment in message, message
    assert len(message) < 400, message  # no cell of the file quoted whole
    assert not (tmp_path / "state.yaml").exists()
    return message


def test_a_log_with_a_byte_order_mark_is_read(from_log: LogRun, tmp_path: Path) -> None:
    result = from_log(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert "2 customers" in result.output


@pytest.mark.parametrize(("content", "fragments"), [
    (HEADER.encode() + "1,1,caf\xe9,,arrive\n".encode("latin-1"),
     ("not UTF-8 text", "row 2", "0xe9")),
    (GOOD.encode("utf-16"), ("not UTF-8 text (UTF-16?)", "row 1")),
    (HEADER + "1,1," + "x" * 200_000 + ",,arrive\n", ("log.csv row 2: not a CSV row",)),
    (HEADER + "1,1," + "x" * 2_000 + ",,arrive\n",
     ("row 2, column 'class'", "longer than 200 characters", "(2,000 characters, cut)")),
    (HEADER + "nan,1,pax,desk,queue\n", ("row 2, column 'time'", "finite number", "'nan'")),
    (HEADER + "inf,1,pax,desk,queue\n", ("row 2, column 'time'", "'inf'")),
    (HEADER + "06:00,1,pax,desk,queue\n", ("row 2, column 'time'", "'06:00'")),
    (HEADER + "1,1,pax,desk,teleport\n", ("row 2, column 'event'", "'teleport'")),
    (HEADER + "1,1,,desk,queue\n", ("row 2, column 'class'", "missing")),
    (HEADER + "1,1,pax,desk\n", ("row 2: expected 5 values", "got 4")),
    (HEADER + "1,1,pax,\0desk,queue\n", ("row 2, column 'station'", "U+0000")),
    ("when,who\n1,2\n", ("needs the columns time, entity, class, station, event",)),
    ("", ("the file is empty",)),
    ("root:x:0:0:root:/root:/bin/bash\n" * 3, ("missing: time, entity",)),
], ids=["latin1", "utf16", "huge_cell", "long_name", "nan", "inf", "clock_text",
        "unknown_event", "no_class", "short_row", "nul", "no_columns", "empty", "passwd"])
def test_a_bad_log_is_one_message_with_its_row(from_log: LogRun, tmp_path: Path,
                                               content: str | bytes,
                                               fragments: tuple[str, ...]) -> None:
    refused(from_log(content, "log.csv"), tmp_path, "log.csv", *fragments)


def test_special_and_missing_files_are_refused_before_they_are_read(
        cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "state.yaml"
    for log, fragment in (("/dev/zero", "not a regular file"), (tmp_path, "is a folder"),
                          (tmp_path / "missing.csv", "not found")):
        refused(cli("state-from-log", log, "--at", "06:00", "--out", out), tmp_path, fragment)


def test_a_log_over_the_size_limit_is_refused_before_it_is_read(
        from_log: LogRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTSIM_MAX_LOG_BYTES", "100")
    refused(from_log(GOOD * 3), tmp_path, "more than the limit of 100 bytes",
            "PORTSIM_MAX_LOG_BYTES")


def test_the_entities_of_a_log_are_held_to_the_entity_limit(
        from_log: LogRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTSIM_MAX_ENTITIES", "1")
    refused(from_log(GOOD), tmp_path, "more than 1 entities", "PORTSIM_MAX_ENTITIES")


def test_a_clock_time_beyond_the_horizon_limit_is_refused(cli: Callable[..., Result],
                                                          write: Callable[..., Path],
                                                          tmp_path: Path) -> None:
    log = write(GOOD, "log.csv")
    result = cli("state-from-log", log, "--at", "1e12", "--out", tmp_path / "state.yaml")
    refused(result, tmp_path, "--at 1e12", "PORTSIM_MAX_HORIZON")


def test_customers_who_left_a_station_are_not_placed_there(from_log: LogRun,
                                                           tmp_path: Path) -> None:
    result = from_log(HEADER + "1,1,pax,desk,queue\n2,1,pax,desk,abandon\n"
                      "1,2,pax,desk,queue\n2,2,pax,desk,balk\n1,3,pax,desk,queue\n")
    assert result.exit_code == 0, result.output
    assert "1 customers" in result.output  # only entity 3 still waits


def test_a_file_that_is_not_parquet_is_one_message(from_log: LogRun, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    refused(from_log(GOOD, "log.parquet"), tmp_path, "log.parquet",
            "not a readable Parquet event log")


def test_a_parquet_log_is_checked_row_by_row(from_log: LogRun, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    good = tmp_path / "good.parquet"
    table = pa.table({"time": [1.0, 1.0], "entity": [1, 1], "class": ["pax", "pax"],
                      "station": [None, "desk"], "event": ["arrive", "queue"]})
    pq.write_table(table, good)
    assert from_log(good.read_bytes(), "log.parquet").exit_code == 0
    (tmp_path / "state.yaml").unlink()
    for column, values, fragment in (("time", [1.0, float("nan")], "column 'time'"),
                                     ("time", ["1", "x"], "column 'time'"),
                                     ("event", ["arrive", "fly"], "column 'event'")):
        pq.write_table(table.set_column(table.schema.get_field_index(column), column,
                                        pa.array(values)), good)
        refused(from_log(good.read_bytes(), "log.parquet"), tmp_path, "row 3", fragment)
    pq.write_table(table.drop_columns(["event"]), good)
    refused(from_log(good.read_bytes(), "log.parquet"), tmp_path, "missing: event")


def test_a_parquet_log_without_pyarrow_says_what_to_install(
        from_log: LogRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    refused(from_log(b"PAR1 not really", "log.parquet"), tmp_path, "needs pyarrow",
            "pip install pyarrow", "or give the log as .csv")
