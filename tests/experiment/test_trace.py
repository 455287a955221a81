"""Event traces stream to CSV in chunks and match what the engine reports."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from portsim.engine import run_replication
from portsim.experiment.runner import simulate
from portsim.experiment.trace import COLUMNS, TraceFormatError, TraceWriter, trace_format
from portsim.scenario import compile_model


def _events(model):
    log = []
    run_replication(model, seed=7, replication=0, trace=lambda *event: log.append(event))
    return log


def _read(path: Path) -> list[tuple[float, int, str, str | None, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        assert tuple(next(reader)) == COLUMNS
        return [(float(t), int(e), c, s or None, ev) for t, e, c, s, ev in reader]


def test_simulate_traces_replication_zero(mini, tmp_path: Path) -> None:
    path = tmp_path / "deep" / "trace.csv"
    results = simulate(mini, replications=2, workers=2, trace=str(path))
    expected = _events(compile_model(mini))
    assert _read(path) == expected  # floats round-trip exactly through repr
    assert {event for *_, event in expected} == {"arrive", "queue", "start", "finish",
                                                 "depart"}
    # Tracing does not change the replication.
    assert results.replications[0].kpis == run_replication(
        compile_model(mini), seed=7, replication=0).kpis
    assert sorted(p.name for p in path.parent.iterdir()) == ["trace.csv"]  # no temporary


def test_writer_flushes_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    with TraceWriter(path, chunk_rows=10) as writer:
        for i in range(25):
            writer(float(i), i, "c", "s" if i % 2 else None, "arrive")
            assert len(writer._rows) < 10  # never more than a chunk held in memory
    assert writer.rows_written == 25
    rows = _read(path)
    assert len(rows) == 25 and rows[1] == (1.0, 1, "c", "s", "arrive") and rows[0][3] is None


def test_a_failed_run_leaves_no_trace_file(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    with pytest.raises(RuntimeError), TraceWriter(path, chunk_rows=2) as writer:
        for i in range(5):
            writer(float(i), i, "c", None, "arrive")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_trace_formats(tmp_path: Path) -> None:
    assert trace_format("x.CSV") == "csv"
    with pytest.raises(TraceFormatError, match=r"\.csv or \.parquet"):
        trace_format("x.txt")
    if importlib.util.find_spec("pyarrow") is None:
        with pytest.raises(TraceFormatError, match="needs pyarrow"):
            trace_format("x.parquet")
    else:  # pragma: no cover - depends on the environment
        assert trace_format("x.parquet") == "parquet"


def test_parquet_trace_holds_the_same_events_in_chunks(mini, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")  # in the test extra; optional for users
    path = tmp_path / "trace.parquet"
    with TraceWriter(path, chunk_rows=100) as writer:
        run_replication(compile_model(mini), seed=7, replication=0, trace=writer)
    table = pq.read_table(path)
    assert tuple(table.column_names) == COLUMNS
    assert pq.ParquetFile(path).num_row_groups > 1  # written chunk by chunk
    rows = list(zip(*(table.column(name).to_pylist() for name in COLUMNS), strict=True))
    expected = [(t, e, c, s or "", ev) for t, e, c, s, ev in _events(compile_model(mini))]
    assert rows == expected
