"""Screening, then OCBA, on arrays: the procedure for spaces too large for KN++.

Minimise the mean of an objective over ``k`` designs subject to ``L`` constraints E[G] <= 0,
from replications paired across designs (common random numbers), within a fixed budget of
replications over all designs.

**First round.** Every design gets n₀ replications. *Feasibility:* with ``β_f = α_f / (k L)``
(Bonferroni over designs and constraints), a constraint whose one-sided ``1 − β_f`` t-interval
lies wholly above its bound is broken (the design leaves), one wholly below it is met, any other
is undecided and looked at again after every stage. *Screening* (after the subset-selection
screen of Nelson, Swann, Goldsman & Song 2001, on paired differences): with ``S²_il`` the sample
variance of ``Y_ij − Y_lj`` over the n₀ replications and ``t`` the ``1 − α_s / (k − 1)``
quantile of Student's t on n₀ − 1 degrees of freedom, design ``i`` is screened out when, for
some design ``l`` whose constraints are all met, ``Ȳ_i > Ȳ_l + δ + t S_il / √n₀``: the
one-sided interval on the difference lies wholly beyond δ, clearly worse by more than δ. Nelson
et al. subtract δ from the width instead, which screens harder but promises the best's survival
only when it is δ better than the rest; this rule keeps the best with probability at least
``1 − α_s`` whatever the gaps, and keeps the designs within δ for the runners-up.

**Allocation** (OCBA, Chen, Lin, Yücesan & Chick 2000). The rest of the budget goes in stages of
``increment`` replications to the designs that survived; before each stage, with ``b`` the
survivor of least mean, ``σ_i`` each survivor's standard deviation and ``Δ_i = Ȳ_i − Ȳ_b``,

    N_i / N_j = (σ_i / Δ_i)² / (σ_j / Δ_j)²  (i, j ≠ b),   N_b = σ_b √(Σ_{i≠b} N_i² / σ_i²),

scaled to the replications spent so far plus the stage's; each survivor short of its share
gets the stage's replications in proportion to its shortfall.

**The answer.** The selected design is the least mean among the designs whose constraints were
all met (or, when none was, among those still undecided). OCBA gives no guarantee; the outcome
carries its approximate probability of correct selection, Chen et al.'s Bonferroni lower
bound ``APCS-B = 1 − Σ_{i≠b} Φ(−Δ_i / s_i)`` over every design not found infeasible, with
``s_i`` the standard error of the paired differences ``Y_i − Y_b`` on their common replications
(the runs share random numbers, so the pair's own variance is the one to use). It is an
estimate from the data, not a guaranteed level.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from portsim.experiment.optimise.procedure import (
    BUDGET,
    FEASIBLE,
    INFEASIBLE,
    NONE_FEASIBLE,
    SELECTED,
    UNDECIDED,
    Designs,
    Observer,
    Outcome,
    Settings,
)

#: The procedure's name in the outputs.
OCBA = "OCBA"
#: Why a design left in the first round: clearly worse than a feasible design by more than δ.
SCREENED = "screened"
#: How many stages the rest of the budget is split into, at most (each stage is one batch of
#: runs for the workers, so fewer stages keep them busy; more would follow the means closer).
STAGES = 20

#: Designs and how many replications each has and should have: per design, its new
#: objective values and its constraints, shape (L, new).
Ragged = Callable[[Sequence[int], Sequence[int], Sequence[int]],
                  list[tuple[np.ndarray, np.ndarray]]]


def ragged(observe: Observer) -> Ragged:
    """A ragged observer from one that draws the same replications of every design: one call
    per distinct (start, stop)."""
    def draw(designs: Sequence[int], starts: Sequence[int],
             stops: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
        out: list[tuple[np.ndarray, np.ndarray]] = [(np.empty(0), np.empty(0))] * len(designs)
        groups: dict[tuple[int, int], list[int]] = {}
        for row, span in enumerate(zip(starts, stops, strict=True)):
            groups.setdefault(span, []).append(row)
        for (start, stop), rows in groups.items():
            objective, constraints = observe([designs[r] for r in rows], start, stop)
            for position, row in enumerate(rows):
                out[row] = (objective[position], constraints[position])
        return out
    return draw


def allocation(means: np.ndarray, spreads: np.ndarray, total: float) -> np.ndarray:
    """OCBA's share of ``total`` replications for designs of these means and standard
    deviations (the least mean is the apparent best)."""
    k = means.size
    if k == 1:
        return np.array([float(total)])
    best = int(np.argmin(means))
    # A zero gap or spread would make a ratio infinite or zero: floor them at a small
    # share of the spread seen, so ties share the budget and constant designs still count.
    scale = max(float(np.max(spreads)), 1e-12)
    gaps = np.maximum(means - means[best], 1e-6 * scale)
    sigma = np.maximum(spreads, 1e-6 * scale)
    weights = (sigma / gaps) ** 2
    others = np.arange(k) != best
    weights[best] = sigma[best] * math.sqrt(float(np.sum(weights[others] ** 2
                                                         / sigma[others] ** 2)))
    return total * weights / weights.sum()


def spread_stage(current: np.ndarray, target: np.ndarray, increment: int) -> np.ndarray:
    """``increment`` replications among designs in proportion to how far each falls short of
    its target (largest remainders rounded up); at least one goes to the furthest behind."""
    shortfall = np.maximum(target - current, 0.0)
    if shortfall.sum() <= 0:
        shortfall = np.ones_like(current, dtype=float)
    exact = increment * shortfall / shortfall.sum()
    given = np.floor(exact).astype(int)
    left = increment - int(given.sum())
    for index in np.argsort(-(exact - given), kind="stable")[:left]:
        given[index] += 1
    return given


def _one_sided(values: np.ndarray, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the mean's one-sided 1 − β bounds, lower and upper (Student's t)."""
    from scipy.stats import t as student

    n = values.shape[-1]
    means = values.mean(axis=-1)
    half = float(student.ppf(1 - beta, n - 1)) * values.std(axis=-1, ddof=1) / math.sqrt(n)
    return means - half, means + half


