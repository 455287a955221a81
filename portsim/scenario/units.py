"""Units of scenario files: durations in minutes, rates per minute, probabilities.

A bare number is minutes (durations) or per minute (rates); a string may carry a unit
(``45s``, ``30min``, ``2h``, ``3d``, ``"06:30"``; ``120/h``, ``2/min``, ``30/s``, ``4000/d``).
The parsers are plain functions; the ``Annotated`` types below put them in front of pydantic's
own bounds, so every model shares one definition of what a duration or a rate is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

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


def _pydantic(parser: Callable[[object], float], error_type: str) -> BeforeValidator:
    """Run ``parser`` before pydantic's own checks, reporting its message as it is."""

    def validate(value: object) -> float:
        try:
            return parser(value)
        except ValueError as error:
            # The message is passed as context so braces in a user's value cannot break it.
            raise PydanticCustomError(error_type, "{message}", {"message": str(error)}) from None

    return BeforeValidator(validate)


_DURATION_PATTERN = r"^\s*(\d{1,3}:\d{2}|[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*[a-zA-Z]*)\s*$"
_RATE_PATTERN = r"^\s*[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*(/\s*[a-zA-Z]+)?\s*$"


def _json_schema(pattern: str, help_text: str, bound: dict[str, float]) -> WithJsonSchema:
    return WithJsonSchema({
        "anyOf": [{"type": "number", **bound}, {"type": "string", "pattern": pattern}],
        "description": help_text,
    })


_duration = _pydantic(parse_duration, "duration")
_rate = _pydantic(parse_rate, "rate")

Duration = Annotated[
    float, _duration, Field(ge=0), _json_schema(_DURATION_PATTERN, DURATION_HELP, {"minimum": 0})
]
"""A duration >= 0, in minutes once validated."""

PositiveDuration = Annotated[
    float, _duration, Field(gt=0),
    _json_schema(_DURATION_PATTERN, DURATION_HELP, {"exclusiveMinimum": 0}),
]
"""A duration > 0, in minutes once validated."""

TimeOfDay = Annotated[
    float, _duration, Field(ge=0, le=1440),
    _json_schema(_DURATION_PATTERN, "a time of day, HH:MM from 00:00 to 24:00 (or minutes)",
                 {"minimum": 0, "maximum": 1440}),
]
"""A time of day in minutes after midnight, 0 to 1440 (``"24:00"``)."""

Rate = Annotated[float, _rate, Field(ge=0), _json_schema(_RATE_PATTERN, RATE_HELP, {"minimum": 0})]
"""A rate >= 0, per minute once validated."""

PositiveRate = Annotated[
    float, _rate, Field(gt=0), _json_schema(_RATE_PATTERN, RATE_HELP, {"exclusiveMinimum": 0})
]
"""A rate > 0, per minute once validated."""

Share = Annotated[
    float, _pydantic(parse_share, "share"),
    WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                              {"type": "string", "pattern": r"^\s*\d+(\.\d*)?\s*%\s*$"}],
                    "description": "a share: 0.05 or 5%"}),
]
"""A share strictly between 0 and 1, written as a fraction or a percentage."""

Probability = Annotated[float, Field(ge=0, le=1)]
"""A probability in [0, 1]."""

#: Largest count a scenario may give (servers, batch sizes, replications, lanes): far above any
#: port, far below what breaks arithmetic (an int above ~1.8e308 cannot become a float).
MAX_COUNT = 1_000_000_000

Count = Annotated[int, Field(ge=1, le=MAX_COUNT)]
"""A whole number from 1 to a billion."""

Name = Annotated[str, Field(min_length=1)]
"""A non-empty name (of a station, a class or a variant)."""
