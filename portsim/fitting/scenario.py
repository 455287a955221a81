"""A fit written as a scenario file, each fitted figure's provenance a comment beside it.

Names from the log are written as JSON strings (valid YAML, whatever they hold); durations as
minutes, rates per hour. With ``--scenario`` its stations' servers (rosters), horizon, warm-up,
replications, seed and service standard are kept; everything else is fitted.
"""

from __future__ import annotations

import json
import math
from typing import Any

from portsim.fitting.arrivals import ArrivalFit
from portsim.fitting.fit import Fit, StationFit
from portsim.fitting.routes import RouteFit, Share
from portsim.fitting.services import ServiceFit

INDENT = "  "


def number(value: float) -> str:
    """A figure to six significant digits."""
    return f"{value:.6g}"


def name(text: str) -> str:
    """A name from the log as a YAML scalar (a JSON string)."""
    return json.dumps(text, ensure_ascii=False)


def per_hour(rate: float) -> str:
    return f"{rate * 60:.4g}/h"


def interval(part: Share) -> str:
    return (f"{part.count} of {part.total}, {part.share:.1%} "
            f"(95 % {part.low:.1%}-{part.high:.1%}, Wilson)")


def clock(minutes: float) -> str:
    whole = round(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def scenario_text(fit: Fit, title: str, base: dict[str, Any] | None = None) -> str:
    """The fitted scenario file; ``base``: the resolved ``--scenario`` document, if any."""
    base = base or {}
    horizon = (base.get("time") or {}).get("horizon") or math.ceil(fit.log.end / 60) * 60
    lines = [f"# Fitted by portsim fit from {fit.log.path} ({fit.log.form} form): "
             f"{len(fit.log.entities)} entities, minutes 0 to {number(fit.log.end)}.",
             "# Each figure's source is the comment above it; docs/fit.md gives the rules.",
             f"name: {name(title)}", "time:",
             f"  horizon: {number(horizon)}  # minutes"
             + ("" if base else ": the log's length, rounded up to a whole hour")]
    warmup = (base.get("time") or {}).get("warmup")
    if warmup:
        lines.append(f"  warmup: {json.dumps(warmup)}")
    for key in ("replications", "seed", "sla"):
        if key in base:
            lines.append(f"{key}: {json.dumps(base[key])}  # from --scenario")
    lines.append("stations:")
    for station in fit.stations.values():
        lines += _station(station, fit)
    lines.append("classes:")
    for kind in fit.arrivals:
        lines += _class(kind, fit.arrivals[kind], fit.routes[kind], fit)
    return "\n".join(lines) + "\n"


def service_comment(fitted: ServiceFit) -> str:
    tried = ", ".join(f"{c.family} {c.aic:.1f}" for c in fitted.candidates)
    return (f"# {fitted.count} services, mean {number(fitted.mean)} min (95 % "
            f"{number(fitted.mean_low)}-{number(fitted.mean_high)}), cv {fitted.cv:.3f}; "
            f"{fitted.verdict}; KS {fitted.chosen.ks:.3f} (p {fitted.chosen.ks_p:.2g}); "
            f"AIC: {tried}")


def dist_text(spec: dict[str, Any]) -> str:
    parts = [f"dist: {spec['dist']}"] + [f"{key}: {number(value)}"
                                         for key, value in spec.items() if key != "dist"]
    return "{" + ", ".join(parts) + "}"


def _station(station: StationFit, fit: Fit) -> list[str]:
    lines = [f"{INDENT}{name(station.name)}:"]
    lines += [f"{INDENT * 2}{line}" for line in _servers(station)]
    pooled = station.services[None]
    lines += [f"{INDENT * 2}{service_comment(pooled)}",
              f"{INDENT * 2}service: {dist_text(pooled.spec)}  # all classes together"]
    own = {k: v for k, v in station.services.items() if k is not None}
    if own or station.pooled:
        lines.append(f"{INDENT * 2}service_by_class:")
        for kind, fitted in own.items():
            lines += [f"{INDENT * 3}{service_comment(fitted)}",
                      f"{INDENT * 3}{name(kind)}: {dist_text(fitted.spec)}"]
        if station.pooled:
            lines.append(f"{INDENT * 3}# fewer than 10 services of their own, so the station's: "
                         + ", ".join(station.pooled))
    if station.giving_up:
        lines += [f"{INDENT * 2}{line}" for line in _giving_up(station)]
    return lines


def _servers(station: StationFit) -> list[str]:
    """The ``servers`` lines: --scenario's roster, or the most services at once by hour."""
    if station.roster is not None:
        return ["# servers: from --scenario", f"servers: {json.dumps(_roster(station.roster))}"]
    hours = station.servers
    note = ("# servers: the most services in progress at once in each hour of the day, over "
            "every day of the log (a lower bound of those on duty)")
    if len(set(hours)) == 1 or max(hours) == 0:
        return [note, f"servers: {max(*hours, 1)}"]
    windows, start = [], 0
    for hour in range(1, 25):
        if hour == 24 or hours[hour] != hours[start]:
            windows.append(f"{{start: \"{start:02d}:00\", end: \"{hour:02d}:00\", "
                           f"servers: {hours[start]}}}")
            start = hour
    return [note, "servers:", *(f"  - {window}" for window in windows)]


def _roster(servers: Any) -> Any:
    """A resolved scenario's servers as a scenario file writes them (times of day as HH:MM)."""
    if isinstance(servers, list):
        return [{**window, "start": clock(window["start"]), "end": clock(window["end"])}
                for window in servers]
    return servers


def _giving_up(station: StationFit) -> list[str]:
    lines: list[str] = []
    patience = []
    for kind, given in station.giving_up.items():
        if given.balked.count:
            lines.append(f"# {kind}: balked {interval(given.balked)} of visits (not written: "
                         "a balking rule needs the queue each arrival saw)")
        lines.append(f"# {kind}: abandoned {interval(given.abandoned)} of visits that queued")
        span = given.patience_interval
        if given.patience_mean is not None and span is not None:
            patience.append(f"  # {kind}: patience exponential, mean = minutes queued by every "
                            f"visit / abandonments (maximum likelihood; 95 % "
                            f"{number(span[0])}-{number(span[1])})")
            patience.append(f"  {name(kind)}: {{patience: {{dist: exponential, mean: "
                            f"{number(given.patience_mean)}}}}}")
    return lines + (["impatience_by_class:", *patience] if patience else [])


def _class(kind: str, arrivals: ArrivalFit, route: RouteFit, fit: Fit) -> list[str]:
    lines = [f"{INDENT}{name(kind)}:"]
    lines += [f"{INDENT * 2}{line}" for line in arrivals_lines(arrivals)]
    lines += [f"{INDENT * 2}{line}" for line in route_lines(route, kind, fit)]
    return lines


def arrivals_lines(arrivals: ArrivalFit) -> list[str]:
    """The ``arrivals`` of a class, after the comments that say where they come from."""
    total = (f"# {arrivals.count} arrivals, {per_hour(arrivals.rate)} over the log "
             f"(95 % {per_hour(arrivals.low)}-{per_hour(arrivals.high)}, exact Poisson)")
    if arrivals.form == "timetable":
        batches = ", ".join(f"{{time: {number(t)}, count: {n}}}" for t, n in arrivals.batches)
        return [total, f"# {arrivals.batched_share:.0%} arrive at the same instant as others "
                f"of the class: a timetable of the {len(arrivals.batches)} batches seen "
                "(times in minutes)", f"arrivals: {{kind: timetable, batches: [{batches}]}}"]
    same = ("" if arrivals.same_rate_p is None
            else f"; one rate for every slot: chi-square p {arrivals.same_rate_p:.3g}")
    lines = [total, f"# slots of {number(arrivals.width)} min ({arrivals.rule}){same}"]
    if arrivals.form == "poisson":
        return [*lines, _rejections(arrivals),
                f"arrivals: {{kind: poisson, rate: {per_hour(arrivals.rate)}}}"]
    for slot in arrivals.slots:
        tests = ", ".join(f"{label} p {value:.2g}" for label, value in
                          (("uniform in slot (KS)", slot.uniform_p),
                           ("dispersion over days", slot.dispersion_p)) if value is not None)
        lines.append(f"#   {clock(slot.start)} {per_hour(slot.rate)} (95 % "
                     f"{per_hour(slot.low)}-{per_hour(slot.high)}), {slot.count} arrivals"
                     + (f"; {tests}" if tests else ""))
    rates = ", ".join(per_hour(slot.rate) for slot in arrivals.slots)
    return [*lines, f"arrivals: {{kind: profile, rates: [{rates}], "
                    f"bin: {number(arrivals.width)}min}}"]


def _rejections(arrivals: ArrivalFit) -> str:
    """How many slots' Poisson tests reject at 5 % (about 1 in 20 would by chance)."""
    uniform = [s.uniform_p for s in arrivals.slots if s.uniform_p is not None]
    spread = [s.dispersion_p for s in arrivals.slots if s.dispersion_p is not None]
    return (f"# Poisson within slots: uniformity (KS) rejected at 5 % in "
            f"{sum(p < 0.05 for p in uniform)} of {len(uniform)} slots, dispersion over days "
            f"in {sum(p < 0.05 for p in spread)} of {len(spread)} (about 1 in 20 by chance)")


def route_lines(route: RouteFit, kind: str, fit: Fit) -> list[str]:
    """The ``route`` of a class: a branch over the paths seen, with its steps' shares."""
    lines = [f"# paths of the {route.completed} entities that left or gave up ({route.gave_up}"
             f" gave up; {route.inside} still inside at the end are not counted); steps:"]
    lines += [f"#   {here} -> {there}: {interval(part)}" for here, there, part in route.steps]
    if not route.paths:
        raise_no_path(kind, fit)
    if len(route.paths) == 1:
        return [*lines, f"route: {_steps(route.paths[0][0])}"]
    lines += ["route:", "  - branch:"]
    for path, part in route.paths:
        lines.append(f"      - {{p: {part.share!r}, route: {_steps(path)}}}  # "
                     f"{interval(part)}")
    return lines


def _steps(path: tuple[str, ...]) -> str:
    if not path:  # left without visiting a station
        return "[{delay: {dist: deterministic, value: 0}}]"
    return "[" + ", ".join(name(station) for station in path) + "]"


def raise_no_path(kind: str, fit: Fit) -> None:
    from portsim.fitting.services import FitError

    raise FitError(f"{fit.log.path}: class {kind!r}: no entity left the port served, so no "
                   "route can be fitted; fitting a route needs at least one")


__all__ = ["scenario_text"]
