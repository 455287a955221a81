"""The ``calibrate:`` block of a scenario: the values ``portsim calibrate`` may change, and
within which range (docs/calibration.md).

Each free parameter names one or more dotted paths of the *resolved* scenario (durations in
minutes, rates per minute), the grammar of ``portsim sweep --set``; several paths, comma
separated, move together. It says how it moves: ``range`` sets the value, ``scale`` multiplies
it, ``add`` adds to it (``--set PATH=``, ``PATH*=``, ``PATH+=``). The block changes nothing a run
does: runs and results leave it out.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from portsim.document.fields import Name
from portsim.document.parts import StrictModel
from portsim.units import parse_duration


def parse_bound(value: object) -> float:
    """A bound of a free parameter: a number, a duration (``45s``, ``-10s``: minutes) or a
    percentage (``5%``)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number, a duration such as 45s or a percentage "
                         f"(got {value!r})")
    if not isinstance(value, str):
        number = float(value)
    else:
        text = value.strip()
        sign = -1.0 if text.startswith("-") else 1.0
        body = text.lstrip("+-").strip()
        try:
            number = sign * (float(body[:-1]) / 100 if body.endswith("%")
                             else parse_duration(body))
        except ValueError:
            raise ValueError(f"expected a number, a duration such as 45s or a percentage "
                             f"(got {value!r})") from None
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number (got {value!r})")
    return number


def _bound(value: object) -> float:
    try:
        return parse_bound(value)
    except ValueError as error:
        raise PydanticCustomError("bound", "{message}", {"message": str(error)}) from None


Bound = Annotated[float, BeforeValidator(_bound)]
"""A bound: minutes for a duration, a fraction for a percentage, else the number."""
Pair = Annotated[list[Bound], Field(min_length=2, max_length=2)]
"""[low, high]."""

#: How a free parameter moves the value at its paths, by the key giving its range: as
#: ``portsim sweep --set`` writes it.
OPERATIONS = {"range": "=", "scale": "*=", "add": "+="}


class FreeParameter(StrictModel):
    """A value the calibration may change, and where it may go."""

    path: Name
    """Dotted path(s) in the resolved scenario, comma-separated to move together, as in
    ``portsim sweep --set`` (``stations.desks.service.mean``)."""
    range: Pair | None = None
    """[low, high]: the value itself is set within them."""
    scale: Pair | None = None
    """[low, high]: the value as written is multiplied by a factor within them."""
    add: Pair | None = None
    """[low, high]: an amount within them is added to the value as written."""
    note: str | None = None
    """Why this value is free (free text)."""

    @model_validator(mode="after")
    def _one_range(self) -> FreeParameter:
        given = [key for key in OPERATIONS if getattr(self, key) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "free_parameter", "give exactly one of range, scale or add (got {given})",
                {"given": ", ".join(given) or "none"})
        low, high = getattr(self, given[0])
        if not low < high:
            raise PydanticCustomError(
                "free_parameter", "{key} [{low}, {high}] is empty: the low end must be below "
                "the high end", {"key": given[0], "low": f"{low:g}", "high": f"{high:g}"})
        if given[0] == "scale" and low <= 0:
            raise PydanticCustomError(
                "free_parameter", "scale factors must be above 0 (got {low})",
                {"low": f"{low:g}"})
        return self

    @property
    def operation(self) -> str:
        """``=``, ``*=`` or ``+=``."""
        return next(op for key, op in OPERATIONS.items() if getattr(self, key) is not None)

    @property
    def bounds(self) -> tuple[float, float]:
        low, high = next(getattr(self, key) for key in OPERATIONS
                         if getattr(self, key) is not None)
        return low, high

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.path.split(","))


Calibrate = Annotated[dict[Name, FreeParameter], Field(default_factory=dict)]


def shown_bound(parameter: FreeParameter, value: float) -> str:
    """A value of ``parameter`` as a reader writes it (a factor as ×0.93; durations stay
    minutes: the path decides whether the number is one)."""
    if parameter.operation == "*=":
        return f"×{value:.3g}"
    if parameter.operation == "+=":
        return f"{value:+.4g}"
    return f"{value:.4g}"


def as_data(calibrate: dict[str, FreeParameter]) -> dict[str, Any]:
    return {name: parameter.model_dump(mode="json", exclude_none=True)
            for name, parameter in calibrate.items()}


__all__ = ["OPERATIONS", "Bound", "Calibrate", "FreeParameter", "as_data", "parse_bound",
           "shown_bound"]
