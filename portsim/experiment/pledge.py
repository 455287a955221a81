"""The pledge, hour by hour: is at least the pledged share waiting within the standard in every
clock slot, and where not, in which slots does the interval show it?

A pledge such as "no more than 5 % of travellers wait longer than 30 minutes" holds or breaks
hour by hour; the peak hour decides it. For each slot of the day the share waiting longer than
the standard (``wait_h0800_beyond_share``, every measured day pooled, the customers still
queueing at the end counted with their wait so far) has a 95 % interval over replications:

- **met** in a slot when the whole interval lies at or below the allowed share (1 − pledge);
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


@dataclass(frozen=True)
class SlotVerdict:
    slot: str
    """``h0800``: the slot starting 08:00."""
    beyond: Interval
    """Share waiting longer than the standard, mean and 95 % interval over replications."""
    status: str

    @property
    def clock(self) -> str:
        return f"{self.slot[1:3]}:{self.slot[3:5]}"


@dataclass(frozen=True)
class Verdict:
    """The pledge for one class or station over every slot with arrivals."""

    share: float
    slots: tuple[SlotVerdict, ...]

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
            return f"met in all {count} slot{'' if count == 1 else 's'}{aside}"
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
    """The pledge verdict of a class or station over every slot that had arrivals."""
    share = results.pledge_share if share is None else share
    allowed = 1.0 - share
    slots = []
    for slot in slot_names(results, scope, name):
        if results.summary(scope, name, f"wait_{slot}_count").mean <= 0:
            continue
        beyond = results.summary(scope, name, f"wait_{slot}_beyond_share")
        slots.append(SlotVerdict(slot, beyond, judge(beyond, allowed)))
    return Verdict(share, tuple(slots))


__all__ = ["BROKEN", "MET", "THIN", "UNCERTAIN", "SlotVerdict", "Verdict", "judge", "slot_names",
           "verdict"]
