"""KN++ with feasibility screening, on arrays: the procedure without the simulation.

Minimise the mean of an objective over ``k`` designs, subject to ``L`` constraints each of the
form E[G] <= 0, from replications that are paired across designs (common random numbers:
replication ``j`` of every design sees the same random numbers).

**Comparison** (Kim and Nelson's fully sequential indifference-zone procedure with variance
updating, "KN++", Kim & Nelson 2006). After ``r`` replications of every surviving design, with
``S²_il`` the sample variance of the paired differences ``Y_ij − Y_lj`` (recomputed at every
stage: the variance updating), ``f`` degrees of freedom and ``β = α_c / (k − 1)``,

    η = ½ [(2β)^(−2/f) − 1],   h² = 2 η f,   W_il = max(0, δ/(2r) · (h² S²_il / δ² − r)),

design ``i`` is eliminated when its mean exceeds ``l``'s by more than ``W_il`` for some
surviving ``l``. The Bonferroni split ``α_c / (k − 1)`` holds whatever the correlation between
designs, so it stays valid under common random numbers (Kim & Nelson 2001).

Textbook KN++ relaxes ``h²`` with the variances' growing degrees of freedom (``f = r − 1``);
it is valid only as δ → 0, and on normal outputs in the slippage configuration it falls short:
over 2,000 macro-replications at 1 − α = 0.95 and n₀ = 10 it selected the best 93.6 % of the
time with k = 2 and 94.6 % with k = 5. portsim keeps KN's first-stage constant (``f = n₀ − 1``)
while updating the variances, which met the guarantee there (96.3 % and 97.7 %);
``Settings.textbook`` gives the relaxed constant (tests/validation/test_optimise.py measures
both).

**Feasibility** (Andradóttir & Kim 2010, checked constraint by constraint). With tolerance
``ε`` and ``β_f = α_f / (k L)`` (Bonferroni over designs and constraints), the same ``h²``
formula on ``β_f`` gives ``R = max(0, h² S² / (2ε) − ε r / 2)``; the constraint is declared met
when ``Σ_j G_j <= −R`` and broken when ``Σ_j G_j >= R``. A design declared infeasible leaves;
only a design declared feasible may eliminate others (a design still undecided might yet be
infeasible, and must not push out the best feasible one). ``α`` is split evenly between the
feasibility checks and the comparison when there are constraints.

**Guarantee.** With probability at least ``1 − α`` (asymptotically in the variance updating,
exactly for normal outputs with the variances known), the design selected has every
constraint's mean below its bound plus ``ε`` and an objective within ``δ`` of the best design
whose constraint means lie at least ``ε`` below their bounds. Stopping on the budget gives no
guarantee, and the outcome says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

#: A design's state in the feasibility checks.
FEASIBLE, INFEASIBLE, UNDECIDED = "feasible", "infeasible", "undecided"
#: Why the procedure stopped.
SELECTED, BUDGET, NONE_FEASIBLE = "selected", "budget", "none feasible"

#: Replications ``start`` to ``stop - 1`` of the ``designs``: the objective, shape
#: (designs, stop - start), and the constraints, shape (designs, L, stop - start), oriented so
#: that smaller is better and a constraint is met when its mean is at most 0.
Observer = Callable[[Sequence[int], int, int], tuple[np.ndarray, np.ndarray]]


def eta(beta: float, freedom: int) -> float:
    """Kim & Nelson's η for error ``beta`` on ``freedom`` degrees of freedom of the variances."""
    return 0.5 * ((2.0 * beta) ** (-2.0 / freedom) - 1.0)


def h_squared(beta: float, replications: int) -> float:
    """h² = 2 η f with f = r − 1: the continuation region's width constant at ``r``."""
    freedom = replications - 1
    return 2.0 * eta(beta, freedom) * freedom


