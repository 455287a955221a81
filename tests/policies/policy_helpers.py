"""Helpers for the policy tests: shipped scenarios by name, and runs of one compiled model."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import portsim
from portsim.engine import model as m
from portsim.engine import run_replication

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def shipped(relative: str) -> portsim.Scenario:
    """A shipped scenario, e.g. ``shipped("water_port/water_port.yaml")``."""
    return portsim.load_scenario(SCENARIOS / relative)


def kpis(model: m.Model, seed: int = 1, replication: int = 0) -> dict[str, Any]:
    """The KPIs of one replication."""
    return run_replication(model, seed=seed, replication=replication).kpis


def only_classes(model: m.Model, *names: str) -> m.Model:
    """``model`` with only the named classes arriving (a part of a shipped port, run cheaply)."""
    return dataclasses.replace(model, classes=tuple(c for c in model.classes if c.name in names))


def visits(model: m.Model, seed: int = 1) -> Counter[tuple[str, str]]:
    """Over a whole replication, from its event trace: how many members of each class arrived
    (``(class, "arrive")``) and how often they queued at each station (``(class, station)``)."""
    counted: Counter[tuple[str, str]] = Counter()

    def trace(time: float, ident: int, cls: str, station: str | None, event: str) -> None:
        if event == "arrive":
            counted[cls, "arrive"] += 1
        elif event == "queue" and station is not None:
            counted[cls, station] += 1

    run_replication(model, seed=seed, trace=trace)
    return counted


def one_day(model: m.Model) -> m.Model:
    """``model`` run for one day without warm-up (a cheaper replication of a shipped port)."""
    return dataclasses.replace(model, horizon=m.MINUTES_PER_DAY, warmup=0.0)
