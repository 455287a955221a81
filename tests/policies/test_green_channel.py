"""Green channel: key cargo flights first, on dedicated capacity, with pre-declared documents."""

from __future__ import annotations

from typing import Any

import pytest

import portsim
from portsim.engine import distributions as d
from portsim.engine import model as m
from portsim.theory.mg1 import PriorityClass, conservation_value, priority_waits

# One document desk, M/G/1 at utilisation 0.7: key flights (rho 0.2, exponential 1 min) and
# ordinary flights (rho 0.5, lognormal 1 min, CV 0.5).
KEY = PriorityClass.from_scv(0.2, 1.0, 1.0)
ORDINARY = PriorityClass.from_scv(0.5, 1.0, 0.25)


def desk(**policies: Any) -> dict[str, Any]:
    return {
        "name": "one desk", "time": {"horizon": "15d", "warmup": "1d"},
        "stations": {"document_check": {
            "servers": 1, "service": {"dist": "lognormal", "mean": 1, "cv": 0.5},
            "service_by_class": {"key": {"dist": "exponential", "mean": 1}}}},
        "classes": {
            "key": {"arrivals": {"kind": "poisson", "rate": 0.2}, "route": ["document_check"]},
            "ordinary": {"arrivals": {"kind": "poisson", "rate": 0.5},
                         "route": ["document_check"]}},
        "variants": {"green": {"policies": {"green_channel": {
            "classes": ["key"], "stations": ["document_check"], **policies}}}},
    }


@pytest.fixture(scope="module")
def one_desk() -> dict[str | None, portsim.Results]:
    scenario = portsim.load_scenario(desk())
    return {variant: portsim.simulate(scenario, replications=8, seed=11, variant=variant)
            for variant in (None, "green")}


def test_priority_follows_cobham_and_the_conservation_law(one_desk) -> None:
    fifo, green = one_desk[None], one_desk["green"]
    w_key, w_ord = priority_waits([KEY, ORDINARY])
    assert green.summary("classes", "key", "wait_mean").contains(w_key, tolerance=0.05)
    assert green.summary("classes", "ordinary", "wait_mean").contains(w_ord, tolerance=0.05)
    # The same sum of rho_k W_k under FIFO and under priority, equal to the law's value.
    law = conservation_value([KEY, ORDINARY])
    for results in (fifo, green):
        weighted = sum(k.utilisation * results.per_replication("classes", name, "wait_mean")
                       for k, name in ((KEY, "key"), (ORDINARY, "ordinary")))
        assert weighted.mean() == pytest.approx(law, rel=0.06)


def test_ordinary_loses_no_more_than_the_key_flights_gain(one_desk) -> None:
    fifo, green = one_desk[None], one_desk["green"]

    def wait(results: portsim.Results, name: str) -> float:
        return results.summary("classes", name, "wait_mean").mean

    gain = wait(fifo, "key") - wait(green, "key")
    loss = wait(green, "ordinary") - wait(fifo, "ordinary")
    assert gain > 0.5 and loss > 0
    # Conservation: rho_o * loss = rho_k * gain for a work-conserving non-preemptive server.
    allowed = KEY.utilisation / ORDINARY.utilisation * gain
    assert loss == pytest.approx(allowed, rel=0.1)


@pytest.fixture(scope="module")
def cargo_runs(cargo) -> dict[str | None, portsim.Results]:
    return {variant: portsim.simulate(cargo, replications=6, seed=5, variant=variant)
            for variant in (None, "green_channel", "green_channel_own_team")}


def waited(results: portsim.Results, name: str) -> float:
    """Total minutes the class's flights waited, per replication (mean over replications)."""
    per_flight = results.per_replication("classes", name, "wait_mean")
    return float((per_flight * results.per_replication("classes", name, "completions")).mean())


def test_shipped_green_channel_speeds_key_flights(cargo_runs) -> None:
    base, green = cargo_runs[None], cargo_runs["green_channel"]

    def delay(results: portsim.Results, name: str) -> float:
        return results.summary("classes", name, "sojourn_mean").mean   # release delay

    assert delay(green, "key_cargo_flights") < 0.8 * delay(base, "key_cargo_flights")
    assert delay(green, "ordinary_cargo_flights") > delay(base, "ordinary_cargo_flights")
    # Conservation, in flight-minutes of waiting: the ordinary flights lose at most what the key
    # flights gain (less, as pre-declared documents take work off the document desk).
    key_gain = waited(base, "key_cargo_flights") - waited(green, "key_cargo_flights")
    ordinary_loss = waited(green, "ordinary_cargo_flights") - waited(base, "ordinary_cargo_flights")
    assert 0 < ordinary_loss < 1.2 * key_gain


def test_a_dedicated_team_breaks_the_conservation(cargo_runs) -> None:
    # A team kept for key flights idles while ordinary flights queue: no longer work-conserving,
    # so the ordinary flights lose far more than the key flights gain.
    base, own_team = cargo_runs[None], cargo_runs["green_channel_own_team"]
    key_gain = waited(base, "key_cargo_flights") - waited(own_team, "key_cargo_flights")
    ordinary_loss = (waited(own_team, "ordinary_cargo_flights")
                     - waited(base, "ordinary_cargo_flights"))
    assert key_gain > 0
    assert ordinary_loss > 2 * key_gain


def test_compiled_mechanisms(cargo) -> None:
    model = portsim.compile_model(cargo, "green_channel_own_team")
    key = next(c for c in model.classes if c.name == "key_cargo_flights")
    ordinary = next(c for c in model.classes if c.name == "ordinary_cargo_flights")
    assert key.priority < ordinary.priority
    for name in ("document_check", "flight_inspection"):
        assert model.station(name).discipline == "priority"
    # The cargo's inspection is customs' work: the border's green channel leaves its order alone.
    assert model.station("customs_inspection").discipline != "priority"
    # One of the four teams is the key flights' own; they join the shorter of the two.
    assert model.station("flight_inspection").servers.max_servers == 3
    assert model.station("flight_inspection.green").servers.max_servers == 1
    assert key.route[1] == m.ShortestQueue(("flight_inspection.green", "flight_inspection"))
    assert ordinary.route[1] == m.Visit("flight_inspection")
    # Pre-declared documents: the key flights' document check takes 0.3 of the time.
    assert model.station("document_check").service_for("key_cargo_flights") == d.Lognormal(
        mean=3.0, cv=0.5)
    assert model.station("document_check").service_for("ordinary_cargo_flights") == \
        d.Lognormal(mean=10.0, cv=0.5)


def test_dedicated_servers_follow_the_shifts() -> None:
    doc = desk(dedicated={"document_check": 2})
    doc["stations"]["document_check"]["servers"] = [
        {"start": "00:00", "end": "08:00", "servers": 1},
        {"start": "08:00", "end": "24:00", "servers": 5}]
    model = portsim.compile_model(portsim.load_scenario(doc), "green")
    # At night the one officer is the key flights'; by day two of five are.
    assert model.station("document_check.green").servers.steps == ((0.0, 1), (480.0, 2))
    assert model.station("document_check").servers.steps == ((0.0, 0), (480.0, 3))
