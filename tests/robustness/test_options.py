"""Command-line options are held to the rules of scenario files: one message naming the option,
exit code 2, no traceback, checked before any simulation (and before the output folder is
touched), and products of limits (points × replications, variants × a precision's cap) held to
the limits before anything is built."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import SMALL

from portsim.experiment import executors

WITH_VARIANT = SMALL + "variants:\n  more:\n    stations: {desk: {servers: 3}}\n"


def refused_at_once(result: Result, out: Path, *fragments: str) -> str:
    """Exit code 2, one message holding ``fragments``, and no output folder."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert not out.exists()
    return result.stderr


@pytest.fixture
def never_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any replication started fails the test: the refusals come before the runs."""
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a replication was started")

    monkeypatch.setattr(executors, "replicate", never)


@pytest.mark.parametrize(("options", "fragments"), [
    (("--precision", "1e-200%"), ("finer than 0.0001%",)),
    (("--precision", "5%", "--precision-kpi", "classes.pax.wait_meen"),
     ("--precision-kpi classes.pax.wait_meen", "did you mean 'wait_mean'")),
    (("--precision", "5%", "--precision-kpi", "classes.nobody.wait_mean"),
     ("no classes named 'nobody'",)),
    (("--precision", "5%", "--precision-kpi", "clases.pax.wait_mean"), ("no scope 'clases'",)),
    (("--precision", "5%", "--max-replications", "100000"),
     ("--max-replications 100,000", "PORTSIM_MAX_REPLICATIONS")),
    (("--replications", "1000000000000"), ("PORTSIM_MAX_REPLICATIONS",)),
])
def test_run_options_are_refused_before_any_run(cli: Callable[..., Result],
                                                write: Callable[..., Path], tmp_path: Path,
                                                never_run: None, options: tuple[str, ...],
                                                fragments: tuple[str, ...]) -> None:
    out = tmp_path / "out"
    refused_at_once(cli("run", write(SMALL), "--out", out, *options), out, *fragments)


def test_a_precision_kpi_is_checked_in_every_model_of_a_comparison(
        cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path,
        never_run: None, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = write(WITH_VARIANT + "    classes: {crew: {arrivals: {kind: poisson, rate: "
                                    "1/h}, route: [desk]}}\n")
    out = tmp_path / "out"
    # Every model is watched: a KPI of the variant only would fail after the first round.
    refused_at_once(cli("compare", scenario, "--out", out, "--precision", "5%",
                        "--precision-kpi", "classes.crew.wait_mean"), out,
                    "no classes named 'crew' (pax) in small")
    monkeypatch.setenv("PORTSIM_MAX_TASKS", "100")  # 2 models × a cap of 200: refused
    refused_at_once(cli("compare", scenario, "--out", out, "--precision", "5%",
                        "--precision-kpi", "classes.pax.wait_mean"), out,
                    "--max-replications 200 for 2 models", "400 replications",
                    "PORTSIM_MAX_TASKS")


def test_the_replications_of_a_command_are_held_to_the_task_limit(
        cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path,
        never_run: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTSIM_MAX_TASKS", "10")
    out = tmp_path / "out"
    refused_at_once(cli("compare", write(WITH_VARIANT), "--out", out, "--replications", "6"),
                    out, "12 replications in all", "limit of 10", "PORTSIM_MAX_TASKS")
    refused_at_once(cli("sweep", write(SMALL), "--out", out, "--set",
                        "stations.desk.servers=2:5:1", "--replications", "3"),
                    out, "4 points × 3 replications", "PORTSIM_MAX_TASKS")


def test_a_grid_is_counted_before_it_is_built(cli: Callable[..., Result],
                                               write: Callable[..., Path], tmp_path: Path,
                                               never_run: None) -> None:
    out = tmp_path / "out"
    refused_at_once(cli("sweep", write(SMALL), "--out", out,
                        "--set", "stations.desk.servers=1:10000:1",
                        "--set", "seed=1:10000:1"), out,
                    "the grid has 100,000,000 points (at most 10,000): 10000 × 10000 values")


@pytest.mark.parametrize(("options", "fragments"), [
    (("--least", "1000000000000"), ("--least 1,000,000,000,000", "100,000 officers")),
    (("--most", "desk=99999999999999"), ("--most 'desk=99999999999999'",)),
    (("--interval", "1s"), ("--interval '1s'", "from 5 minutes to a day")),
    (("--interval", "1e-300"), ("--interval '1e-300'",)),
    (("--interval", "2d"), ("--interval '2d'",)),
    (("--hour-cost", "inf"), ("--hour-cost inf", "finite")),
    (("--callout-cost", "1e300"), ("--callout-cost 1e+300",)),
])
def test_staff_options_are_refused_before_any_run(cli: Callable[..., Result],
                                                  write: Callable[..., Path], tmp_path: Path,
                                                  never_run: None, options: tuple[str, ...],
                                                  fragments: tuple[str, ...]) -> None:
    out = tmp_path / "out"
    result = cli("staff", write(SMALL), "--stations", "desk", "--target", "wait_mean<=5min",
                 "--out", out, *options)
    refused_at_once(result, out, *fragments)


@pytest.fixture
def not_dask() -> Iterator[int]:
    """A local server that answers every connection as a web server would, then closes it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join(5)
        server.close()


def test_a_server_that_is_not_a_dask_scheduler_is_named_at_once(
        tmp_path: Path, write: Callable[..., Path], not_dask: int) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    # A fresh process: Dask's own complaint (Client.__del__) would come at its exit.
    done = subprocess.run([sys.executable, "-m", "portsim", "run", str(write(SMALL)), "--out",
                           str(out), "--scheduler", f"tcp://127.0.0.1:{not_dask}"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "does not answer as a Dask scheduler" in done.stderr
    assert "Traceback" not in done.stderr and "EiB" not in done.stderr
    assert not out.exists()


def test_a_host_name_with_an_overlong_label_is_one_message(
        cli: Callable[..., Result], write: Callable[..., Path], tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    refused_at_once(cli("run", write(SMALL), "--out", out, "--scheduler",
                        f"tcp://{'a' * 64}.example:8786"), out,
                    "a part of the host name has 64 characters (at most 63")


@pytest.mark.parametrize("arguments", [["schema"], ["--help"], ["--version"], ["run", "--help"]])
def test_output_to_a_full_disk_is_one_message_and_exit_code_1(arguments: list[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "portsim", *arguments], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("error: ") and "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
