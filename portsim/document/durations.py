"""Durations that cannot take effect within a run, found before it runs.

A horizon longer than the limit is an error (:mod:`portsim.limits`); other durations have no
bound of their own, and one far longer than the horizon is almost always a unit slip (``1e12``,
``90d`` for ``90min``). It is legal, so it gives a warning, not an error: a spawn's ``spread``
longer than the run puts most members after its end (a mainland spread of 1e12 minutes turned
28,545 arrivals into 0 and ``late_share`` into null with no word said); a ``due_after``, an
``sla``, a staffing threshold or a delay longer than the run can never be reached.

The scan reads the resolved document (plain data, every duration in minutes), so it needs no
knowledge of the model beyond these key names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portsim.wording import format_duration

#: Keys whose value is a duration.
DURATION_KEYS = frozenset({"spread", "due_after", "declared_ahead", "open_above",
                           "close_below", "sla"})
#: Keys holding a distribution of durations, and its keys read as durations.
DISTRIBUTION_KEYS = frozenset({"delay", "off_by"})
DISTRIBUTION_VALUES = ("mean", "value", "high")


def _shown(minutes: float) -> str:
    return format_duration(minutes) if minutes < 1e12 else f"{minutes:.3g}min"


def long_durations(resolved: Mapping[str, Any]) -> list[str]:
    """A warning for each duration of ``resolved`` longer than its horizon, in document order."""
    time = resolved.get("time")
    horizon = time.get("horizon") if isinstance(time, Mapping) else None
    if not isinstance(horizon, int | float) or isinstance(horizon, bool):
        return []
    warnings: list[str] = []
    # Depth-first in document order, without recursion (documents may nest deeply).
    stack: list[tuple[tuple[str, ...], Any]] = [((), resolved)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, Mapping):
            children = [((*path, str(key)), item) for key, item in value.items()]
        elif isinstance(value, list):
            children = [((*path, str(index)), item) for index, item in enumerate(value)]
        else:
            continue
        for child_path, item in children:
            key = child_path[-1]
            if key in DISTRIBUTION_KEYS and isinstance(item, Mapping):
                candidates = [(f"{key}.{name}", item.get(name)) for name in DISTRIBUTION_VALUES]
            elif key in DURATION_KEYS:
                candidates = [(key, item)]
            else:
                candidates = []
            for name, minutes in candidates:
                if isinstance(minutes, int | float) and not isinstance(minutes, bool) \
                        and minutes > horizon:
                    where = ".".join((*child_path[:-1], name))
                    warnings.append(
                        f"{where}: {_shown(float(minutes))} is longer than the horizon "
                        f"({_shown(float(horizon))}), so it cannot take effect within a run; "
                        "check its value and unit")
        stack.extend(reversed(children))
    return warnings


__all__ = ["long_durations"]
