"""Durations, rates and the pydantic types built on them."""

from __future__ import annotations

import math

import pytest
from pydantic import BaseModel, ValidationError

from portsim.document.fields import (
    Duration,
    PositiveDuration,
    PositiveRate,
    Probability,
    Rate,
    TimeOfDay,
)
from portsim.units import parse_duration, parse_rate
from portsim.wording import format_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        (5, 5.0),
        (2.5, 2.5),
        (0, 0.0),
        ("45s", 0.75),
        ("30min", 30.0),
        ("2h", 120.0),
        ("3d", 4320.0),
        ("1.5h", 90.0),
        ("90 s", 1.5),
        ("2 min", 2.0),
        (" 2 minutes ", 2.0),
        ("1 day", 1440.0),
        ("2H", 120.0),
        ("06:30", 390.0),
        ("6:30", 390.0),
        ("24:00", 1440.0),
        ("00:00", 0.0),
        ("12", 12.0),
        (".5h", 30.0),
        ("1e1min", 10.0),
    ],
)
def test_durations_in_minutes(text: object, minutes: float) -> None:
    assert parse_duration(text) == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (-1, "cannot be negative"),
        ("-5min", "cannot be negative"),
        (math.nan, "finite"),
        (math.inf, "finite"),
        ("1e400h", "finite"),
        (10**400, "finite"),
        ("abc", "invalid duration 'abc'"),
        ("", "invalid duration"),
        ("5 parsecs", "unknown unit 'parsecs'"),
        ("5m", "unknown unit 'm'"),
        ("6:75", "minutes must be below 60"),
        ("1:30:00", "invalid duration"),
        ("nan", "invalid duration"),
        (True, "expected a duration"),
        (None, "got null"),
        ([1], "got a list"),
    ],
)
def test_bad_durations_say_why(value: object, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(value)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("text", "per_minute"),
    [
        (2, 2.0),
        (0.5, 0.5),
        ("120/h", 2.0),
        ("2/min", 2.0),
        ("30/s", 1800.0),
        ("4000/d", 4000 / 1440),
        ("120 / hour", 2.0),
        ("3", 3.0),
        (0, 0.0),
    ],
)
def test_rates_per_minute(text: object, per_minute: float) -> None:
    assert parse_rate(text) == pytest.approx(per_minute)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (-1, "cannot be negative"),
        ("-120/h", "cannot be negative"),
        (math.inf, "finite"),
        ("fast", "invalid rate 'fast'"),
        ("120/fortnight", "unknown unit 'fortnight'"),
        ("120h", "invalid rate"),
        (False, "expected a rate"),
    ],
)
def test_bad_rates_say_why(value: object, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_rate(value)
    assert fragment in str(caught.value)


class _Holder(BaseModel):
    duration: Duration = 0.0
    positive: PositiveDuration = 1.0
    time: TimeOfDay = 0.0
    rate: Rate = 0.0
    positive_rate: PositiveRate = 1.0
    p: Probability = 0.0


def test_annotated_types_convert_units() -> None:
    held = _Holder(duration="2h", positive="45s", time="06:30", rate="120/h",
                   positive_rate="30/s", p=0.25)
    assert (held.duration, held.positive, held.time) == (120.0, 0.75, 390.0)
    assert (held.rate, held.positive_rate, held.p) == (2.0, 1800.0, 0.25)


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("positive", 0, "greater than 0"),
        ("positive", "0s", "greater than 0"),
        ("positive_rate", "0/h", "greater than 0"),
        ("time", "25:00", "less than or equal to 1440"),
        ("duration", "-1h", "cannot be negative"),
        ("rate", "lots", "invalid rate"),
        ("p", 1.5, "less than or equal to 1"),
        ("p", -0.1, "greater than or equal to 0"),
    ],
)
def test_annotated_types_reject(field: str, value: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _Holder(**{field: value})
    errors = caught.value.errors()
    assert len(errors) == 1 and errors[0]["loc"] == (field,)
    assert fragment in errors[0]["msg"]
    assert "Value error" not in errors[0]["msg"]


def test_unit_types_document_the_string_form_in_json_schema() -> None:
    schema = _Holder.model_json_schema()["properties"]["duration"]
    kinds = {option["type"] for option in schema["anyOf"]}
    assert kinds == {"number", "string"}


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(2880, "2d"), (120, "2h"), (0.75, "45s"), (90, "90min"), (0.1234, "0.1234min")],
)
def test_format_duration(minutes: float, text: str) -> None:
    assert format_duration(minutes) == text