@dataclass(frozen=True)
class Settings:
    """What the procedure is asked: δ, 1 − α, the first stage, the budget and the tolerances."""

    delta: float
    confidence: float = 0.95
    first: int = 10
    """n₀: replications of every design before the first screening (at least 2)."""
    budget: int | None = None
    """The most replications over all designs; None: no cap."""
    step: int = 1
    """Replications added to every surviving design per stage (screening less often is
    conservative: the continuation region is only checked at fewer points)."""
    tolerances: tuple[float, ...] = ()
    """ε per constraint, in the constraint's unit (> 0)."""
    textbook: bool = False
    """Relax h² with the replications (f = r − 1, KN++ as published) instead of keeping the
    first stage's (f = n₀ − 1)."""

    def __post_init__(self) -> None:
        if not (self.delta > 0 and math.isfinite(self.delta)):
            raise ValueError(f"δ must be a positive number (got {self.delta})")
        if not 0 < self.confidence < 1:
            raise ValueError(f"the confidence must lie between 0 and 1 (got {self.confidence})")
        if self.first < 2 or self.step < 1:
            raise ValueError("the first stage needs at least 2 replications, a stage at least 1")
        if any(not (t > 0 and math.isfinite(t)) for t in self.tolerances):
            raise ValueError("every tolerance must be a positive number")

    @property
    def alpha(self) -> float:
        return 1.0 - self.confidence

    def width(self, beta: float, replications: int) -> float:
        """h² at ``replications`` per survivor."""
        return h_squared(beta, replications if self.textbook else self.first)

    def split(self, constraints: int) -> tuple[float, float]:
        """α for the comparison and α for the feasibility checks."""
        return (self.alpha / 2, self.alpha / 2) if constraints else (self.alpha, 0.0)


@dataclass
class Outcome:
    """What the procedure saw and decided, design by design."""

    objective: list[np.ndarray]
    """Per design, its objective by replication (as observed: smaller is better)."""
    constraints: list[np.ndarray]
    """Per design, shape (L, replications)."""
    feasibility: list[list[str]]
    """Per design and constraint: feasible, infeasible or undecided."""
    eliminated: list[str | None]
    """Per design: None while it survives, else why it left ("compared", "infeasible")."""
    selected: int | None
    stopped: str
    stages: int
    settings: Settings
    compared_alpha: float = 0.0
    feasibility_alpha: float = 0.0
    history: list[tuple[int, int]] = field(default_factory=list)
    """(replications per survivor, survivors) at every screening; for OCBA (replications over
    all designs, survivors) after every stage."""
    procedure: str = "KN++"
    """Which procedure decided: "KN++" or "OCBA"."""
    apcs: float | None = None
    """OCBA only: the approximate probability of correct selection (an estimate)."""

    @property
    def k(self) -> int:
        return len(self.objective)

    def replications(self, design: int) -> int:
        return int(self.objective[design].size)

    @property
    def total(self) -> int:
        return sum(self.replications(i) for i in range(self.k))

    def status(self, design: int) -> str:
        states = self.feasibility[design]
        if INFEASIBLE in states:
            return INFEASIBLE
        return UNDECIDED if UNDECIDED in states else FEASIBLE

    def mean(self, design: int) -> float:
        return float(self.objective[design].mean())


def _elimination(values: np.ndarray, delta: float, h2: float, judges: np.ndarray) -> np.ndarray:
    """Which rows of ``values`` (survivors × r replications) some judge eliminates."""
    r = values.shape[1]
    means = values.mean(axis=1)
    differences = values[:, None, :] - values[None, :, :]
    variances = differences.var(axis=2, ddof=1)
    width = np.maximum(0.0, delta / (2.0 * r) * (h2 * variances / delta**2 - r))
    beaten = (means[:, None] > means[None, :] + width) & judges[None, :]
    np.fill_diagonal(beaten, False)
    return beaten.any(axis=1)


def _feasibility(values: np.ndarray, tolerance: float, h2: float) -> str:
    """The feasibility check of one constraint on its replications so far."""
    r = values.size
    total = float(values.sum())
    spread = float(values.var(ddof=1))
    reach = max(0.0, h2 * spread / (2.0 * tolerance) - tolerance * r / 2.0)
    if total <= -reach:
        return FEASIBLE
    if total >= reach:
        return INFEASIBLE
    return UNDECIDED


class Designs:
    """Every design's replications and verdicts between stages, and the error split between
    comparing designs (``alpha_c``) and judging their feasibility (``alpha_f``, of which
    ``beta_f`` per design and constraint): what KN++ and OCBA both keep."""

    def __init__(self, k: int, constraints: int, settings: Settings) -> None:
        self.settings = settings
        self.alpha_c, self.alpha_f = settings.split(constraints)
        self.beta_f = self.alpha_f / (k * constraints) if constraints else 0.0
        self.objective = [np.empty(0) for _ in range(k)]
        self.constraints = [np.empty((constraints, 0)) for _ in range(k)]
        self.feasibility = [[UNDECIDED] * constraints for _ in range(k)]
        self.eliminated: list[str | None] = [None] * k
        self.history: list[tuple[int, int]] = []

    @property
    def alive(self) -> list[int]:
        return [i for i, why in enumerate(self.eliminated) if why is None]


