"""The requirement curve: the fewest officers per interval with which every interval meets the
target, found by simulation from the Erlang C start — intervals short of the target gain an
officer, and once all meet it officers are taken away where there is room, a removal that breaks
an interval being put back and never tried again (see the package's docstring)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portsim.experiment.staffing.evaluation import Evaluation, Evaluator
from portsim.experiment.staffing.problem import Problem, Staffing
from portsim.experiment.staffing.target import StaffingError

#: (unit, interval) pairs.
Cells = set[tuple[str, int]]


@dataclass
class Requirement:
    """The requirement curve and how it was found."""

    staffing: Staffing
    start: Staffing
    evaluation: Evaluation
    rounds: int
    capped: list[tuple[str, int]]
    """Intervals that fail even with every counter open."""


def find_requirement(problem: Problem, evaluator: Evaluator, start: Staffing,
                     progress: Callable[[str], None] | None = None) -> Requirement:
    """Correct ``start`` by simulation until every interval meets the target with the fewest
    officers the search can show are needed (see the package's docstring)."""
    staffing = {name: list(row) for name, row in start.items()}
    frozen: Cells = set()  # never to be taken away again
    capped: Cells = set()  # short with every counter open
    decreased: Cells = set()  # taken away in the last round
    say = progress or (lambda _text: None)
    evaluation = evaluator.evaluate(staffing, problem.seed)
    rounds = 1
    while rounds < problem.max_rounds:
        failing = [(name, h) for name, h in evaluation.failing() if (name, h) not in capped]
        if failing:
            _add_officers(problem, staffing, failing, decreased, frozen, capped)
            say(f"round {rounds}: {len(failing)} interval(s) short, adding officers")
        else:
            decreased = _take_officers(problem, staffing, evaluation, frozen)
            if not decreased:
                break
            say(f"round {rounds}: every interval meets the target; trying "
                f"{len(decreased)} officer(s) fewer")
        evaluation = evaluator.evaluate(staffing, problem.seed)
        rounds += 1
    if evaluation.failing() and not set(evaluation.failing()) <= capped:
        raise StaffingError(f"the requirement search did not settle in {problem.max_rounds} "
                            "rounds; raise --max-rounds or widen the interval")
    return Requirement(staffing, start, evaluation, rounds, sorted(capped))


def _add_officers(problem: Problem, staffing: Staffing, failing: list[tuple[str, int]],
                  decreased: Cells, frozen: Cells, capped: Cells) -> None:
    """One officer more for every failing interval: back where a removal made it fail (and
    that removal never again), else in the interval itself unless its counters are all open."""
    for name, h in failing:
        back = _previous(decreased, name, h, problem.intervals)
        if back is not None:
            staffing[back[0]][back[1]] += 1
            decreased.discard(back)
            frozen.add(back)
        elif (most := problem.most.get(name)) is not None and staffing[name][h] >= most:
            capped.add((name, h))
        else:
            staffing[name][h] += 1
            frozen.add((name, h))


def _take_officers(problem: Problem, staffing: Staffing, evaluation: Evaluation,
                   frozen: Cells) -> Cells:
    """One officer fewer wherever an interval has room and keeps more than the least; the
    intervals that lost one."""
    decreased: Cells = set()
    for name in problem.units:
        for h in range(problem.intervals):
            if (evaluation.has_room(name, h)
                    and (name, h) not in frozen
                    and staffing[name][h] > problem.least):
                staffing[name][h] -= 1
                decreased.add((name, h))
    return decreased


def _previous(decreased: Cells, name: str, h: int, count: int) -> tuple[str, int] | None:
    """The removal most likely to have made ``name`` fail in interval ``h``: its own in ``h``
    or the nearest interval before, else (skill pools of one station share their customers)
    another pool's of the same station, nearest first."""
    station = name.partition("/")[0]
    for back in range(count):
        candidate = (h - back) % count
        if (name, candidate) in decreased:
            return name, candidate
        for unit, when in sorted(decreased):
            if when == candidate and unit.partition("/")[0] == station:
                return unit, when
    return None


__all__ = ["Requirement", "find_requirement"]
