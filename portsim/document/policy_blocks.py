"""The ``policies:`` block of a scenario: one pydantic block per policy (docs/policies.md).

The blocks are part of the file format, so they live with the document; what a policy does with
its block (check its names, apply it to the engine's model) is in :mod:`portsim.policies`. The
fields of :class:`Policies` are in the order the policies are applied
(:data:`portsim.policies.registry.ORDER`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from portsim.document.fields import (
    Count,
    Duration,
    Name,
    PositiveDuration,
    Probability,
)
from portsim.document.parts import (
    Breakdowns,
    Distribution,
    OpeningHours,
    OutageWindows,
    Servers,
    ShiftWindows,
    StrictModel,
    give_some,
)
from portsim.wording import format_duration


class ArrivalError(StrictModel):
    """How far ships arrive off their declared time."""

    off_by: Distribution
    """How far off (a duration: early or late by this much)."""
    early_share: Probability = 0.0
    """Share of ships that come early by that much; the others come late (default 0)."""


class Booking(StrictModel):
    """Which classes book which station ahead of their arrival (the block both policies share)."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """Ship classes (their route must start at ``station``)."""
    station: Name
    """The inspection station."""
    declared_ahead: PositiveDuration
    """How long before the ship arrives (or is ready) the inspection is arranged; a team is
    held from then on."""
    around_the_clock: bool = True
    """Off-duty teams are called in for these ships at any hour, up to the station's largest
    shift (7x24 service for declared ships; default true)."""
    arrival_error: ArrivalError | None = Field(None, exclude_if=lambda value: value is None)
    """Ships come off their declared time (an ETA error): the inspection is still arranged
    for the declared time, so a late ship keeps its team waiting and an early one waits
    (default: every ship comes exactly when declared)."""


class Reactive(StrictModel):
    """Open a desk while the head of the queue has waited past a line; close one below another."""

    open_above: PositiveDuration
    """Head-of-queue wait beyond which one more desk opens (at each check)."""
    close_below: Duration
    """Head-of-queue wait below which one extra desk closes (at most open_above)."""
    max_extra: Count
    """Reserve staff: desks that may open beyond the shift schedule."""
    check_every: PositiveDuration = 1.0
    """How often the line is checked (default 1min)."""

    @model_validator(mode="after")
    def _lines_ordered(self) -> Reactive:
        if self.close_below > self.open_above:
            raise ValueError(f"close_below ({format_duration(self.close_below)}) must not exceed "
                             f"open_above ({format_duration(self.open_above)})")
        return self


class StationStaffing(StrictModel):
    """Staffing of one station: a new shift schedule, reactive desks, or both."""

    shifts: ShiftWindows | None = None
    """Daily shift windows {start, end, servers} replacing the station's servers and opening
    hours (time outside every window has 0 servers)."""
    reactive: Reactive | None = None
    """Queue-reactive desks on top of the shifts."""

    @model_validator(mode="after")
    def _something(self) -> StationStaffing:
        give_some(self, "shifts", "reactive")
        return self


StaffingBlock = Annotated[dict[Name, StationStaffing], Field(min_length=1)]


class PortVisa(StrictModel):
    """The port-visa office and who needs it."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """Classes that apply for a visa on arrival."""
    station: Name = "port_visa_office"
    """Name of the office (created by the policy; default port_visa_office)."""
    servers: Servers
    """Officers: a number, or daily shift windows."""
    service: Distribution
    """Time to issue one visa."""
    opening_hours: OpeningHours | None = None
    """Daily opening hours (default: always open)."""
    before: Name | None = None
    """The office comes before the first step that visits this station (default: first)."""
    share: Probability = 1.0
    """Share of those classes who need a visa at the port (the others arrive holding one):
    a port visa is an exceptional step, not every foreigner's route."""

    @model_serializer(mode="wrap")
    def _without_default_share(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Files that give no share keep their resolved documents and hashes.
        data = handler(self)
        if isinstance(data, dict) and data.get("share") == 1.0:
            data.pop("share")
        return data


class TransitVisaFree(StrictModel):
    """Who may enter visa-free in transit, the demand the policy adds, and their check."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """Transit classes: foreigners in transit who leave the port (brought by batches)."""
    eligible: Probability
    """Share of those classes who qualify (nationality, onward ticket) and enter visa-free."""
    added: Annotated[float, Field(ge=0, le=1000)] = 0.0
    """Entrants who come only because of the policy, per traveller of those classes
    without it (1: as many again)."""
    desks: Annotated[list[Name], Field(min_length=1)]
    """The stations that check the visa-free entrants (the foreigner desks)."""
    check: Distribution
    """Their check there: eligibility by nationality, onward ticket, permitted region and the
    temporary entry permit."""
    suffix: Name = "visa_free"
    """The entrants of class C form the class ``C_<suffix>`` (created by the policy)."""


class Document(StrictModel):
    """Travellers of a class who hold one type of document, and how the gates take them."""

    document: Name
    """The document type (e_passport, exit_entry_permit, ...): a label for people."""
    share: Probability
    """Share of the class holding it."""
    enrolled: Probability
    """Share of its holders who can use the gates (enrolled, or a document the gates read);
    the others fail to enrol and go to the desk."""
    rejection: Probability | None = None
    """Share of its gate users the gates reject (default: the block's ``rejection``)."""


class TravelGroup(StrictModel):
    """Travellers of a class who travel in groups (families): a group goes to the desk if one
    member must."""

    share: Probability
    """Share of the class's travellers who travel in a group."""
    size: Annotated[int, Field(ge=2, le=20)]
    """Members per group."""


class Egates(StrictModel):
    """The gates, who may use them, and what they replace."""

    station: Name = "egates"
    """Name of the gates' station (created by the policy; default egates)."""
    gates: Servers
    """Number of gates, or daily shift windows of open gates."""
    service: Distribution
    """Time one traveller takes at a gate."""
    replaces: Name | Annotated[list[Name], Field(min_length=1)]
    """The manual station(s) the eligible share bypasses: every step that visits one (a station
    step, or a shortest-queue choice that includes it)."""
    eligible: dict[Name, Probability] = Field(default_factory=dict)
    """Share of each class eligible for (and using) the gates."""
    documents: dict[Name, Annotated[list[Document], Field(min_length=1)]] = Field(
        default_factory=dict)
    """Instead of ``eligible``, for a class: its travellers by document type, each type with
    the share enrolled and its own rejection share."""
    groups: dict[Name, TravelGroup] = Field(default_factory=dict)
    """Classes some of whose travellers come in groups (see :class:`TravelGroup`)."""
    rejection: Probability = 0.0
    """Share of gate users rejected, who then take the manual step."""
    supervisors: Annotated[int, Field(ge=0, le=10_000)] = 0
    """Officers supervising the bank whenever a gate is open (officer-hours in the ledger)."""
    breakdowns: Breakdowns | None = None
    """Gates that fail and are repaired, each on its own clock (default: they never fail)."""
    outages: OutageWindows = Field(default_factory=list)
    """Windows in which the whole gate bank is down (default: none)."""
    interrupted: Literal["resume", "restart"] = "resume"
    """A traveller at a gate when it fails: finishes later (resume) or starts again
    (restart)."""

    @model_validator(mode="after")
    def _interrupted_needs_failures(self) -> Egates:
        if self.interrupted != "resume" and self.breakdowns is None and not self.outages:
            raise ValueError("interrupted needs breakdowns or outages")
        return self

    @model_validator(mode="after")
    def _who_uses_them(self) -> Egates:
        if not self.eligible and not self.documents:
            raise ValueError("give 'eligible' (a share per class) or 'documents' (per class, "
                             "by document type): who may use the gates")
        both = sorted(set(self.eligible) & set(self.documents))
        if both:
            raise ValueError(f"class {both[0]!r} is given both 'eligible' and 'documents': "
                             "give one")
        return self

    @field_validator("documents")
    @classmethod
    def _shares_add_up(cls, documents: dict[str, list[Document]]) -> dict[str, list[Document]]:
        for name, held in documents.items():
            total = sum(document.share for document in held)
            if abs(total - 1) > 1e-9:
                raise ValueError(f"documents of class {name!r}: the shares add up to "
                                 f"{total:g}, not 1")
        return documents

    @model_serializer(mode="wrap")
    def _without_unused_reliability(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Blocks without failures keep their resolved documents and hashes.
        data = handler(self)
        if isinstance(data, dict):
            for key in ("breakdowns", "outages", "documents", "groups", "supervisors"):
                if not data.get(key):
                    data.pop(key, None)
            if data.get("interrupted") == "resume":
                data.pop("interrupted")
        return data


class GreenChannel(StrictModel):
    """Which classes get the green channel, and at which stations."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """The key classes (key cargo flights)."""
    priority: bool = True
    """Serve the key classes first (non-preemptive) at ``stations``."""
    stations: list[Name] = Field(default_factory=list)
    """Stations where the key classes are served first."""
    dedicated: dict[Name, Count] = Field(default_factory=dict)
    """Servers taken from a station into NAME.green, used by the key classes only."""
    predeclared: dict[Name, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    """Factor on the key classes' service time at a station (pre-declared documents)."""


class Inspection(StrictModel):
    """The physical inspection the key classes are sent to less often."""

    station: Name
    """The physical-inspection station (reached by an optional step)."""
    probability: Probability
    """The key classes' probability of being inspected."""


class FastLane(StrictModel):
    """Which vehicles use the fast lane, its lanes and its inspection rate."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """The key classes (trucks carrying key materials)."""
    lanes: dict[Name, Count] = Field(default_factory=dict)
    """Lanes taken from a station into NAME.fast, used by the key classes only."""
    inspection: Inspection | None = None
    """A lower physical-inspection probability for the key classes."""


class OneStop(StrictModel):
    """Stops made one: the agencies that checked a vehicle at stops one after another check it
    together at one stop."""

    classes: Annotated[list[Name], Field(min_length=1)]
    """The vehicle classes that stop (their routes visit ``stops`` one after another)."""
    stops: Annotated[list[Name], Field(min_length=2)]
    """The stops made one, in the order the routes visit them."""
    station: Name = "one_stop"
    """The joint stop (created by the policy): the stops' booths, each now taking every
    check."""
    service: Distribution
    """A vehicle's time at the joint stop: pulling in and away once, and every agency's
    check."""


class Screening(StrictModel):
    """Risk screening of a ship's declaration before it arrives: the ships it flags are boarded
    at anchorage before they may berth; the others go on at once and are inspected alongside,
    while they berth and work cargo."""

    flagged: Probability
    """Share of the ships the screening flags for boarding at anchorage."""
    alongside: Name
    """A milestone of the ships' route: where a ship is alongside, and its inspection (by the
    same station's teams, after the flagged ships) starts in parallel with its cargo work."""


class ZeroWait(Booking):
    """Which arriving ships are inspected on arrival, by which station."""

    screening: Screening | None = Field(None, exclude_if=lambda value: value is None)
    """Risk screening before arrival and inspection alongside (no team booked or called in:
    give ``around_the_clock: false``)."""


class ZeroDelayDeparture(Booking):
    """Which departures are booked ahead, at which station."""


class Policies(StrictModel):
    """Clearance policies by name (docs/policies.md); each compiles onto engine mechanisms.
    In a variant, ``NAME: null`` switches off a policy of the base."""

    staffing: StaffingBlock | None = None
    """Servers by shift and queue-reactive desks, by station."""
    port_visa: PortVisa | None = None
    """A visa-on-arrival office at a designated port."""
    transit_visa_free: TransitVisaFree | None = None
    """72/144-hour visa-free transit for an eligible share."""
    egates: Egates | None = None
    """Self-service gates for an eligible share; rejections fall back to the manual step."""
    green_channel: GreenChannel | None = None
    """Key cargo flights: priority, dedicated capacity, pre-declared documents."""
    one_stop: OneStop | None = None
    """Stops one after another made one joint stop (a one-stop freight inspection)."""
    fast_lane: FastLane | None = None
    """Key-material vehicles: dedicated lanes, fewer physical inspections."""
    zero_wait: ZeroWait | None = None
    """Arriving ships inspected on arrival (booked ahead, around the clock)."""
    zero_delay_departure: ZeroDelayDeparture | None = None
    """Departure inspection booked so that it starts as the ship is ready."""

    def active(self) -> Iterator[tuple[str, Any]]:
        """(name, block) of the policies switched on, in the order of applying."""
        for name in type(self).model_fields:
            block = getattr(self, name)
            if block is not None:
                yield name, block
