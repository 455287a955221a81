"""The roster and its proof: per unit, the cheapest roster covering the requirement, simulated
again with fresh seeds (the proof seed); an interval that fails there raises its requirement by
one and the roster is solved and proved again (a repair round), up to the problem's cap. Also
the tightness check: one officer fewer in each shift used, and the first interval that fails."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from portsim.experiment.staffing.evaluation import Evaluation, Evaluator
from portsim.experiment.staffing.problem import Problem
from portsim.experiment.staffing.requirement import Requirement
from portsim.experiment.staffing.roster import (
    Roster,
    RosterError,
    allowed_shifts,
    coverage_matrix,
    solve_roster,
)
from portsim.experiment.staffing.target import StaffingError


@dataclass(frozen=True)
class Proof:
    """The rosters that passed (or the last tried), their proof run and the repairs it took."""

    rosters: dict[str, Roster]
    evaluation: Evaluation
    repairs: int
    """Repair rounds after the first proof run (0: the first roster passed)."""


def rosters_for(problem: Problem, requirement: Mapping[str, Sequence[int]]) -> dict[str, Roster]:
    """Per unit, the cheapest roster of the problem's shifts covering ``requirement`` within
    the counters available."""
    shifts = allowed_shifts(problem.patterns)
    rosters = {}
    for name in problem.units:
        most = problem.most.get(name)
        try:
            rosters[name] = solve_roster(requirement[name], shifts,
                                         None if most is None else [most] * problem.intervals,
                                         problem.hour_cost)
        except RosterError as error:
            raise StaffingError(f"station {name!r}: {error}") from None
    return rosters


def prove(problem: Problem, evaluator: Evaluator, requirement: Requirement,
          progress: Callable[[str], None] | None = None) -> Proof:
    """Roster the requirement and run it on the proof seed, repairing failed intervals (those
    the counters allow) until it passes or the repairs run out."""
    say = progress or (lambda _text: None)
    need = {name: list(row) for name, row in requirement.staffing.items()}
    repairs = 0
    while True:
        rosters = rosters_for(problem, need)
        coverage = {name: list(roster.coverage) for name, roster in rosters.items()}
        say("proof run of the roster with fresh seeds"
            + (f" (repair {repairs})" if repairs else ""))
        proof = evaluator.evaluate(coverage, problem.proof_seed)
        failing = [item for item in proof.failing() if item not in requirement.capped]
        if not failing or repairs >= problem.max_repairs:
            return Proof(rosters, proof, repairs)
        for name, h in failing:
            most = problem.most.get(name)
            if most is None or need[name][h] < most:
                need[name][h] = max(need[name][h], coverage[name][h]) + 1
        repairs += 1


def check_tightness(problem: Problem, evaluator: Evaluator,
                    rosters: Mapping[str, Roster]) -> dict[str, list[tuple[str, str]]]:
    """For every shift in use: run the roster with one officer fewer in it (proof seeds) and
    name the first interval that fails."""
    found: dict[str, list[tuple[str, str]]] = {}
    for name, roster in rosters.items():
        matrix = coverage_matrix(roster.shifts, problem.intervals)
        found[name] = []
        for k, (shift, officers) in enumerate(zip(roster.shifts, roster.officers, strict=True)):
            if not officers:
                continue
            fewer = [int(c) - int(matrix[h, k]) for h, c in enumerate(roster.coverage)]
            staffing = {other: list(r.coverage) for other, r in rosters.items()}
            staffing[name] = fewer
            failing = [h for station, h in evaluator.evaluate(staffing,
                                                              problem.proof_seed).failing()
                       if station == name]
            found[name].append((shift.label(),
                                problem.clock(failing[0]) if failing else ""))
    return found


__all__ = ["Proof", "check_tightness", "prove", "rosters_for"]
