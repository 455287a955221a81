"""Which KPIs answer "what does this variant buy, for whom, and who pays?" — the headline.

A planner decides on the first screen of a report, so the headline of each variant must show
the benefit and everyone who pays for it, not only whom the variant is meant for. In order:

- **purpose**: the KPI each policy the variant switches on, off or changes exists for, read
  for whom it serves (the green channel: the key flights' time until the border has cleared
  them; zero wait: the ships' time to berth; staffing: the share within the standard at its
  stations); for what a variant edits directly, the edited classes' and stations' share
  within the standard;
- **for whom**: the classes the policies name and the variant edits, with their mean wait and
  share within the standard (a variant that names no class: its stations' own KPIs);
- **also changed**: every other class and station whose wait, share within the standard,
  abandonment, time in system or lateness changed with a clear interval (one that excludes 0),
  better or worse: who else gains, and who pays;
- **whole port**: the port's mean wait and share within the standard.

A KPI with the same value in every replication of both the baseline and the variant (a class
that never queues) cannot change and is left out. A KPI only one side has is kept where it is
the variant's purpose or whom it is for, with no difference ("n/a").
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from portsim.policies.base import Purpose
from portsim.policies.registry import ORDER, REGISTRY
from portsim.stats.kpis import direction, is_balked_slot
from portsim.stats.summary import Interval

Item = tuple[str, str, str]

PURPOSE, SERVED, ALSO, PORT = "purpose", "for whom", "also changed", "whole port"
#: Why the ledger's KPIs are in a headline (results.json, comparison.csv): what it costs.
COST = "cost"
BETTER, WORSE, UNCLEAR, CHANGED, NOT_APPLICABLE = (
    "better", "worse", "no clear change", "changed", "n/a")

#: Per class: the mean wait and the share within the standard (what a pledge is about); the
#: time until a milestone and the share late where the class has them.
CLASS_HEADLINE = ("wait_mean", "wait_sla_share")
STATION_HEADLINE = ("wait_mean", "utilisation")
SYSTEM_HEADLINE: tuple[Item, ...] = (("system", "all", "wait_mean"),
                                     ("system", "all", "wait_sla_share"))
#: What the headline says of a class or station on one side only: its mean wait.
ONE_SIDE_HEADLINE = ("wait_mean",)
#: What a variant buys for the classes and stations it edits without a policy: their share
#: within the standard (the hotline's calls answered within 20 s, a hall's 30-minute pledge).
EDITED = Purpose(("wait_sla_share",), ("",))
#: The KPIs looked at for everybody: a clear change in any of them is in the headline.
SCANNED = {
    "classes": ("wait_mean", "wait_sla_share", "abandoned_share", "balked_share",
                "sojourn_mean", "late_share", "lateness_mean", "until_*_mean"),
    "stations": ("wait_mean", "wait_sla_share", "abandoned_share", "balked_share"),
}


class Compared(Protocol):
    """What choosing a headline reads of a comparison."""

    def names(self, scope: str) -> list[str]: ...

    def kpi_names(self, scope: str, name: str) -> list[str]: ...

    def difference(self, variant: str, scope: str, name: str, kpi: str,
                   level: float = 0.95) -> Interval | None: ...

    def values(self, label: str, scope: str, name: str, kpi: str) -> np.ndarray | None: ...


@dataclass(frozen=True)
class Pick:
    """One KPI of a variant's headline and why it is there (:data:`PURPOSE`, :data:`SERVED`,
    :data:`ALSO` or :data:`PORT`); ``words`` name a purpose (``release delay``)."""

    scope: str
    name: str
    kpi: str
    why: str
    words: str | None = None

    @property
    def item(self) -> Item:
        return self.scope, self.name, self.kpi

    def to_dict(self) -> dict[str, Any]:
        found = {"kpi": ".".join(self.item), "why": self.why}
        return found if self.words is None else {**found, "words": self.words}


def verdict(difference: Interval | None, kpi: str) -> str:
    """Better or worse when the paired interval excludes 0 (which way is better is the
    catalogue's), "changed" for a KPI with no better side, "no clear change" otherwise, "n/a"
    when one side lacks the KPI."""
    if difference is None:
        return NOT_APPLICABLE
    if not difference.excludes_zero:
        return UNCLEAR
    way = direction(kpi)
    if way == 0:
        return CHANGED
    return BETTER if (difference.mean > 0) == (way > 0) else WORSE


def focus(scenario: Any, variant: str, changed_paths: Iterable[str],
          ) -> tuple[list[str], list[str], list[tuple[tuple[str, ...], str, Purpose]]]:
    """The classes and the stations a variant is about, and its purposes: (subjects, scope,
    purpose) for each policy it switches on, off or changes, and for what it edits directly."""
    classes: list[str] = []
    stations: list[str] = []
    purposes: list[tuple[tuple[str, ...], str, Purpose]] = []
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
                if serves.purpose is not None:
                    subjects, scope = ((serves.classes, "classes") if serves.classes
                                       else (serves.stations, "stations"))
                    purposes.append((subjects, scope, serves.purpose))
    edited_classes, edited_stations, edited_purposes = edited(changed_paths)
    classes += edited_classes
    stations += edited_stations
    purposes += edited_purposes
    return list(dict.fromkeys(classes)), list(dict.fromkeys(stations)), purposes


def edited(changed_paths: Iterable[str],
           ) -> tuple[list[str], list[str], list[tuple[tuple[str, ...], str, Purpose]]]:
    """The classes and stations whose own settings the changed paths edit, and the purpose
    of such an edit (their share within the standard)."""
    found: dict[str, list[str]] = {"classes": [], "stations": []}
    for path in changed_paths:
        scope, _, rest = path.partition(".")
        if scope in found and rest:
            found[scope].append(rest.split(".")[0])
    purposes = [(tuple(dict.fromkeys(names)), scope, EDITED)
                for scope, names in found.items() if names]
    return (list(dict.fromkeys(found["classes"])), list(dict.fromkeys(found["stations"])),
            purposes)


def purpose_picks(purposes: Sequence[tuple[tuple[str, ...], str, Purpose]],
                  available: Callable[[str, str], list[str]]) -> list[Pick]:
    """For each purpose's subject, the first of its KPIs the compared models have."""
    picks = []
    for subjects, scope, purpose in purposes:
        for subject in subjects:
            kpis = available(scope, subject)
            for pattern, words in zip(purpose.kpis, purpose.words, strict=True):
                found = fnmatch.filter(kpis, pattern)
                if found:
                    milestone = found[0].removeprefix("until_").removesuffix("_mean")
                    said = words.replace("{milestone}", milestone.replace("_", " "))
                    picks.append(Pick(scope, subject, found[0], PURPOSE, said or None))
                    break
    return picks


def served_items(classes: Sequence[str], stations: Sequence[str],
                 available: Callable[[str, str], list[str]]) -> list[Item]:
    """The KPIs of whom the variant is for: each class's mean wait and share within the
    standard (with its milestones, lateness and abandonment); a variant that names no class
    speaks through its stations' wait, utilisation and abandonment."""
    items: list[Item] = []
    for name in classes:
        kpis = available("classes", name)
        extra = [kpi for kpi in kpis if (kpi.startswith("until_") and kpi.endswith("_mean"))
                 or kpi in ("late_share", "abandoned_share")]
        items += [("classes", name, kpi) for kpi in (*CLASS_HEADLINE, *extra) if kpi in kpis]
    for name in [] if classes else stations:
        kpis = available("stations", name)
        # A station that turns customers away (a full road) says how many it turned away.
        refuses = ("balked_share",) if any(is_balked_slot(kpi) for kpi in kpis) else ()
        items += [("stations", name, kpi)
                  for kpi in (*STATION_HEADLINE, "abandoned_share", *refuses) if kpi in kpis]
    return items


def _scanned(comparison: Compared, scope: str, name: str) -> list[str]:
    kpis = comparison.kpi_names(scope, name)
    return [kpi for pattern in SCANNED[scope] for kpi in fnmatch.filter(kpis, pattern)]


def _says_nothing(comparison: Compared, variant: str, item: Item) -> bool:
    """Whether the KPI has one value in every replication of both sides (it did not change,
    and by chance could not have: nobody of the class ever queues), or, where only one side
    has it, one value there and nobody of its class or station ever waited."""
    labels = ("baseline", variant)
    seen = [values for label in labels if (values := comparison.values(label, *item)) is not None]
    joined = np.concatenate(seen) if seen else np.zeros(0)
    if not joined.size or not np.all(joined == joined[0]):
        return False
    if len(seen) == 2:
        return True
    scope, name, _ = item
    waited = [comparison.values(label, scope, name, "prob_wait") for label in labels]
    return all(values is None or not np.any(values) for values in waited)


def choose(comparison: Compared, variant: str, classes: Sequence[str],
           stations: Sequence[str],
           purposes: Sequence[tuple[tuple[str, ...], str, Purpose]]) -> list[Pick]:
    """The headline of ``variant``: its purpose, whom it is for, every other clear change
    (worse first: who pays), then the whole port (see the module's docstring)."""
    picks = purpose_picks(purposes, comparison.kpi_names)
    picks += [Pick(*item, SERVED) for item in served_items(classes, stations,
                                                           comparison.kpi_names)]
    taken = {pick.item for pick in picks}
    port = [Pick(*item, PORT) for item in SYSTEM_HEADLINE
            if item[2] in comparison.kpi_names("system", "all")]
    also: dict[str, list[Pick]] = {WORSE: [], BETTER: [], NOT_APPLICABLE: []}
    for scope in SCANNED:
        for name in comparison.names(scope):
            clearly_waits = False
            for kpi in _scanned(comparison, scope, name):
                found = verdict(comparison.difference(variant, scope, name, kpi), kpi)
                if kpi == "wait_mean":
                    clearly_waits = found in (BETTER, WORSE)
                # Whoever is on one side only (a class a policy spawns, a station it adds or
                # removes) is named with its wait: nobody can be paired with them, and they
                # may be the ones who pay.
                if found == NOT_APPLICABLE and kpi not in ONE_SIDE_HEADLINE:
                    continue
                # A class's time in system says more than its wait only when its wait did not
                # clearly change (a faster service, a shorter walk).
                if found not in also or (scope, name, kpi) in taken or (
                        kpi == "sojourn_mean" and clearly_waits):
                    continue
                also[found].append(Pick(scope, name, kpi, ALSO))
    chosen = [*picks, *also[WORSE], *also[NOT_APPLICABLE], *also[BETTER], *port]
    unique = {pick.item: pick for pick in reversed(chosen)}  # the first reason wins
    return [pick for pick in chosen if unique[pick.item] is pick
            and not _says_nothing(comparison, variant, pick.item)]


__all__ = ["ALSO", "BETTER", "CHANGED", "CLASS_HEADLINE", "COST", "EDITED", "NOT_APPLICABLE",
           "ONE_SIDE_HEADLINE",
           "PORT", "PURPOSE", "SCANNED", "SERVED", "STATION_HEADLINE", "SYSTEM_HEADLINE",
           "UNCLEAR", "WORSE", "Compared", "Pick", "choose", "edited", "focus",
           "purpose_picks", "served_items", "verdict"]
