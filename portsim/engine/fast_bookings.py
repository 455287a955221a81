"""Bookings ahead of arrival, and servers on call for them, on the fast path.

A class that books the first station of its route enters the system (and is numbered) when it
books, ``lead`` minutes before it is declared to come, and arrives on time or off it by a draw
(``Visit.reserve_error``); :func:`booked_entries` works out, with the event engine's own floats
(``portsim.engine.sources``), when each member books, enters, arrives and reaches the station.
Such a station stands at the head of the class's route, so its bookings and its arrivals are all
known before it is evaluated; :func:`booked_station` sweeps its events
(:mod:`~portsim.engine.booking_sweep`) in the event engine's order: the model's own clock
first at an instant, then every booking and every move in the turn of the customer it is
keyed by (a booking is its customer's entry into the system, so its turn is that customer's),
ranked by the order of entry (:meth:`~portsim.engine.fast_entities.Entities.turns`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from portsim.engine import model as m
from portsim.engine.booking_sweep import BOOK, CHANGE, COME, BookedDay, booked_day
from portsim.engine.fast_choices import choice_groups
from portsim.engine.fast_stations import Occupied
from portsim.engine.sources import arrivals_off_time

if TYPE_CHECKING:
    from portsim.engine.fast_stations import FastStation

__all__ = ["BookedEntries", "booked_entries", "booked_station", "booking_unsupported",
           "books_at", "enter_booked"]

#: The rank of the model's own clock at an instant: before every customer's turn.
_CLOCK_RANK = -(1 << 62)


def books_at(model: m.Model) -> dict[str, list[str]]:
    """The classes that book each station ahead of arrival, by station."""
    booked: dict[str, list[str]] = {}
    for cls in model.classes:
        first = cls.route[0] if cls.route else None
        if isinstance(first, m.Visit) and first.reserve_ahead:
            booked.setdefault(first.station, []).append(cls.name)
    return booked


def booking_unsupported(model: m.Model, spec: m.StationSpec) -> str | None:
    """Why the fast path cannot sweep the bookings (or servers on call) at station ``spec``."""
    where = f"station {spec.name!r} takes bookings ahead of arrival"
    if spec.discipline != "fifo":
        return f"{where} and serves by priority"
    if model.impatient_at(spec.name):
        return f"{where} and has customers who may give up"
    if spec.reactive is not None:
        return f"{where} and opens servers as its queue grows (reactive staffing)"
    if spec.pools:
        return f"{where} and serves by skill (server pools)"
    if spec.name in choice_groups(model):
        return f"{where} and is one of a shortest-queue choice"
    if model.monitor_every is not None and spec.name in model.read_stations():
        return f"{where} and a monitor reads its queue"
    return None


@dataclass
class BookedEntries:
    """A booked class's members, in the order they are declared: when each enters the system
    (is numbered), arrives in it (is counted), books the station and reaches it, and how long
    it waited for its booked time where it came before its booking was made. A member that
    never books before the horizon has ``booked`` infinite."""

    entered: np.ndarray
    arrived: np.ndarray
    booked: np.ndarray
    reaches: np.ndarray
    early_wait: np.ndarray


def announcement_times(declared: np.ndarray, lead: float) -> np.ndarray:
    """When each booking is made, ``lead`` before its declared time, as the event engine's
    chain of announcements reaches them (``sources._announce``: each scheduled from the one
    before, at ``now + (max(time - lead, now) - now)``)."""
    booked = np.empty(declared.size)
    now = 0.0
    for index, declared_at in enumerate(declared.tolist()):
        now = now + (max(declared_at - lead, now) - now)
        booked[index] = now
    return booked


def booked_entries(spec: m.ClassSpec, visit: m.Visit, declared: np.ndarray, seed: int,
                   replication: int, horizon: float) -> BookedEntries:
    """When the members of ``spec`` declared at ``declared`` enter, book and arrive (see
    :class:`BookedEntries`), only those that enter before ``horizon``."""
    lead = float(visit.reserve_ahead or 0.0)
    if visit.reserve_error is None:
        booked = announcement_times(declared, lead)
        lands = booked + (declared - booked)  # the landing is scheduled at the booking
        return BookedEntries(booked, lands, booked, lands, np.zeros(declared.size))
    actual = arrivals_off_time(declared, visit.reserve_error, seed, replication, spec.name)
    book_at = np.maximum(declared - lead, 0.0)
    early = actual < book_at
    came = np.maximum(actual, 0.0)  # an early one enters as it comes, then waits to book
    booked = np.where(early, came + (book_at - came), book_at)
    entered = np.where(early, came, book_at)
    lands = np.where(actual < horizon, book_at + (actual - book_at), np.inf)
    reaches = np.where(early, booked, lands)
    early_wait = np.where(early & (booked < horizon), booked - came, 0.0)
    keep = entered < horizon
    booked = np.where(booked < horizon, booked, np.inf)
    return BookedEntries(entered[keep], np.where(early, came, actual)[keep], booked[keep],
                         reaches[keep], early_wait[keep])


def enter_booked(rep: Any, spec: m.ClassSpec, declared: np.ndarray) -> None:
    """The members of class ``spec``, declared at ``declared``, enter the replication ``rep``
    (a ``FastReplication``) and book its first station (their bookings kept for the
    station's sweep), and head for it."""
    visit = spec.route[0]
    assert isinstance(visit, m.Visit)
    entries = booked_entries(spec, visit, declared, rep.seed, rep.replication,
                             rep.model.horizon)
    ids = rep._create(entries.arrived, spec.name)
    rep.entities.entered_at(ids, entries.entered)
    rep.entities.wait[ids] += entries.early_wait
    rep.bookings.setdefault(visit.station, []).append((ids, entries.booked))
    node = rep.classes[spec.name].first_node
    rep._send(rep.unit(node, spec.name), node, ids, entries.reaches, ids)


def _bookings_at(rep: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Who books station ``name`` before the horizon, and when."""
    made = rep.bookings.get(name, [])
    if not made:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    ids = np.concatenate([ids for ids, _ in made])
    times = np.concatenate([times for _, times in made])
    before = times < rep.model.horizon
    return ids[before], times[before]


def booked_station(rep: Any, station: FastStation, flows: list[Any],
                   ids: np.ndarray, arrivals: np.ndarray, keys: np.ndarray,
                   source: np.ndarray, kinds: np.ndarray) -> None:
    """A station that takes bookings (in the replication ``rep``, a ``FastReplication``),
    swept over its events; its customers go on as from any station."""
    booked_ids, booked_at = _bookings_at(rep, station.name)
    count = ids.size
    turns = rep.entities.turns(np.concatenate((ids, keys, booked_ids)))
    place = np.full(rep.entities.size, -1, dtype=np.int64)
    place[ids] = np.arange(count)
    booker = place[booked_ids]
    changes = station.change_times.size
    times = np.concatenate((station.change_times, booked_at, arrivals))
    ranks = np.concatenate((np.full(changes, _CLOCK_RANK), turns[2 * count:],
                            turns[count:2 * count]))
    what = np.repeat(np.array([CHANGE, BOOK, COME]), [changes, booked_ids.size, count])
    which = np.concatenate((station.change_servers.astype(np.int64),
                            np.arange(booked_ids.size), np.arange(count)))
    order = np.lexsort((what, ranks, times))
    day = booked_day(times[order], np.ascontiguousarray(ranks[order], dtype=np.int64),
                     what[order], which[order], np.ascontiguousarray(kinds, dtype=np.int64),
                     turns[:count], booker,
                     _services(station, kinds, len(rep.classes)), station.first_servers,
                     station.spec.booking_servers, rep.model.horizon)
    waiting = np.ones(count, dtype=bool)
    waiting[day.started] = False
    order = np.concatenate((day.started, np.flatnonzero(waiting)))
    booked = np.zeros(count, dtype=bool)
    booked[booker[booker >= 0]] = True
    occupied = _occupied(day, booked[order])
    rep._served(station, flows, ids[order], arrivals[order], source[order],
               day.services[order], day.starts, ordered=False, occupied=occupied)


def _services(station: FastStation, kinds: np.ndarray, classes: int,
              ) -> tuple[np.ndarray, np.ndarray]:
    """Each class's services at ``station``, as many as it has customers there, one block per
    class (the blocks and where each starts): the sweep takes them as its customers start."""
    counts = np.bincount(kinds, minlength=classes)
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    drawn = np.empty(kinds.size)
    for kind, stream in station.services.items():
        if counts[kind]:
            drawn[offsets[kind]:offsets[kind] + counts[kind]] = stream.take(int(counts[kind]))
    return drawn, offsets


def _occupied(day: BookedDay, unqueued: np.ndarray) -> Occupied:
    """The servers the sweep committed (see :class:`Occupied`): on duty from each hold or
    start to the service's end, on call from each call to it; a hold whose customer never
    came lasts to the horizon."""
    ends = day.starts + day.services[day.started]
    on_duty = day.on_duty[day.started]
    since = day.since[day.started]
    held = ~day.held_on_call
    never = np.full(day.held_since.size, np.inf)
    return Occupied(
        unqueued,
        (np.concatenate((since[on_duty], day.held_since[held])),
         np.concatenate((ends[on_duty], never[held]))),
        (np.concatenate((since[~on_duty], day.held_since[~held])),
         np.concatenate((ends[~on_duty], never[~held]))))
