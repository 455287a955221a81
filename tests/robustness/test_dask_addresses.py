"""Every form of ``--scheduler`` address gives a correct run or one clear error, at once: exit
code 2, no traceback (not even Dask's ``Client.__del__`` one after the message), no connection
attempted through Dask, and nothing left in the output folder that would make the next plain run
refuse. A scheduler that goes away during a run is named as such, never as "failed: NoneType:
None". How long a refusal takes (no stall) is measured in benchmarks/test_refusals.py."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import Result
from robustness_helpers import SMALL

from portsim.experiment import cluster

pytest.importorskip("distributed")


def closed_port() -> int:
    """A local port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


ADDRESSES = {
    "not-a-url": ("not-a-url", "not an address of the form [scheme://]host:port"),
    "empty": ("", "--scheduler is empty"),
    "blank": ("   ", "--scheduler is empty"),
    "inproc": ("inproc://x", "inproc:// addresses reach a scheduler inside the same"),
    "unknown-scheme": ("foo://127.0.0.1:8786", "unknown scheme 'foo'"),
    "no-port": ("tcp://127.0.0.1", "not an address of the form"),
    "bad-port": ("tcp://127.0.0.1:99999", "not an address of the form"),
    "tls-without-certificates": ("tls://127.0.0.1:1", "needs TLS certificates"),
    "unreachable": ("tcp://127.0.0.1:{port}", "cannot reach the Dask scheduler"),
    "unreachable-without-scheme": ("127.0.0.1:{port}", "cannot reach the Dask scheduler"),
}


@pytest.mark.parametrize("case", ADDRESSES)
def test_a_scheduler_address_that_cannot_work_is_refused_at_once(
        cli: Callable[..., Result], tmp_path: Path, case: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import distributed

    def no_client(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Dask client was started for an address refused beforehand")

    monkeypatch.setattr(distributed, "Client", no_client)
    address, fragment = ADDRESSES[case]
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "out"
    result = cli("run", scenario, "--out", out, "--scheduler",
                 address.format(port=closed_port()))
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr and "Traceback" not in result.output
    assert not out.exists()  # nothing that makes the next run ask for --resume
    assert cli("run", scenario, "--out", out, "--workers", "1").exit_code == 0


@pytest.mark.slow
def test_no_dask_traceback_or_stall_after_the_message(tmp_path: Path) -> None:
    """Dask's Client.__del__ used to print a traceback after the message and stall 20 s."""
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL, encoding="utf-8")
    for address in ("not-a-url", "inproc://x", "tls://127.0.0.1:1"):
        result = subprocess.run(
            [sys.executable, "-m", "portsim", "run", str(scenario), "--out",
             str(tmp_path / "out"), "--scheduler", address],
            capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") <= 2 and "Traceback" not in result.stderr, \
            result.stderr


def test_a_task_lost_with_its_scheduler_is_named_as_such() -> None:
    task = cluster.Task("baseline", None, 7, 10)  # type: ignore[arg-type]
    gone = SimpleNamespace(status="cancelled", exception=lambda: None)
    message = str(cluster._lost(task, gone))
    assert "replication 10 of baseline (seed 7) was lost" in message
    assert "scheduler or its workers went away" in message and "NoneType" not in message

    def unreachable() -> None:
        raise OSError("connection closed")

    message = str(cluster._lost(task, SimpleNamespace(status="lost", exception=unreachable)))
    assert "went away" in message and "NoneType" not in message
    assert isinstance(cluster._lost(task, gone), cluster.ReplicationError)  # exit 3