class _Run(Designs):
    """KN++'s state between stages."""

    def __init__(self, k: int, constraints: int, settings: Settings) -> None:
        super().__init__(k, constraints, settings)
        self.beta_c = self.alpha_c / max(1, k - 1)

    def add(self, designs: Sequence[int], objective: np.ndarray, constraints: np.ndarray) -> None:
        for row, design in enumerate(designs):
            self.objective[design] = np.concatenate([self.objective[design], objective[row]])
            self.constraints[design] = np.concatenate(
                [self.constraints[design], constraints[row]], axis=1)

    def check_feasibility(self, r: int) -> None:
        if not self.constraints or self.beta_f == 0.0:
            return
        h2 = self.settings.width(self.beta_f, r)
        for i in self.alive:
            states = self.feasibility[i]
            for c, state in enumerate(states):
                if state == UNDECIDED:
                    states[c] = _feasibility(self.constraints[i][c, :r],
                                             self.settings.tolerances[c], h2)
            if INFEASIBLE in states:
                self.eliminated[i] = INFEASIBLE

    def compare(self, r: int) -> None:
        alive = self.alive
        if len(alive) < 2:
            return
        values = np.stack([self.objective[i][:r] for i in alive])
        judges = np.array([UNDECIDED not in self.feasibility[i] for i in alive])
        out = _elimination(values, self.settings.delta, self.settings.width(self.beta_c, r), judges)
        for i, gone in zip(alive, out, strict=True):
            if gone:
                self.eliminated[i] = "compared"


def select(observe: Observer, k: int, constraints: int, settings: Settings) -> Outcome:
    """Run KN++ with feasibility screening over ``k`` designs and ``constraints`` constraints,
    drawing replications from ``observe``; stop when one feasible design is left, none is,
    or the next stage would pass the budget."""
    if k < 1:
        raise ValueError("no design to choose from")
    if len(settings.tolerances) != constraints:
        raise ValueError("one tolerance per constraint")
    run = _Run(k, constraints, settings)
    r, stages = 0, 0
    stopped = BUDGET
    while True:
        alive = run.alive
        more = settings.first if r == 0 else settings.step
        if settings.budget is not None and sum(run.objective[i].size for i in range(k)) \
                + more * len(alive) > settings.budget:
            break
        objective, observed = observe(alive, r, r + more)
        run.add(alive, objective, observed)
        r += more
        stages += 1
        run.check_feasibility(r)
        run.compare(r)
        run.history.append((r, len(run.alive)))
        alive = run.alive
        if not alive:
            stopped = NONE_FEASIBLE
            break
        if len(alive) == 1 and UNDECIDED not in run.feasibility[alive[0]]:
            stopped = SELECTED
            break
    return _outcome(run, stopped, stages)


def _outcome(run: _Run, stopped: str, stages: int) -> Outcome:
    alive = run.alive
    selected: int | None = alive[0] if stopped == SELECTED else None
    if stopped == BUDGET and alive:
        # The budget ran out: the best mean among the survivors declared feasible (or, when
        # none is yet, among those still undecided), with no guarantee.
        feasible = [i for i in alive if UNDECIDED not in run.feasibility[i]] or alive
        selected = min(feasible, key=lambda i: float(run.objective[i].mean())
                       if run.objective[i].size else math.inf)
    return Outcome(run.objective, run.constraints, run.feasibility, run.eliminated, selected,
                   stopped, stages, run.settings, run.alpha_c, run.alpha_f, run.history)


def brute_force(observe: Observer, k: int, constraints: int, replications: int,
                confidence: float = 0.95) -> tuple[int | None, int]:
    """The same question answered by giving every design ``replications`` replications: the
    design with the smallest mean among those whose every constraint's one-sided upper
    confidence bound (Bonferroni over designs and constraints) lies at or below 0; and the
    replications that took."""
    from portsim.stats.summary import t_quantile

    objective, observed = observe(list(range(k)), 0, replications)
    level = 1.0 - (1.0 - confidence) / max(1, k * constraints)
    quantile = t_quantile(replications - 1, level)
    feasible = []
    for i in range(k):
        means = observed[i].mean(axis=1) if constraints else np.zeros(0)
        spreads = observed[i].std(axis=1, ddof=1) if constraints else np.zeros(0)
        if np.all(means + quantile * spreads / math.sqrt(replications) <= 0):
            feasible.append(i)
    best = min(feasible, key=lambda i: float(objective[i].mean())) if feasible else None
    return best, k * replications


__all__ = ["BUDGET", "FEASIBLE", "INFEASIBLE", "NONE_FEASIBLE", "SELECTED", "UNDECIDED",
           "Designs", "Observer", "Outcome", "Settings", "brute_force", "eta", "h_squared",
           "select"]
