"""The headline of a comparison: who gains and who pays, each policy's purpose, "n/a" where one
side lacks a KPI, no % change from a near-zero baseline or for a share.

A made-up comparison (per-replication values by label) stands in for the simulation, so each
rule is checked on numbers chosen for it; tests/scenarios/test_who_pays.py checks the shipped
comparisons the issue names."""

from __future__ import annotations

import numpy as np
import pytest

from portsim.experiment.headline import (
    ALSO,
    BETTER,
    NOT_APPLICABLE,
    PORT,
    PURPOSE,
    SERVED,
    UNCLEAR,
    WORSE,
    Pick,
    choose,
)
from portsim.policies.base import Purpose
from portsim.report.headline import HeadlineRow, sentence
from portsim.report.kpis import enough_digits, shown_kpi
from portsim.stats.kpis import bounds, difference_bounds
from portsim.stats.summary import Interval, t_interval

Values = dict[tuple[str, str, str], list[float]]
RELEASE = Purpose(("sojourn_mean",), ("release delay",))


class Made:
    """What :func:`choose` reads of a comparison, from per-replication values by label."""

    def __init__(self, baseline: Values, variant: Values) -> None:
        self.data = {"baseline": baseline, "v": variant}

    def names(self, scope: str) -> list[str]:
        found = [item[1] for values in self.data.values() for item in values
                 if item[0] == scope]
        return list(dict.fromkeys(found))

    def kpi_names(self, scope: str, name: str) -> list[str]:
        found = [item[2] for values in self.data.values() for item in values
                 if item[:2] == (scope, name)]
        return list(dict.fromkeys(found))

    def values(self, label: str, scope: str, name: str, kpi: str) -> np.ndarray | None:
        found = self.data[label].get((scope, name, kpi))
        return None if found is None else np.asarray(found, dtype=float)

    def summary(self, label: str, scope: str, name: str, kpi: str) -> Interval | None:
        found = self.values(label, scope, name, kpi)
        return None if found is None else t_interval(found, bounds=bounds(scope, kpi))

    def difference(self, variant: str, scope: str, name: str, kpi: str,
                   level: float = 0.95) -> Interval | None:
        base, other = (self.values(label, scope, name, kpi) for label in ("baseline", variant))
        if base is None or other is None:
            return None
        return t_interval(other - base, level, difference_bounds(scope, kpi))

    def row(self, pick: Pick) -> HeadlineRow:
        difference = self.difference("v", *pick.item)
        return HeadlineRow("v", *pick.item, enough_digits(shown_kpi(pick.scope, pick.kpi),
                                                          difference),
                           self.summary("baseline", *pick.item), self.summary("v", *pick.item),
                           difference, pick.why, pick.words)


def green_channel() -> Made:
    """Key flights released ~20 min sooner; ordinary flights wait ~3 min longer (they pay);
    a class that never queues; one whose wait moves by chance only; the whole port."""
    noise = [0.3, -0.4, 0.5, -0.2, 0.1, -0.3]
    base: Values = {
        ("classes", "key", "sojourn_mean"): [66, 68, 65, 67, 66, 69],
        ("classes", "key", "wait_mean"): [16, 17, 15, 16, 18, 15],
        ("classes", "ordinary", "wait_mean"): [15, 16, 15.5, 14.8, 15.2, 16.1],
        ("classes", "ordinary", "wait_sla_share"): [0.79, 0.8, 0.78, 0.79, 0.77, 0.8],
        ("classes", "idle", "wait_mean"): [0.0] * 6,
        ("classes", "idle", "prob_wait"): [0.0] * 6,
        ("classes", "walkers", "wait_mean"): [5.0] * 6,
        ("system", "all", "wait_mean"): [15.5, 15.7, 15.4, 15.6, 15.5, 15.8],
    }
    variant = {**base,
               ("classes", "key", "sojourn_mean"): [47, 48, 46, 47, 46, 49],
               ("classes", "key", "wait_mean"): [3, 4, 3.5, 3, 4, 3.2],
               ("classes", "ordinary", "wait_mean"): [18, 18.8, 18.1, 17.9, 18.2, 19.0],
               ("classes", "ordinary", "wait_sla_share"): [0.74, 0.75, 0.72, 0.74, 0.73, 0.74],
               ("classes", "walkers", "wait_mean"): [5.0 + x for x in noise]}
    return Made(base, variant)


