"""Appointment arrivals: booked daily slots, no-shows, early and late comers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.engine import Appointments
from portsim.engine.arrivals import arrival_times
from portsim.engine.distributions import Deterministic, Exponential
from portsim.engine.load import arrival_rate
from portsim.scenario import load_scenario

DAY = 1440.0


def times(booked: Appointments, horizon: float, seed: int = 0) -> np.ndarray:
    return np.array(list(arrival_times(booked, np.random.default_rng(seed), horizon)))


def test_punctual_customers_come_at_their_slots_every_day() -> None:
    booked = Appointments(slots=(480.0, 495.0, 510.0), per_slot=(2, 1, 3))
    got = times(booked, 3 * DAY)
    expected = sorted([day * DAY + slot for day in range(3)
                       for slot, n in zip(booked.slots, booked.per_slot, strict=True)
                       for _ in range(n)])
    assert got.tolist() == expected


def test_no_shows_stay_away_in_the_booked_share() -> None:
    booked = Appointments(slots=tuple(float(m) for m in range(480, 1020, 10)),
                          per_slot=(4,) * 54, no_show=0.12)
    days = 200
    came = times(booked, days * DAY).size
    booked_total = days * booked.booked_per_period
    share = 1 - came / booked_total
    sd = math.sqrt(0.12 * 0.88 / booked_total)
    assert abs(share - 0.12) < 4 * sd
    assert arrival_rate(booked, days * DAY) == pytest.approx(booked_total * 0.88 / (days * DAY))


def test_early_and_late_comers_shift_the_mean_arrival() -> None:
    """70 % come early by Exp(8 min), 30 % late by Exp(5 min): mean offset -4.1 min."""
    booked = Appointments(slots=(600.0,), per_slot=(50,), early_share=0.7,
                          early=Exponential(8.0), late=Exponential(5.0))
    got = times(booked, 400 * DAY, seed=3)
    offsets = got - 600.0 - np.floor(got / DAY) * DAY
    assert offsets.mean() == pytest.approx(-0.7 * 8.0 + 0.3 * 5.0, abs=4 * offsets.std()
                                           / math.sqrt(offsets.size))
    assert (offsets < 0).mean() == pytest.approx(0.7, abs=0.01)


def test_late_comers_after_midnight_keep_the_times_in_order() -> None:
    booked = Appointments(slots=(1430.0,), per_slot=(5,), late=Deterministic(20.0))
    got = times(booked, 3 * DAY)
    assert np.all(np.diff(got) >= 0)
    assert got.tolist() == [1450.0] * 5 + [1450.0 + DAY] * 5  # day 3's come after the horizon


SCENARIO = """\
name: Document hall
time: {horizon: 3d, warmup: 1d}
stations:
  counters: {servers: 4, service: {dist: exponential, mean: 12min}}
classes:
  booked:
    arrivals:
      kind: appointments
      slots:
        - {start: "09:00", end: "12:00", every: 15min, per_slot: 3}
        - {start: "%s", end: "17:00", every: 20min, per_slot: 2}
      no_show: 0.1
      punctuality: {early_share: 0.6, early: {dist: exponential, mean: 10min}}
    route: [counters]
"""


def test_the_scenario_block_compiles_to_slots(tmp_path: Path) -> None:
    path = tmp_path / "hall.yaml"
    path.write_text(SCENARIO % "13:00")
    arrivals = load_scenario(path).model(None).classes[0].arrivals
    assert isinstance(arrivals, Appointments)
    assert len(arrivals.slots) == 12 + 12 and arrivals.slots[0] == 540.0
    assert arrivals.slots[-1] == 16 * 60 + 40.0 and arrivals.booked_per_period == 36 + 24
    assert arrivals.late is None and arrivals.early == Exponential(10.0)


def test_a_window_that_ends_before_it_starts_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "hall.yaml"
    path.write_text(SCENARIO % "18:00")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "hall.yaml:11: classes.booked.arrivals.slots.1: end must be after start" in text
