"""The pledge, slot by slot: is at least the pledged share waiting within the standard in every
clock slot (or, measured by the longest wait, is nobody waiting longer), and where not, in which
slots does the interval show it?

A pledge such as "no more than 5 % of travellers wait longer than 30 minutes" holds or breaks
hour by hour; the peak hour decides it. The scenario's ``pledge:`` says whose queue counts (its
``classes``, default every class), the slot width and the measure. For each slot of the day
the measure — the share waiting longer than the standard (``wait_h0800_beyond_share``) or the
longest wait (``wait_h0800_max``), every measured day pooled, the customers still queueing at
the end counted with their wait so far — has a 95 % interval over replications:

- **met** in a slot when the whole interval lies at or below what is allowed (1 − the pledged
  share; or the standard itself, for the longest wait);
- **broken** when the whole interval lies above it;
- **uncertain** when the interval straddles it (more replications would tell);
- not judged when fewer than two replications had arrivals in the slot (a night hour).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portsim.stats.summary import Interval

if TYPE_CHECKING:
    from portsim.experiment.results import Results

MET, BROKEN, UNCERTAIN, THIN = "met", "broken", "uncertain", "too few arrivals"
_POOLED = re.compile(r"^wait_(h\d{4})_beyond_share$")
#: The pledge's measures: the slot KPI each is judged on.
SHARE, LONGEST, MONITOR = "share", "longest", "monitor"
_KPI = {SHARE: "beyond_share", LONGEST: "max", MONITOR: "monitor"}


def slot_words(minutes: float) -> str:
    """A slot as people name it: ``hour``, ``half-hour``, ``15-minute slot``, ``2-hour slot``."""
    if abs(minutes - 60.0) < 1e-9:
        return "hour"
    if abs(minutes - 30.0) < 1e-9:
        return "half-hour"
    if abs(minutes - 1440.0) < 1e-9:
        return "day"
    if minutes % 60 == 0:
        return f"{minutes / 60:g}-hour slot"
    return f"{minutes:g}-minute slot"


def pledged_classes(results: Results, names: list[str]) -> list[str]:
    """Of ``names`` (classes in the results), those whose queue the pledge counts."""
    chosen = results.pledge_classes
    return [name for name in names if chosen is None or name in chosen]


def pledge_words(results: Results) -> str:
    """``at least 80% wait ≤ 20 s in every half-hour of arrival`` (or, by the longest wait,
    ``nobody waits longer than 30 min in any hour of arrival``)."""
    from portsim.wording import standard_words

    standard = standard_words(results.sla) if results.sla else "the standard"
    slot = slot_words(results.pledge_slot)
    if results.pledge_measure == LONGEST:
        return f"nobody waits longer than {standard}, in any {slot} of arrival"
    if results.pledge_measure == MONITOR:
        return (f"the queue as a monitor reads it every 15 min (the wait of the last in line) "
                f"is at most {standard}, in every {slot}")
    return f"at least {results.pledge_share:.0%} wait ≤ {standard} in every {slot} of arrival"


@dataclass(frozen=True)
class SlotVerdict:
    slot: str
    """``h0800``: the slot starting 08:00."""
    beyond: Interval
    """The measure over replications (mean and 95 % interval): the share waiting longer than
    the standard, or the longest wait."""
    status: str

    @property
    def clock(self) -> str:
        return f"{self.slot[1:3]}:{self.slot[3:5]}"


@dataclass(frozen=True)
class Verdict:
    """The pledge for one class or station over every slot with arrivals."""

    share: float
    slots: tuple[SlotVerdict, ...]
    slot_minutes: float = 60.0
    measure: str = SHARE

    @property
    def judged(self) -> tuple[SlotVerdict, ...]:
        """The slots with arrivals in at least two replications (an interval to judge by)."""
        return tuple(slot for slot in self.slots if slot.status != THIN)

    @property
    def status(self) -> str:
        if any(slot.status == BROKEN for slot in self.slots):
            return BROKEN
        if any(slot.status == UNCERTAIN for slot in self.slots):
            return UNCERTAIN
        return MET

    def hours(self, status: str) -> list[str]:
        return [slot.clock for slot in self.slots if slot.status == status]

    def spans(self, status: str) -> str:
        """The slots with ``status`` as clock ranges: ``00:00–11:00, 22:00–24:00``."""
        starts = [_minutes(slot.slot) for slot in self.slots]
        width = min((b - a for a, b in itertools.pairwise(starts) if b > a),
                    default=60)
        chosen = [_minutes(slot.slot) for slot in self.slots if slot.status == status]
        ranges: list[list[int]] = []
        for start in chosen:
            if ranges and start == ranges[-1][1]:
                ranges[-1][1] = start + width
            else:
                ranges.append([start, start + width])
        return ", ".join(f"{_clock(low)}–{_clock(high)}" for low, high in ranges)

    def text(self) -> str:
        """``met in every hour``, ``broken at 16:00, 17:00 (uncertain at 18:00)``."""
        if not self.slots:
            return "no arrivals"
        thin = len(self.slots) - len(self.judged)
        aside = f" ({thin} too thin to judge)" if thin else ""
        broken, uncertain = self.hours(BROKEN), self.hours(UNCERTAIN)
        if not broken and not uncertain:
            count = len(self.judged)
            slot, plural = slot_words(self.slot_minutes), "s" if count != 1 else ""
            return f"met in {'all ' if count > 1 else ''}{count} {slot}{plural}{aside}"
        parts = []
        if broken:
            parts.append(f"broken {self.spans(BROKEN)}")
        if uncertain:
            parts.append(f"uncertain {self.spans(UNCERTAIN)}")
        return "; ".join(parts) + aside


def _minutes(slot: str) -> int:
    return int(slot[1:3]) * 60 + int(slot[3:5])


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def slot_names(results: Results, scope: str, name: str) -> list[str]:
    """The pooled slots ``results`` has for a class or station, in clock order."""
    found = [match.group(1) for kpi in results.kpi_names(scope, name)
             if (match := _POOLED.match(kpi))]
    return sorted(found)


def judge(beyond: Interval, allowed: float) -> str:
    """The status of one slot whose share beyond the standard is ``beyond``."""
    if beyond.n < 2 or not math.isfinite(beyond.mean):
        return THIN  # one replication with arrivals says nothing of its own precision
    low = beyond.low if math.isfinite(beyond.low) else beyond.mean
    high = beyond.high if math.isfinite(beyond.high) else beyond.mean
    if high <= allowed:
        return MET
    if low > allowed:
        return BROKEN
    return UNCERTAIN


def verdict(results: Results, scope: str, name: str, share: float | None = None) -> Verdict:
    """The pledge verdict of a class or station over every slot that had arrivals, by the
    pledge's measure (the share beyond the standard, or the longest wait)."""
    share = results.pledge_share if share is None else share
    measure = results.pledge_measure
    allowed = (results.sla if results.sla is not None else math.inf) \
        if measure in (LONGEST, MONITOR) else 1.0 - share
    slots = []
    for slot in slot_names(results, scope, name):
        if results.summary(scope, name, f"wait_{slot}_count").mean <= 0:
            continue
        value = results.summary(scope, name, f"wait_{slot}_{_KPI[measure]}")
        slots.append(SlotVerdict(slot, value, judge(value, allowed)))
    return Verdict(share, tuple(slots), results.pledge_slot, measure)


__all__ = ["BROKEN", "LONGEST", "MET", "MONITOR", "SHARE", "THIN", "UNCERTAIN", "SlotVerdict",
           "Verdict", "judge", "pledge_words", "pledged_classes", "slot_names", "slot_words",
           "verdict"]
