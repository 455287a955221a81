"""Positions and prices as a document gives them to its model: every server on duty needs a
position, so a schedule (after the policies) beyond a station's positions is a problem located
at the field that set it; and the costs block as the engine's prices, by resource."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator

from portsim.document.parts import clock
from portsim.document.problems import suggest
from portsim.document.root import ScenarioDocument
from portsim.document.routes import Loc
from portsim.document.settings import Costs
from portsim.document.settings import Prices as WrittenPrices
from portsim.engine import model as m

#: Words every problem of a schedule beyond its positions has (a sweep skips such points).
NEEDS_A_POSITION = "every server on duty needs a position"


def positions_problems(doc: ScenarioDocument, model: m.Model) -> Iterator[tuple[Loc, str]]:
    """A problem for each station whose servers on duty (its schedule after the policies)
    exceed its positions at some hour: at the shifts the staffing policy sets, else at the
    station's servers (or pools); the message gives the hours and the numbers."""
    staffing = doc.policies.staffing or {}
    for name, windows in model.beyond_positions().items():
        if name in staffing and staffing[name].shifts is not None:
            loc: Loc = ("policies", "staffing", name, "shifts")
        elif name in doc.stations:
            station = doc.stations[name]
            loc = ("stations", name, "servers" if station.servers is not None else "pools")
        else:
            loc = ("stations",)
        when = "; ".join(f"{servers} servers on duty {_hours(start, end)}, more than the "
                         f"{places} positions" for start, end, servers, places in windows)
        yield loc, (f"{when} of station {name!r} (stations.{name}.positions): "
                    f"{NEEDS_A_POSITION}; take servers off the schedule, or add positions (a "
                    "capital change, reported in the ledger)")


def _hours(start: float, end: float) -> str:
    if not math.isfinite(end):
        return "all day"
    return f"{clock(start)}-{clock(end)}"


def cost_problems(doc: ScenarioDocument,
                  resources: Collection[str]) -> Iterator[tuple[Loc, str]]:
    """A price given for a resource that no station of the scenario or of its variants has
    (a typo would price nothing)."""
    if doc.costs is None:
        return
    known = sorted(resources)
    for field, name in doc.costs.named_resources():
        if name not in resources:
            yield (("costs", field, name),
                   f"no station's servers are {name!r}{suggest(name, known)} (resources: "
                   f"{', '.join(known)}; a station says what its servers are in resource)")


def prices(costs: Costs | None, resources: tuple[str, ...]) -> m.Prices | None:
    """The engine's prices of a costs block, for the model's ``resources``."""
    if costs is None:
        return None

    def by_resource(written: WrittenPrices) -> dict[str, float]:
        if isinstance(written, dict):
            return {name: float(price) for name, price in written.items()}
        return dict.fromkeys(resources, float(written))

    return m.Prices(per_hour=by_resource(costs.per_hour),
                    per_call_out_hour=by_resource(costs.per_call_out_hour),
                    per_position_day=by_resource(costs.per_position_day))


__all__ = ["NEEDS_A_POSITION", "cost_problems", "positions_problems", "prices"]