def test_who_pays_is_in_the_headline_after_the_purpose_and_whom_it_is_for() -> None:
    made = green_channel()
    picks = choose(made, "v", ["key"], [], [(("key",), "classes", RELEASE)])
    why = {pick.item: pick.why for pick in picks}
    assert picks[0] == Pick("classes", "key", "sojourn_mean", PURPOSE, "release delay")
    assert why[("classes", "key", "wait_mean")] == SERVED
    # the ordinary flights pay: both their wait and their share within the standard
    assert why[("classes", "ordinary", "wait_mean")] == ALSO
    assert why[("classes", "ordinary", "wait_sla_share")] == ALSO
    assert why[("system", "all", "wait_mean")] == PORT
    # a class that never queues and one whose change is chance are left out
    assert not {item[1] for item in why} & {"idle", "walkers"}
    verdicts = {pick.item: made.row(pick).verdict for pick in picks}
    assert verdicts[("classes", "ordinary", "wait_mean")] == WORSE
    assert verdicts[("classes", "key", "sojourn_mean")] == BETTER


def test_the_sentence_says_what_it_buys_who_pays_and_at_what_cost() -> None:
    made = green_channel()
    picks = choose(made, "v", ["key"], [], [(("key",), "classes", RELEASE)])
    said = sentence("v", [made.row(pick) for pick in picks], 30.0,
                    "+36.0 officer-hours a day (1.20 waiting-hours saved per extra officer-hour)")
    assert said.startswith("v buys for key: release delay -19.")
    assert "who pays: ordinary (mean wait +2." in said
    assert "share with wait ≤ 30 min -5." in said and "points" in said
    assert said.endswith("at what cost: +36.0 officer-hours a day (1.20 waiting-hours saved "
                         "per extra officer-hour) (95% paired intervals).")


def test_a_variant_that_only_saves_says_what_it_saves_then_who_pays() -> None:
    made = green_channel()
    made.data["v"][("classes", "key", "sojourn_mean")] = made.data["baseline"][
        ("classes", "key", "sojourn_mean")]
    made.data["v"][("classes", "key", "wait_mean")] = made.data["baseline"][
        ("classes", "key", "wait_mean")]
    picks = choose(made, "v", ["key"], [], [(("key",), "classes", RELEASE)])
    said = sentence("v", [made.row(pick) for pick in picks], 30.0,
                    "-77.3 officer-hours a day", "77.3 officer-hours a day")
    assert said.startswith("v saves 77.3 officer-hours a day; who pays: ordinary")
    assert "at what cost" not in said and "buys" not in said
    # one that also buys something says both
    made = green_channel()
    picks = choose(made, "v", ["key"], [], [(("key",), "classes", RELEASE)])
    said = sentence("v", [made.row(pick) for pick in picks], 30.0,
                    "-77.3 officer-hours a day", "77.3 officer-hours a day")
    assert said.startswith("v buys for key: release delay -19.")
    assert ", and saves 77.3 officer-hours a day; who pays: ordinary" in said


def test_nobody_pays_is_said_so() -> None:
    made = green_channel()
    made.data["v"] = {**made.data["v"], **{item: values for item, values
                                           in made.data["baseline"].items()
                                           if item[1] == "ordinary"}}
    picks = choose(made, "v", ["key"], [], [(("key",), "classes", RELEASE)])
    assert "nobody is clearly worse off" in sentence("v", [made.row(p) for p in picks], 30.0)


def test_the_purpose_is_shown_without_a_clear_change() -> None:
    made = green_channel()
    made.data["v"][("classes", "key", "sojourn_mean")] = [66, 68, 66, 66, 67, 68]
    picks = choose(made, "v", ["key"], [], [(("key",), "classes", RELEASE)])
    purpose = made.row(picks[0])
    assert purpose.why == PURPOSE and purpose.verdict == UNCLEAR
    said = sentence("v", [made.row(p) for p in picks], 30.0)
    assert "for key: mean wait" in said  # what it did buy, since not its purpose


def test_a_kpi_one_side_lacks_reads_n_a() -> None:
    """A station the variant creates: its purpose KPI exists in the variant only."""
    made = green_channel()
    made.data["v"][("stations", "gates", "wait_mean")] = [1.0, 1.2, 0.9, 1.1, 1.0, 1.3]
    made.data["v"][("stations", "gates", "prob_wait")] = [0.4] * 6
    gates = Purpose(("wait_mean",), ("mean wait",))
    picks = choose(made, "v", [], ["gates"], [(("gates",), "stations", gates)])
    [row] = [made.row(p) for p in picks if p.item == ("stations", "gates", "wait_mean")]
    assert row.verdict == NOT_APPLICABLE
    _, baseline, variant, change, percent, verdict = row.cells(30.0)
    assert (baseline, change, percent, verdict) == ("—", "—", "—", "n/a")
    assert variant.startswith("1.08")
    said = sentence("v", [made.row(p) for p in picks], 30.0)
    assert "only in the variant: gates (mean wait 1.08 min)" in said


