"""Routes of a scenario document: the steps an entity follows, and the one walk over them.

A step is a station name or a mapping with exactly one key naming its kind (station, branch,
shortest_queue, quickest, optional, delay, spawn, milestone); branches and optional steps hold
sub-routes, so the models refer to ``Route`` before it is defined and are rebuilt at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
)

from portsim.document.fields import Count, Duration, Name, Probability
from portsim.document.parts import Distribution, StrictModel

#: Tolerance for "probabilities sum to 1".
SUM_TOLERANCE = 1e-9

#: Where in a document: keys and list indexes from its root.
Loc = tuple[str | int, ...]


class StationStep(StrictModel):
    """Queue for and be served at a station."""

    station: Name
    """Station name."""
    service: Distribution | None = None
    """This class's own service time at the station (default: the station's)."""


class BranchOption(StrictModel):
    """One sub-route of a branch."""

    p: Probability
    """Probability of taking this sub-route."""
    route: Route
    """The sub-route."""


def _sums_to_one(options: list[BranchOption]) -> list[BranchOption]:
    total = sum(option.p for option in options)
    if abs(total - 1) > SUM_TOLERANCE:
        raise ValueError(f"branch probabilities must sum to 1 (got {total:.12g})")
    return options


class BranchStep(StrictModel):
    """Take one of several sub-routes at random."""

    branch: Annotated[list[BranchOption], Field(min_length=1), AfterValidator(_sums_to_one)]
    """The sub-routes with their probabilities (summing to 1)."""


class ShortestQueueStep(StrictModel):
    """Join the station with the fewest customers per open server (ties: first listed)."""

    shortest_queue: Annotated[list[Name], Field(min_length=1)]
    """Station names to choose from."""


class QuickestSpec(StrictModel):
    """Where a customer may go and how long it takes to get there."""

    stations: Annotated[list[Name], Field(min_length=1)]
    """Station names to choose from."""
    travel: dict[Name, Duration] = Field(default_factory=dict)
    """Travel time to a station (default 0), counted in the time in system, not the wait."""
    milestone: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")] | None = None
    """Name the moment the customer reaches the chosen station (``until_<name>`` KPIs)."""


class QuickestStep(StrictModel):
    """Join the station where the expected wait on arrival plus the travel time to it is
    least: the wait expected from the customers ahead, the servers on duty and the class's mean
    service time there (ties: the fewest customers per open server, then first listed)."""

    quickest: QuickestSpec


class OptionalRoute(StrictModel):
    """A sub-route taken with a probability."""

    p: Probability
    """Probability of taking the sub-route."""
    route: Route
    """The sub-route."""


class OptionalStep(StrictModel):
    """A sub-route taken with a probability, else skipped."""

    optional: OptionalRoute
    """Probability and sub-route."""


class DelayStep(StrictModel):
    """Spend a random time without queueing (walking, deplaning)."""

    delay: Distribution
    """How long."""


def _count_tag(value: Any) -> str:
    return "count-dist" if isinstance(value, dict | BaseModel) else "count-number"


SpawnCount = Annotated[
    Annotated[Count, Tag("count-number")] | Annotated[Distribution, Tag("count-dist")],
    Discriminator(_count_tag),
]
"""A whole number, or a distribution of counts (its numbers are counts: write them without
units; draws are rounded to whole numbers)."""


class SpawnSpec(StrictModel):
    """A batch of another class created here: the passengers a bus or a train brings."""

    # ``class`` is a Python keyword: the field has another name and is read and written as
    # ``class`` (serialising by alias keeps the resolved document loadable).
    model_config = ConfigDict(serialize_by_alias=True)

    class_name: Name = Field(alias="class")
    """The class whose members are created (they start its route)."""
    count: SpawnCount
    """How many: a whole number or a distribution of counts (rounded)."""
    spread: Duration = 0.0
    """The members enter uniformly over this time (default 0)."""
    wait: bool = False
    """Hold this entity before its next step (other than another spawn) until every member of
    the batch has left: a train that departs when all its passengers are cleared."""


class SpawnStep(StrictModel):
    """Create a batch of members of another class, then go on (no queue, no time)."""

    spawn: SpawnSpec
    """Which class, how many, over how long."""


class MilestoneStep(StrictModel):
    """Record the time since arrival when an entity reaches this point of its route (no queue,
    no time): class KPIs ``until_<name>_mean``, ``_p50``, ``_p90``, ``_p95``, ``_p99``, ``_max``.
    E.g. a ship's time from arrival until it is cleared to berth."""

    milestone: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]
    """The milestone's name (letters, digits and _: it becomes part of KPI names)."""


STEP_KEYS: dict[str, type[StrictModel]] = {
    "station": StationStep,
    "branch": BranchStep,
    "shortest_queue": ShortestQueueStep,
    "quickest": QuickestStep,
    "optional": OptionalStep,
    "delay": DelayStep,
    "spawn": SpawnStep,
    "milestone": MilestoneStep,
}
STEP_ERROR = "route_step"
STEP_HELP = (
    "a route step is a station name or a mapping with exactly one of the keys "
    + ", ".join(STEP_KEYS)
)


def _step_tag(value: Any) -> str | None:
    # Tags are "step-..." rather than the keys themselves so that error paths can tell the
    # union's tag apart from the step's own key.
    if isinstance(value, str):
        return "step-name"
    if isinstance(value, dict):
        keys = [key for key in STEP_KEYS if key in value]
        return f"step-{keys[0]}" if len(keys) == 1 else None
    for key, model in STEP_KEYS.items():
        if isinstance(value, model):
            return f"step-{key}"
    return None


Step = Annotated[
    Annotated[Name, Tag("step-name")]
    | Annotated[StationStep, Tag("step-station")]
    | Annotated[BranchStep, Tag("step-branch")]
    | Annotated[ShortestQueueStep, Tag("step-shortest_queue")]
    | Annotated[QuickestStep, Tag("step-quickest")]
    | Annotated[OptionalStep, Tag("step-optional")]
    | Annotated[DelayStep, Tag("step-delay")]
    | Annotated[SpawnStep, Tag("step-spawn")]
    | Annotated[MilestoneStep, Tag("step-milestone")],
    Discriminator(_step_tag, custom_error_type=STEP_ERROR, custom_error_message=STEP_HELP),
]

Route = Annotated[list[Step], Field(min_length=1)]


def route_steps(route: list[Any], loc: Loc = ()) -> Iterator[tuple[Loc, Any]]:
    """(loc, step) for every step of a route, those inside branches and optional steps too
    (depth first, each container before its sub-routes): the one walk over written routes."""
    for index, step in enumerate(route):
        here = (*loc, index)
        yield here, step
        if isinstance(step, BranchStep):
            for j, option in enumerate(step.branch):
                yield from route_steps(option.route, (*here, "branch", j, "route"))
        elif isinstance(step, OptionalStep):
            yield from route_steps(step.optional.route, (*here, "optional", "route"))


# The sub-routes refer to Route, defined after them.
for _model in (BranchOption, OptionalRoute, OptionalStep, BranchStep):
    _model.model_rebuild()
