"""How portsim writes values for people: durations in their largest exact unit, a waiting
standard in words, and a user's value as it looked in YAML (for messages).

Plain functions without dependencies, shared by the document's messages, the limits, the reports
and the experiments; reading values with units is :mod:`portsim.units`' job.
"""

from __future__ import annotations


def show_value(value: object) -> str:
    """A user's value as it looked in YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, tuple):  # from Python: say so, not "a valid list (got a list)"
        return "a tuple"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def standard_words(minutes: float) -> str:
    """A waiting-time standard in words: ``30 min``, or ``20 s`` when not whole minutes."""
    if abs(minutes - round(minutes)) < 1e-9:
        return f"{minutes:g} min"
    seconds = minutes * 60
    return f"{seconds:g} s" if abs(seconds - round(seconds)) < 1e-6 else f"{minutes:.3g} min"


def format_duration(minutes: float) -> str:
    """Minutes in the largest unit that shows them exactly (2880.0 -> "2d"), for messages."""
    for unit, size in (("d", 1440.0), ("h", 60.0), ("min", 1.0), ("s", 1 / 60)):
        count = minutes / size
        if count >= 1 and abs(count - round(count)) < 1e-9:
            return f"{round(count)}{unit}"
    return f"{minutes:g}min"
