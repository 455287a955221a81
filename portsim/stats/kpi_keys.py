"""The names of the KPIs made per clock slot, clock time and resource, and how to read them
back: ``wait_h0800_p95`` (slot 08:00), ``queue_at_d2_0800`` (08:00 on day 2),
``balked_h1000_share``, ``officer_hours``."""

from __future__ import annotations

import functools
import re


def slot_name(start_minutes: float, day: int | None = None) -> str:
    """``h0800`` for the slot starting 08:00 (``d2_h0800`` on day 2)."""
    minutes = round(start_minutes) % 1440
    name = f"h{minutes // 60:02d}{minutes % 60:02d}"
    return name if day is None else f"d{day}_{name}"


def clock_name(minutes: float, day: int | None = None) -> str:
    """``0800`` for 08:00 (``d2_0800`` on day 2)."""
    value = round(minutes) % 1440
    name = f"{value // 60:02d}{value % 60:02d}"
    return name if day is None else f"d{day}_{name}"


def is_balked_slot(key: str) -> bool:
    """Whether ``key`` is a station's balked share of one clock slot (``balked_h1000_share``)."""
    return _BALKED_SLOT_KEY.match(key) is not None


@functools.lru_cache(maxsize=8192)
def parse_slot_key(key: str) -> tuple[str, str] | None:
    """``wait_d2_h0800_beyond_share`` → ("d2_h0800", "beyond_share"); None for other keys."""
    found = _SLOT_KEY.match(key)
    return None if found is None else (found.group("slot"), found.group("kpi"))


_SLOT_KEY = re.compile(
    r"^wait_(?P<slot>(?:d\d+_)?h\d{4})_(?P<kpi>count|mean|p95|beyond_share|max|monitor)$")
_BALKED_SLOT_KEY = re.compile(r"^balked_(?P<slot>(?:d\d+_)?h\d{4})_share$")
_CLOCK_KEY = re.compile(r"^queue_at_(?P<clock>(?:d\d+_)?\d{4})$")
_RESOURCE_KEY = re.compile(r"^(?P<resource>.+)_(?P<what>hours|positions)$")
