"""The stations of a scenario document: servers or skilled pools, queue discipline, service
times, opening hours, impatience, breakdowns and outages.

Validators check what types cannot say: servers or pools (one of them), the skills pools offer,
and which options go together.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from portsim.document.fields import Name
from portsim.document.parts import (
    DEFAULT_RESOURCE,
    Balk,
    Breakdowns,
    Distribution,
    Impatience,
    OpeningHours,
    OutageWindows,
    Positions,
    ResourceName,
    Retry,
    Servers,
    SkillPool,
    StrictModel,
)


class Station(StrictModel):
    """A station: servers (constant or by daily shift), a queue discipline, service times."""

    servers: Servers | None = None
    """An integer >= 1, or a daily shift schedule: a list of {start, end, servers} windows
    (time not covered by a window has 0 servers). Required unless ``pools`` are given."""
    pools: dict[Name, SkillPool] | None = None
    """Servers with skills, by pool name, instead of ``servers``: a customer is served by a
    pool that has the skill its class needs here (``skills``)."""
    positions: Positions | None = None
    """The places there are to serve at (desks, booths, lanes, gates): a count, or daily
    windows of {start, end, positions} (time not covered has none). Servers on duty never
    exceed them: a schedule beyond them is refused, and queue-reactive servers open only
    while one is free (default: no limit)."""
    resource: ResourceName = DEFAULT_RESOURCE
    """What one server is, for the ledger of resource use (officer-hours, lane-hours...):
    officer (default), lane, gate, team, berth, agent, or any word in lower case."""
    skills: dict[Name, Annotated[str, Field(min_length=1)]] = Field(default_factory=dict)
    """With ``pools``: the skill each class needs here, by class name."""
    discipline: Literal["fifo", "priority"] = "fifo"
    """fifo, or priority (by class priority, non-preemptive)."""
    service: Distribution
    """Service time."""
    service_by_class: dict[Name, Distribution] = Field(default_factory=dict)
    """A class's own service time here, by class name."""
    opening_hours: OpeningHours | None = None
    """Daily opening hours (default: always open)."""
    patience: Distribution | None = None
    """How long a customer waits in this queue before it gives up and leaves the port
    (default: as long as it takes)."""
    balk: Balk | None = None
    """When customers refuse to join this queue (default: they always join)."""
    retry: Retry | None = None
    """Customers who balk or give up here and come back to try again (default: they are
    gone)."""
    impatience_by_class: dict[Name, Impatience] = Field(default_factory=dict)
    """A class's own patience and balking here, by class name (instead of the station's)."""
    breakdowns: Breakdowns | None = None
    """Servers that fail and are repaired (default: they never fail)."""
    outages: OutageWindows = Field(default_factory=list)
    """Windows in which the whole station is out of order, e.g. [{start: "08:00", end:
    "09:30", day: 1}] (default: none)."""
    interrupted: Literal["resume", "restart"] = "resume"
    """A service cut short by a failure or an outage: its customer goes back to the head of
    the queue and finishes the rest of its service (resume) or starts it again (restart)."""
    fallback: Name | None = None
    """Where customers who come to this station go while it is out of order (an outage, or
    every server on duty broken), before going on with their route (default: they wait)."""

    @model_validator(mode="after")
    def _reliability(self) -> Station:
        unreliable = self.breakdowns is not None or bool(self.outages)
        if not unreliable and (self.fallback is not None or self.interrupted != "resume"):
            raise ValueError("fallback and interrupted need breakdowns or outages")
        if unreliable and (self.pools is not None or self.patience is not None
                           or self.balk is not None or self.impatience_by_class):
            raise ValueError("breakdowns and outages are not supported together with pools, "
                             "patience or balking at one station (yet)")
        return self

    @model_validator(mode="after")
    def _servers_or_pools(self) -> Station:
        if (self.servers is None) == (self.pools is None):
            raise ValueError("give servers or pools (exactly one of them)")
        if self.pools is not None:
            if not self.pools:
                raise ValueError("pools: give at least one pool")
            if self.opening_hours is not None:
                raise ValueError("pools give their own shifts: no opening_hours")
            known = {skill for pool in self.pools.values() for skill in pool.skills}
            for class_name, skill in self.skills.items():
                if skill not in known:
                    raise ValueError(f"skills.{class_name}: no pool has the skill {skill!r} "
                                     f"(pools' skills: {', '.join(sorted(known))})")
        elif self.skills:
            raise ValueError("skills need pools: servers without pools have no skills")
        return self

    @model_validator(mode="after")
    def _retry_needs_giving_up(self) -> Station:
        if self.retry is not None and self.patience is None and self.balk is None:
            raise ValueError("retry needs patience or balk: nobody gives up to try again")
        return self

    @model_serializer(mode="wrap")
    def _without_unused_impatience(self, handler: SerializerFunctionWrapHandler) -> Any:
        # The resolved document (results' provenance and its hash) names impatience only where
        # it is used, so that scenarios written before it keep their documents and hashes.
        data = handler(self)
        for key in ("patience", "balk", "retry", "impatience_by_class", "pools", "skills",
                    "breakdowns", "outages", "fallback"):
            if isinstance(data, dict) and not data.get(key):
                data.pop(key, None)
        if isinstance(data, dict) and data.get("interrupted") == "resume":
            data.pop("interrupted")
        if isinstance(data, dict) and data.get("positions") is None:
            data.pop("positions", None)
        if isinstance(data, dict) and data.get("resource") == DEFAULT_RESOURCE:
            data.pop("resource")
        return data