def test_a_class_only_one_side_has_is_named_with_its_wait_though_no_policy_serves_it() -> None:
    """A class a policy spawns (an inspection in port) is nobody's purpose and cannot be paired:
    the headline still names it with its wait, since it may be who pays. One whose members
    never waited, or a KPI other than the wait, is left out."""
    made = green_channel()
    made.data["v"][("classes", "inspections", "wait_mean")] = [110.0, 118.0, 114.0, 112.0,
                                                              116.0, 114.0]
    made.data["v"][("classes", "inspections", "sojourn_mean")] = [150.0] * 6
    made.data["v"][("classes", "quiet", "wait_mean")] = [0.0] * 6
    made.data["v"][("classes", "quiet", "prob_wait")] = [0.0] * 6
    picks = choose(made, "v", ["key"], [], [(("key",), "classes", RELEASE)])
    why = {pick.item: pick.why for pick in picks}
    assert why[("classes", "inspections", "wait_mean")] == ALSO
    assert ("classes", "inspections", "sojourn_mean") not in why
    assert not any(item[1] == "quiet" for item in why)
    said = sentence("v", [made.row(p) for p in picks], 30.0)
    assert "only in the variant: inspections (mean wait 114" in said


@pytest.mark.parametrize(("before", "after", "kpi", "percent"), [
    ([0.040, 0.041, 0.039, 0.040], [0.150, 0.152, 0.148, 0.150], "wait_mean", "—"),
    ([0.80, 0.81, 0.79, 0.80], [0.90, 0.91, 0.89, 0.90], "wait_sla_share", "—"),  # a share
    ([10.0, 11.0, 9.0, 10.0], [12.0, 13.0, 11.0, 12.0], "wait_mean", "+20 %"),
])
def test_a_change_from_near_zero_or_of_a_share_is_absolute(before: list[float],
                                                          after: list[float], kpi: str,
                                                          percent: str) -> None:
    made = Made({("classes", "c", kpi): before}, {("classes", "c", kpi): after})
    row = made.row(Pick("classes", "c", kpi, SERVED))
    cells = row.cells(30.0)
    assert cells[4] == percent
    if kpi == "wait_mean" and percent == "—":  # 0.04 -> 0.15 min: +0.11, not "+263 %"
        assert cells[1:4] == ["0.040", "0.150", "+0.110 ± 0.001"] and row.verdict == WORSE
        said = sentence("v", [row], 30.0)
        assert "who pays: c (mean wait +0.110 ± 0.001 min)" in said and "263" not in said


def test_a_tiny_difference_gets_the_digits_to_show_it() -> None:
    """+0.007 ± 0.002 min, not +0.01 ± 0.00."""
    made = Made({("classes", "c", "wait_mean"): [0.170, 0.172, 0.168, 0.171]},
                {("classes", "c", "wait_mean"): [0.177, 0.178, 0.176, 0.177]})
    cells = made.row(Pick("classes", "c", "wait_mean", SERVED)).cells(30.0)
    assert cells[3].startswith("+0.007 ± 0.00") and cells[1] == "0.170"


def test_a_benefit_per_unit_that_is_clearly_negative_reads_as_waiting_hours_added() -> None:
    from portsim.experiment.ledger import PerUnit
    from portsim.report.ledger import per_unit_words

    def per_officer_hour(mean: float, half_width: float) -> tuple[str, str]:
        ratio = Interval(mean, mean - half_width, mean + half_width, half_width, 10)
        found = PerUnit("officer_hours", ratio, ratio, ratio)
        return per_unit_words(None, found)  # type: ignore[arg-type]

    assert per_officer_hour(-1.21, 0.11) == ("waiting-hours added per extra officer-hour",
                                             "1.21 ± 0.11")
    assert per_officer_hour(1.2, 0.3) == ("waiting-hours saved per extra officer-hour",
                                          "1.20 ± 0.30")
    # an interval that reaches zero is no clear direction: the signed saving stays
    assert per_officer_hour(-0.1, 0.3) == ("waiting-hours saved per extra officer-hour",
                                           "-0.10 ± 0.30")
