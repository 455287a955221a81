"""The congested freight port and its one-stop change, checked against Liantang's published
figures (scenarios/targets/liantang.yaml): the stop time is fitted to the three stops' ~1,400
trucks a day, and the one-stop variant's throughput ratio, never fitted, is judged against the
published ~+50 % within its stated uncertainty."""

from __future__ import annotations

from pathlib import Path

import pytest

from portsim.calibration.calibrate import calibrate
from portsim.calibration.targets import load_targets
from portsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def calibration():  # type: ignore[no-untyped-def]
    scenario = load_scenario(ROOT / "scenarios" / "land_port" / "liantang_freight.yaml")
    return calibrate(scenario, load_targets(ROOT / "scenarios" / "targets" / "liantang.yaml"))


def test_the_three_stops_are_fitted_to_1400_trucks_a_day(calibration) -> None:  # type: ignore[no-untyped-def]
    (fit,) = calibration.fitted()
    assert fit.within
    assert abs(fit.model.mean - 1400) < 100


def test_the_one_stop_ratio_is_predicted_within_its_uncertainty(calibration) -> None:  # type: ignore[no-untyped-def]
    (ratio,) = calibration.held_out()
    # Measured: 1.62 (95 % CI 1.60-1.65) against 1.5 +- 0.1, z = +1.22. A model whose ratio
    # left the published interval would fail here, and docs/calibration.md would say so.
    assert ratio.name == "one_stop_throughput_ratio"
    assert ratio.model.low > 1.0  # the change gains
    assert ratio.within, (ratio.model.mean, ratio.z)
