"""Quantities with units as scenario files and command options write them: durations in minutes,
rates per minute, shares.

A bare number is minutes (durations) or per minute (rates); a string may carry a unit
(``45s``, ``30min``, ``2h``, ``3d``, ``"06:30"``; ``120/h``, ``2/min``, ``30/s``, ``4000/d``).
The parsers are plain functions raising ``ValueError`` with a message meant for the user; the
document's field types (:mod:`portsim.document.fields`) put them in front of pydantic's bounds.
"""

from __future__ import annotations

import math
import re

from portsim.wording import show_value

#: Minutes in one unit, by every spelling accepted (matched case-insensitively).
UNIT_MINUTES: dict[str, float] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1 / 60),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), 1.0),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 60.0),
    **dict.fromkeys(("d", "day", "days"), 1440.0),
}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_DURATION_RE = re.compile(rf"^({_NUMBER})\s*([a-zA-Z]*)$")
_CLOCK_RE = re.compile(r"^(\d{1,3}):(\d{2})$")
_RATE_RE = re.compile(rf"^({_NUMBER})\s*(?:/\s*([a-zA-Z]+))?$")

DURATION_HELP = "a number of minutes, a number with a unit (45s, 30min, 2h, 3d) or HH:MM"
RATE_HELP = "a number per minute or a number per unit (120/h, 2/min, 30/s, 4000/d)"


def _check_number(value: float, shown: str | None, what: str) -> float:
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        number = math.inf
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{what} must be a finite number (got {shown or show_value(value)})")
    if number < 0:
        raise ValueError(f"{what} cannot be negative (got {shown or show_value(value)})")
    return number


#: Integers up to this convert to floats exactly; larger ones take the careful path.
_EXACT = 2**53


def _unit(name: str, original: str, what: str, help_text: str) -> float:
    try:
        return UNIT_MINUTES[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown unit {name!r} in {what} {original!r}; write {help_text}"
        ) from None


def parse_duration(value: object) -> float:
    """A duration in minutes from a number (minutes) or a string with a unit or ``HH:MM``.

    Raises ``ValueError`` with a message meant for the user for anything else, including
    negative, infinite and NaN values.
    """
    # Fast path for what validation sees most (a timetable of a million rows): a sane number.
    if type(value) is float and 0.0 <= value < math.inf:
        return value
    if type(value) is int and 0 <= value <= _EXACT:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a duration, {DURATION_HELP} (got {show_value(value)})")
    if not isinstance(value, str):
        return _check_number(value, None, "a duration")
    text = value.strip()
    clock = _CLOCK_RE.match(text)
    if clock:
        hours, minutes = int(clock[1]), int(clock[2])
        if minutes >= 60:
            raise ValueError(f"invalid time {value!r}: minutes must be below 60")
        return hours * 60.0 + minutes
    match = _DURATION_RE.match(text)
    if not match:
        raise ValueError(f"invalid duration {value!r}; write {DURATION_HELP}")
    number = _check_number(float(match[1]), repr(value), "a duration")
    scale = _unit(match[2], value, "duration", DURATION_HELP) if match[2] else 1.0
    return number * scale


def parse_rate(value: object) -> float:
    """A rate per minute from a number (per minute) or a string such as ``120/h``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a rate, {RATE_HELP} (got {show_value(value)})")
    if not isinstance(value, str):
        return _check_number(value, None, "a rate")
    match = _RATE_RE.match(value.strip())
    if not match:
        raise ValueError(f"invalid rate {value!r}; write {RATE_HELP}")
    number = _check_number(float(match[1]), repr(value), "a rate")
    per = _unit(match[2], value, "rate", RATE_HELP) if match[2] else 1.0
    return number / per


def parse_share(value: object) -> float:
    """A share strictly between 0 and 1 from a number (0.05) or a percentage (``"5%"``)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a share such as 5% or 0.05 (got {show_value(value)})")
    text = value.strip() if isinstance(value, str) else None
    try:
        share = (float(text[:-1]) / 100 if text.endswith("%") else float(text)) \
            if text is not None else float(value)
    except ValueError:
        raise ValueError(f"expected a share such as 5% or 0.05 (got {value!r})") from None
    if not (math.isfinite(share) and 0 < share < 1):
        raise ValueError(f"a share must lie strictly between 0 and 100% (got {show_value(value)})")
    return share
