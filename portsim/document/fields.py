"""Field types of the scenario document: durations, rates, shares, probabilities, counts and
names, each a pydantic ``Annotated`` type.

Each puts a parser of :mod:`portsim.units` in front of pydantic's own bounds and says in the JSON
Schema what may be written, so every model shares one definition of what a duration or a rate is.
Durations are minutes and rates per minute once validated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from portsim.units import DURATION_HELP, RATE_HELP, parse_duration, parse_rate, parse_share


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
