"""Which few KPIs answer "what does this variant do?" — the headline of a comparison.

A planner reads the first screen of a report, not its tables. For each variant the headline
shows the KPIs of whom the variant is for: the classes and stations named by the policies it
switches on, off or changes (each policy says whom it serves), and the classes and stations it
edits directly; then the whole port's mean wait and share within the standard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from portsim.policies.registry import ORDER, REGISTRY
from portsim.stats.kpis import is_balked_slot

Item = tuple[str, str, str]

#: Per class: the mean wait and the share within the standard (what a pledge is about); the
#: time until a milestone and the share late where the class has them.
CLASS_HEADLINE = ("wait_mean", "wait_sla_share")
STATION_HEADLINE = ("wait_mean", "utilisation")
SYSTEM_HEADLINE: tuple[Item, ...] = (("system", "all", "wait_mean"),
                                     ("system", "all", "wait_sla_share"))
#: At most this many classes, or stations, per variant: a headline is short.
MOST = 3


def focus(scenario: Any, variant: str, changed_paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """The classes and the stations a variant is about."""
    classes: list[str] = []
    stations: list[str] = []
    base, other = scenario.document(None).policies, scenario.document(variant).policies
    for name in ORDER:
        before, after = getattr(base, name), getattr(other, name)
        if before == after:
            continue
        for block in (after, before):
            if block is not None:
                serves = REGISTRY[name].serves(block)
                classes.extend(serves.classes)
                stations.extend(serves.stations)
    for path in changed_paths:
        scope, _, rest = path.partition(".")
        if scope in ("classes", "stations") and rest:
            (classes if scope == "classes" else stations).append(rest.split(".")[0])
    return list(dict.fromkeys(classes)), list(dict.fromkeys(stations))


def headline_items(classes: Sequence[str], stations: Sequence[str],
                   available: Any) -> list[Item]:
    """The headline KPIs for these classes and stations that ``available(scope, name)`` (the
    KPI names of the union of the compared models) has, then the whole port's."""
    items: list[Item] = []
    for name in classes[:MOST]:
        kpis = available("classes", name)
        extra = [kpi for kpi in kpis if (kpi.startswith("until_") and kpi.endswith("_mean"))
                 or kpi in ("late_share", "abandoned_share")]
        items += [("classes", name, kpi) for kpi in (*CLASS_HEADLINE, *extra) if kpi in kpis]
    # Stations speak for a variant that names no class (staffing); otherwise its classes do.
    for name in [] if classes else stations[:MOST]:
        kpis = available("stations", name)
        # A station that turns customers away (a full road) says how many it turned away.
        refuses = ("balked_share",) if any(is_balked_slot(kpi) for kpi in kpis) else ()
        items += [("stations", name, kpi)
                  for kpi in (*STATION_HEADLINE, "abandoned_share", *refuses) if kpi in kpis]
    items += [item for item in SYSTEM_HEADLINE if item[2] in available("system", "all")]
    return list(dict.fromkeys(items))


__all__ = ["CLASS_HEADLINE", "STATION_HEADLINE", "SYSTEM_HEADLINE", "focus", "headline_items"]