def screen(values: np.ndarray, judges: np.ndarray, delta: float, alpha: float) -> np.ndarray:
    """The screen on paired first-round values (designs × n₀): which rows some judge shows
    to be worse by more than δ, Bonferroni over the k − 1 others at joint level 1 − ``alpha``."""
    from scipy.stats import t as student

    k, n = values.shape
    if k < 2 or not judges.any():
        return np.zeros(k, dtype=bool)
    quantile = float(student.ppf(1 - alpha / (k - 1), n - 1))
    means = values.mean(axis=1)
    differences = values[:, None, :] - values[None, :, :]
    width = delta + quantile * differences.std(axis=2, ddof=1) / math.sqrt(n)
    out = (means[:, None] > means[None, :] + width) & judges[None, :]
    np.fill_diagonal(out, False)
    return out.any(axis=1)


def apcs(objective: Sequence[np.ndarray], candidates: Sequence[int], best: int) -> float:
    """Chen et al.'s Bonferroni lower bound on the probability that ``best`` is the best of
    ``candidates``, each pair's standard error from its paired differences."""
    from scipy.stats import norm

    miss = 0.0
    for i in candidates:
        if i == best:
            continue
        n = min(objective[i].size, objective[best].size)
        differences = objective[i][:n] - objective[best][:n]
        error = float(differences.std(ddof=1)) / math.sqrt(n) if n > 1 else math.inf
        gap = float(differences.mean())
        if error == 0.0:
            miss += 0.0 if gap > 0 else 1.0
        else:
            miss += float(norm.cdf(-gap / error))
    return max(0.0, 1.0 - miss)


