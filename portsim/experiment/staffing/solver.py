"""``solve``: the staffing solver's steps in order — pilot run, Erlang C start, requirement
search, roster and proof (with repairs), and on request the tightness check — and the
:class:`Solution` it returns, with the officer-hours, call-out hours and cost it reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portsim.experiment.results import Results
from portsim.experiment.staffing.evaluation import Evaluation, Evaluator, Runner
from portsim.experiment.staffing.problem import Problem, baseline_staffing, check_problem
from portsim.experiment.staffing.proof import check_tightness, prove
from portsim.experiment.staffing.requirement import Requirement, find_requirement
from portsim.experiment.staffing.roster import Roster
from portsim.experiment.staffing.start import Load, erlang_start, offered_loads


@dataclass
class Solution:
    """Everything ``portsim staff`` reports."""

    problem: Problem
    baseline: dict[str, tuple[int, ...]]
    """Servers per interval in the scenario as written (the most within each interval)."""
    loads: dict[str, Load]
    requirement: Requirement
    rosters: dict[str, Roster]
    proof: Evaluation
    repairs: int
    """Repair rounds after the first proof run (0: the first roster passed)."""
    replications: int
    simulation_seconds: float
    rounds: int
    tightness: dict[str, list[tuple[str, str]]] | None = None
    """Per station, for each shift used: the first interval that fails with one officer fewer
    (``""`` if none does) — filled when asked for."""
    baseline_callout_hours: float = 0.0
    """Call-out hours a day in the scenario as written (the pilot run)."""
    pledge_results: Results | None = None
    """The roster run on the proof seed with the scenario's own pledge slots and standard
    (the proof run itself where they are the search's)."""

    @property
    def officer_hours(self) -> float:
        return sum(roster.officer_hours for roster in self.rosters.values())

    @property
    def callout_hours(self) -> float:
        """Call-out hours a day under the roster (the proof run)."""
        return callout_hours(self.proof.results)

    @property
    def cost(self) -> float:
        return (self.officer_hours * self.problem.hour_cost
                + self.callout_hours * self.problem.callout_cost)

    @property
    def baseline_cost(self) -> float:
        return (self.baseline_officer_hours * self.problem.hour_cost
                + self.baseline_callout_hours * self.problem.callout_cost)

    @property
    def baseline_officer_hours(self) -> float:
        hours = self.problem.interval / 60.0
        return sum(sum(row) * hours for row in self.baseline.values())

    @property
    def passed(self) -> bool:
        """Whether the roster meets the target in every interval of the proof run (an
        interval short with every counter open, ``--most``, is not met)."""
        return self.proof.met


def callout_hours(results: Results) -> float:
    """Hours a day that servers called in for bookings work, over every station that has
    them (its ``on_call_mean`` times 24 h)."""
    return sum(results.summary("stations", name, "on_call_mean").mean * 24.0
               for name in results.names("stations")
               if results.has("stations", name, "on_call_mean"))


def solve(problem: Problem, run: Runner, *, tightness: bool = False,
          progress: Callable[[str], None] | None = None) -> Solution:
    """Requirement curve, roster and proof (with repairs) for ``problem``."""
    check_problem(problem)
    say = progress or (lambda _text: None)
    evaluator = Evaluator(problem, run)
    say("pilot run of the scenario as written")
    pilot = evaluator.results(None, problem.seed)
    loads = offered_loads(problem, pilot)
    start = erlang_start(problem, loads)
    requirement = find_requirement(problem, evaluator, start, progress)
    proof = prove(problem, evaluator, requirement, progress)
    solution = Solution(problem, baseline_staffing(problem), loads, requirement, proof.rosters,
                        proof.evaluation, proof.repairs, 0, 0.0, 0,
                        baseline_callout_hours=callout_hours(pilot))
    solution.pledge_results = _pledge_run(problem, evaluator, solution)
    if tightness:
        solution.tightness = check_tightness(problem, evaluator, proof.rosters)
    solution.replications = evaluator.replications
    solution.simulation_seconds = evaluator.seconds
    solution.rounds = evaluator.rounds
    return solution


def _pledge_run(problem: Problem, evaluator: Evaluator, solution: Solution) -> Results:
    """The roster judged by the scenario's own pledge: its slots (a half-hour pledge has 48,
    whatever the staffing interval) and standard, on the proof seed — the proof run itself
    when the search used the same ones, else one run more."""
    if (abs(problem.model.slot_minutes - problem.interval) < 1e-9
            and evaluator.model.sla == problem.model.sla):
        return solution.proof.results
    coverage = {name: list(roster.coverage) for name, roster in solution.rosters.items()}
    return evaluator.results(coverage, problem.proof_seed, as_written=True)


__all__ = ["Solution", "callout_hours", "solve"]
