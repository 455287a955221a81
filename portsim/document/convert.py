"""Scenario parts as engine objects: distributions, server schedules and stations.

The compiler uses these for the stations and routes of a document, and the policies for the
stations they create, so that a block's ``servers`` or ``service`` means what it means on a
station. Validation has already checked every value: converting cannot fail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Literal

from portsim.document import parts as p
from portsim.engine import distributions as dists
from portsim.engine import model as m

DAY = m.MINUTES_PER_DAY

#: The engine distribution of each scenario distribution; their parameters have the same names.
_ENGINE_DISTRIBUTIONS: dict[type[p.StrictModel], Callable[..., dists.Distribution]] = {
    p.Exponential: dists.Exponential,
    p.Deterministic: dists.Deterministic,
    p.Uniform: dists.Uniform,
    p.Triangular: dists.Triangular,
    p.Lognormal: dists.Lognormal,
    p.Gamma: dists.Gamma,
    p.Weibull: dists.Weibull,
    p.Binomial: dists.Binomial,
    p.Empirical: dists.Empirical,
}


def distribution(spec: p.Distribution) -> dists.Distribution:
    """The engine distribution for a validated ``dist`` mapping (all times in minutes)."""
    engine = _ENGINE_DISTRIBUTIONS.get(type(spec))
    if engine is None:
        raise TypeError(f"not a distribution: {spec!r}")
    parameters: dict[str, Any] = {name: tuple(value) if isinstance(value, list) else value
                  for name, value in spec if name != "dist"}
    return engine(**parameters)


# ----------------------------------------------------------------------------- servers


Steps = list[tuple[float, int]]


def _window_steps(windows: list[tuple[float, float, int]]) -> Steps:
    """Daily steps of ``(start, end, count)`` windows; time outside every window has 0."""
    steps: Steps = []
    cursor = 0.0
    for start, end, count in sorted(windows):
        if start > cursor:
            steps.append((cursor, 0))
        steps.append((start, count))
        cursor = end
    if cursor < DAY:
        steps.append((cursor, 0))
    return steps


def _servers_at(steps: Steps, offset: float) -> int:
    return [servers for start, servers in steps if start <= offset][-1]


def _within_hours(steps: Steps, hours: p.OpeningHours) -> Steps:
    """Servers as in ``steps`` while open, 0 while closed."""
    cuts = sorted(({start for start, _ in steps} | {0.0, hours.start, hours.end}) - {DAY})
    return [(cut, _servers_at(steps, cut) if hours.start <= cut < hours.end else 0)
            for cut in cuts]


def schedule(servers: int | list[p.ShiftWindow],
             opening_hours: p.OpeningHours | None = None) -> m.ShiftSchedule:
    """The shift schedule of a server count or daily windows, closed outside opening hours."""
    steps = [(0.0, servers)] if isinstance(servers, int) else _window_steps(
        [(window.start, window.end, window.servers) for window in servers])
    if opening_hours is not None:
        steps = _within_hours(steps, opening_hours)
    return _schedule(steps)


def _schedule(steps: Steps) -> m.ShiftSchedule:
    # Drop steps that do not change the count.
    steps = [step for i, step in enumerate(steps) if i == 0 or step[1] != steps[i - 1][1]]
    if len(steps) == 1:
        return m.ShiftSchedule.constant(steps[0][1])
    return m.ShiftSchedule(steps=tuple(steps), period=DAY)


def positions(value: int | list[p.PositionWindow] | None) -> m.ShiftSchedule | None:
    """A station's positions as the engine's step function (None: no limit)."""
    if value is None:
        return None
    if isinstance(value, int):
        return m.ShiftSchedule.constant(value)
    return _schedule(_window_steps([(w.start, w.end, w.positions) for w in value]))


def impatience(patience: p.Distribution | None, balk: p.Balk | None,
               retry: p.Retry | None = None) -> m.Impatience | None:
    """The engine's impatience of a station's (or a class's) ``patience``, ``balk`` and
    ``retry``."""
    if patience is None and balk is None:
        return None
    return m.Impatience(
        patience=None if patience is None else distribution(patience),
        balk_at=None if balk is None else balk.queue_limit,
        balk_probabilities=tuple(balk.probabilities or ()) if balk is not None else (),
        retry=0.0 if retry is None else retry.share,
        retry_after=None if retry is None else distribution(retry.after))


def station(name: str, servers: int | list[p.ShiftWindow], service: p.Distribution, *,
            opening_hours: p.OpeningHours | None = None,
            service_by_class: Mapping[str, p.Distribution] | None = None,
            discipline: Literal["fifo", "priority"] = "fifo",
            patience: p.Distribution | None = None, balk: p.Balk | None = None,
            retry: p.Retry | None = None,
            impatience_by_class: Mapping[str, p.Impatience] | None = None) -> m.StationSpec:
    """The engine station of a station written in the scenario or created by a policy."""
    by_class = {cls: impatience(spec.patience, spec.balk, spec.retry)
                for cls, spec in (impatience_by_class or {}).items()}
    return m.StationSpec(
        name=name,
        resource=p.DEFAULT_RESOURCE,  # a policy's station too (egates: its gates)
        servers=schedule(servers, opening_hours),
        service=distribution(service),
        service_by_class={cls: distribution(spec)
                          for cls, spec in (service_by_class or {}).items()},
        discipline=discipline,
        impatience=impatience(patience, balk, retry),
        impatience_by_class={cls: rule for cls, rule in by_class.items() if rule is not None},
    )


def pooled_station(name: str, pools: Mapping[str, p.SkillPool], skills: Mapping[str, str],
                   service: p.Distribution, *,
                   service_by_class: Mapping[str, p.Distribution] | None = None,
                   discipline: Literal["fifo", "priority"] = "fifo",
                   impatience: m.Impatience | None = None,
                   impatience_by_class: Mapping[str, p.Impatience] | None = None,
                   ) -> m.StationSpec:
    """The engine station of a station whose servers come in skilled pools."""
    engine_pools = tuple(m.ServerPool(pool_name, tuple(pool.skills), schedule(pool.servers))
                         for pool_name, pool in pools.items())
    base = station(name, 1, service, service_by_class=service_by_class, discipline=discipline,
                   impatience_by_class=impatience_by_class)
    return replace(base, servers=m.pooled_servers(engine_pools), impatience=impatience,
                   pools=engine_pools, skill_by_class=dict(skills))


# ----------------------------------------------------------------------------- reliability


def outage_windows(windows: list[p.OutageWindow],
                   horizon: float) -> tuple[tuple[float, float], ...]:
    """Daily (or one day's) outage windows as absolute ``(start, end)`` minutes of the run,
    in time order, those that begin before the horizon."""
    days = range(int(horizon // DAY) + 1)
    found = sorted((day * DAY + window.start, day * DAY + window.end)
                   for window in windows for day in days
                   if window.day is None or window.day == day + 1)
    return tuple(window for window in found if window[0] < horizon)


def reliability(breakdowns: p.Breakdowns | None, outages: list[p.OutageWindow],
                interrupted: Literal["resume", "restart"], horizon: float) -> dict[str, Any]:
    """The engine station's breakdowns, outage windows and interruption rule."""
    return {
        "breakdowns": None if breakdowns is None else m.Breakdowns(
            distribution(breakdowns.between), distribution(breakdowns.repair)),
        "outages": outage_windows(outages, horizon),
        "interrupted": interrupted,
    }
