"""Fixtures of the experiment tests: a small land-port scenario with two variants, and one
comparison of it run serially (reused by the tests that only read it)."""

from __future__ import annotations

import pytest
from exp_support import MINI, REPLICATIONS

from portsim.experiment.comparison import Comparison, compare
from portsim.scenario import Scenario, load_scenario


@pytest.fixture(scope="session")
def mini() -> Scenario:
    return load_scenario(MINI)


@pytest.fixture(scope="session")
def comparison(mini: Scenario) -> Comparison:
    return compare(mini, replications=REPLICATIONS, workers=1)