class _State(Designs):
    """Every design's replications and verdicts between stages; the comparisons' error share
    goes to the first round's screen."""

    @property
    def total(self) -> int:
        return sum(values.size for values in self.objective)

    def draw(self, draw: Ragged, designs: Sequence[int], more: Sequence[int]) -> None:
        starts = [self.objective[i].size for i in designs]
        stops = [start + extra for start, extra in zip(starts, more, strict=True)]
        for design, (objective, constraints) in zip(designs, draw(designs, starts, stops),
                                                    strict=True):
            self.objective[design] = np.concatenate([self.objective[design], objective])
            self.constraints[design] = np.concatenate([self.constraints[design],
                                                       constraints], axis=1)

    def check_feasibility(self) -> None:
        if self.beta_f == 0.0:
            return
        for i in self.alive:
            low, high = _one_sided(self.constraints[i], self.beta_f)
            states = self.feasibility[i]
            for c in range(len(states)):
                states[c] = INFEASIBLE if low[c] > 0 else FEASIBLE if high[c] <= 0 else UNDECIDED
            if INFEASIBLE in states:
                self.eliminated[i] = INFEASIBLE

    def screen(self) -> None:
        alive = self.alive
        values = np.stack([self.objective[i] for i in alive])
        judges = np.array([UNDECIDED not in self.feasibility[i] for i in alive])
        out = screen(values, judges, self.settings.delta, self.alpha_c)
        for i, gone in zip(alive, out, strict=True):
            if gone:
                self.eliminated[i] = SCREENED

    def stage(self, draw: Ragged, increment: int) -> None:
        alive = self.alive
        current = np.array([self.objective[i].size for i in alive], dtype=float)
        means = np.array([self.objective[i].mean() for i in alive])
        spreads = np.array([self.objective[i].std(ddof=1) for i in alive])
        target = allocation(means, spreads, current.sum() + increment)
        more = spread_stage(current, target, increment)
        chosen = [(i, int(m)) for i, m in zip(alive, more, strict=True) if m > 0]
        self.draw(draw, [i for i, _ in chosen], [m for _, m in chosen])
        self.check_feasibility()
        self.history.append((self.total, len(self.alive)))


def select_ocba(draw: Ragged, k: int, constraints: int, settings: Settings) -> Outcome:
    """Screen ``k`` designs after a first round of n₀ each, then spend the rest of
    ``settings.budget`` by OCBA in stages of ``settings.step`` replications over all
    designs. Stopped is "selected" when APCS-B reaches the asked
    confidence, "budget" when it does not, "none feasible" when every design broke a
    constraint."""
    if settings.budget is None or settings.budget < settings.first * k:
        raise ValueError("OCBA needs a budget of at least the first round's replications")
    if len(settings.tolerances) != constraints:
        raise ValueError("one tolerance per constraint")
    state = _State(k, constraints, settings)
    state.draw(draw, list(range(k)), [settings.first] * k)
    state.check_feasibility()
    if state.alive:
        state.screen()
    state.history.append((state.total, len(state.alive)))
    step = settings.step
    while state.alive and len(state.alive) > 1 and state.total + 1 <= settings.budget:
        state.stage(draw, min(step, settings.budget - state.total))
    return _outcome(state)


def _outcome(state: _State) -> Outcome:
    candidates = [i for i in range(len(state.objective))
                  if state.eliminated[i] != INFEASIBLE]
    settings = state.settings
    if not candidates:
        return Outcome(state.objective, state.constraints, state.feasibility, state.eliminated,
                       None, NONE_FEASIBLE, len(state.history), settings, state.alpha_c,
                       state.alpha_f, state.history, procedure=OCBA)
    alive = state.alive or candidates
    feasible = [i for i in alive if UNDECIDED not in state.feasibility[i]] or alive
    best = min(feasible, key=lambda i: float(state.objective[i].mean()))
    chance = apcs(state.objective, candidates, best)
    stopped = SELECTED if chance >= settings.confidence else BUDGET
    return Outcome(state.objective, state.constraints, state.feasibility, state.eliminated,
                   best, stopped, len(state.history), settings, state.alpha_c, state.alpha_f,
                   state.history, procedure=OCBA, apcs=chance)


__all__ = ["OCBA", "SCREENED", "STAGES", "Ragged", "allocation", "apcs", "ragged", "screen",
           "select_ocba", "spread_stage"]
