"""Small scenarios for the staffing tests, written as YAML files."""

from __future__ import annotations

import math
from pathlib import Path

from portsim.experiment.options import RunOptions
from portsim.experiment.staffing.evaluation import Runner, replicating

#: A day with two peaks (about 8/h at night, 55/h in the afternoon), 6-minute services.
TWO_PEAKS = [round(30 + 25 * math.sin(2 * math.pi * (hour - 8) / 24)) for hour in range(24)]


def hall(tmp_path: Path, *, rates: list[float] | None = None, rate: str | None = None,
         service: str = "{dist: exponential, mean: 6min}", servers: int = 6,
         horizon: str = "3d", warmup: str = "1d", replications: int = 10,
         name: str = "hall.yaml", extra: str = "") -> Path:
    """One station ``desks`` fed by Poisson arrivals (constant ``rate`` or hourly ``rates``)."""
    if rates is not None:
        arrivals = "{kind: profile, rates: [" + ", ".join(f"{r:g}/h" for r in rates) + "]}"
    else:
        arrivals = f"{{kind: poisson, rate: {rate}}}"
    text = f"""\
name: Staffing test hall
time: {{horizon: {horizon}, warmup: {warmup}}}
replications: {replications}
seed: 7
stations:
  desks:
    servers: {servers}   # the scenario's own staffing
    service: {service}
classes:
  traveller:
    arrivals: {arrivals}
    route: [desks]
{extra}"""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def serial(replications: int) -> Runner:
    return replicating(replications, RunOptions(workers=1))
