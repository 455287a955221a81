"""The administration's other queues on the same engine: each shipped service scenario runs,
and its policy variant makes a difference the paired 95 % interval shows."""

from __future__ import annotations

from pathlib import Path

import pytest

import portsim
from portsim.experiment.comparison import compare

SERVICES = Path(__file__).parents[2] / "scenarios" / "services"
FILES = sorted(SERVICES.glob("*.yaml"))


def test_the_four_families_are_shipped() -> None:
    assert {path.stem for path in FILES} >= {
        "hotline_12367", "document_hall", "nationwide_application"}
    online = [variant for path in FILES
              for variant in portsim.load_scenario(path).variant_names if "online" in variant]
    assert len(online) >= 2, "the online platform shows in the hotline and the hall"


def improvement(path: str, variant: str, scope: str, name: str, kpi: str,
                replications: int) -> tuple[float, float]:
    """The paired 95 % interval of variant - baseline."""
    comparison = compare(portsim.load_scenario(SERVICES / path), variants=[variant],
                         replications=replications, workers=2)
    interval = comparison.difference(variant, scope, name, kpi)
    return interval.low, interval.high


@pytest.mark.parametrize(("path", "variant", "scope", "name", "kpi", "sign", "replications"), [
    # Applying anywhere brings the overloaded centre's applicants within the standard.
    ("nationwide_application.yaml", "nationwide_application", "classes", "residents_centre",
     "wait_sla_share", +1, 6),
    # Bookings for half the walk-ins cut the walk-ins' waits.
    ("document_hall.yaml", "more_slots", "classes", "walk_in_applicants", "wait_mean", -1, 6),
    # Renewals online take load off the kiosks and counters.
    ("document_hall.yaml", "online_30", "classes", "renewals", "wait_mean", -1, 6),
    # An automated answer for a fifth of the calls lifts the 20-second service level.
    ("hotline_12367.yaml", "automated_answer", "system", "all", "wait_sla_share", +1, 2),
    # Bilingual agents in the day shift: fewer English callers hang up.
    ("hotline_12367.yaml", "more_bilingual", "classes", "english_callers", "abandoned_share",
     -1, 4),
])
@pytest.mark.slow
def test_the_policy_variant_makes_a_significant_difference(
        path: str, variant: str, scope: str, name: str, kpi: str, sign: int,
        replications: int) -> None:
    low, high = improvement(path, variant, scope, name, kpi, replications)
    assert (low > 0) if sign > 0 else (high < 0), (low, high)



def test_more_online_means_shorter_waits_in_the_hall() -> None:
    """A variant per online share: the renewals' mean wait falls as the share grows."""
    comparison = compare(portsim.load_scenario(SERVICES / "document_hall.yaml"),
                         variants=["online_15", "online_30", "online_60"], replications=4,
                         workers=2)
    means = [comparison.summary(label, "classes", "renewals", "wait_mean").mean
             for label in ("baseline", "online_15", "online_30", "online_60")]
    assert means == sorted(means, reverse=True), means
    assert comparison.difference("online_60", "classes", "renewals", "wait_mean").high < 0
