"""Fixtures shared by the policy tests."""

from __future__ import annotations

import pytest
from policy_helpers import shipped

import portsim


@pytest.fixture(scope="session")
def cargo() -> portsim.Scenario:
    return shipped("airport/cargo_flights.yaml")
