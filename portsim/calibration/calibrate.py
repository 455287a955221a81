"""A scenario calibrated to a targets file: the fit, every target's verdict, the variants to
write.

``calibrate`` checks the targets against the scenario (variants, classes, stations, KPIs) and the
free parameters against the documents the targets use, then searches (:mod:`.search`) on common
random numbers and judges every target at the fitted values: the figures used in the fit and,
apart, those held out, which the search never saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portsim.calibration.free import Free, free_parameters, values_at, with_values
from portsim.calibration.objective import (
    CalibrationError,
    Compared,
    Evaluation,
    Objective,
)
from portsim.calibration.search import CHI2_95, Search, search
from portsim.calibration.targets import Z95, Targets, check_against
from portsim.engine.collect import kpi_names
from portsim.experiment.options import RunOptions
from portsim.scenario.loader import Scenario

FORMAT = "portsim-calibration/1"
#: Replications per candidate by default: enough for a standard error, few enough that a search
#: of some fifty candidates stays within a minute on the shipped scenarios.
REPLICATIONS = 5


@dataclass(frozen=True)
class Calibration:
    """A finished calibration."""

    scenario: Scenario
    targets: Targets
    free: tuple[Free, ...]
    search: Search
    replications: int
    seed: int
    documents: dict[str | None, dict[str, Any]]

    @property
    def best(self) -> Evaluation:
        return self.search.best

    def fitted(self) -> list[Compared]:
        return self.best.used("fit")

    def held_out(self) -> list[Compared]:
        return self.best.used("hold-out")

    def variant_values(self) -> dict[str | None, dict[str, Any]]:
        """Per document (the baseline always, and each variant a target uses), the values the
        fit gives at the free paths it holds: what the calibrated variants set."""
        documents = {None: self.scenario.resolved(None), **self.documents}
        found = {}
        for variant, document in documents.items():
            values = values_at(with_values(document, self.free, self.best.values), self.free)
            if values:
                found[variant] = values
        return found

    def to_dict(self) -> dict[str, Any]:
        source = self.scenario.source_file
        return {
            "format": FORMAT,
            "scenario": {"name": self.scenario.name,
                         "file": str(source) if source is not None else None},
            "targets_file": self.targets.file,
            "method": {
                "distance": "sum over fit targets of ((model - observed) / sqrt(se_observed^2"
                            " + se_model^2))^2",
                "within": f"|z| <= {Z95:.2f}",
                "design": f"Latin hypercube, {self.search.design_points} points",
                "local": "Nelder-Mead, bounded, in [0, 1] per parameter",
                "interval": f"distance within {CHI2_95:.2f} of its least, one parameter "
                            "at a time",
                "replications": self.replications, "seed": self.seed,
                "candidates": self.search.candidates},
            "parameters": [{
                "name": fit.free.name, "path": fit.free.parameter.path,
                "operation": fit.free.parameter.operation,
                "range": [fit.free.low, fit.free.high], "as_written": fit.free.written,
                "fitted": fit.value, "ci_low": fit.low, "ci_high": fit.high,
                "ci_low_at_range_end": fit.low_at_bound,
                "ci_high_at_range_end": fit.high_at_bound} for fit in self.search.parameters],
            "distance": self.best.distance,
            "distance_as_written": (self.search.written.distance
                                    if self.search.written is not None else None),
            "targets": [target_row(c) for c in self.best.compared],
            "as_written": ([target_row(c) for c in self.search.written.compared]
                           if self.search.written is not None else None),
            "calibrated_values": {variant or "baseline": values for variant, values
                                  in self.variant_values().items()},
        }


def target_row(compared: Compared) -> dict[str, Any]:
    """One target's line of targets.csv and calibration.json."""
    target = compared.target
    return {
        "target": compared.name, "use": target.use, "variant": target.variant or "baseline",
        "kpi": target.address, "observed": target.value,
        "observed_se": target.standard_error, "model": compared.model.mean,
        "model_ci_low": compared.model.low, "model_ci_high": compared.model.high,
        "model_se": compared.model_se, "error": compared.error, "z": compared.z,
        "within": compared.within, "source": target.source,
        "confidence": target.confidence or "",
    }


def calibrate(scenario: Scenario, targets: Targets, *, replications: int = REPLICATIONS,
              seed: int | None = None, workers: int = 1, engine: str = "auto",
              progress: Callable[[int, Evaluation], None] | None = None) -> Calibration:
    """Fit ``scenario``'s free parameters to ``targets``' ``use: fit`` figures and judge every
    target at the fit (see the module docstring)."""
    if replications < 2:
        raise CalibrationError(f"--replications {replications}: a calibration needs at least "
                               "2 (the model's standard error is part of the distance)")
    if scenario.warmup_auto:
        raise CalibrationError("the scenario's warm-up is auto: a calibration compares "
                               "candidates on one fixed warm-up; give time.warmup a duration")
    variants = {variant: None for _, target in targets.items() for variant in target.variants()}
    check_against(targets, scenario.variant_names,
                  {variant: kpi_names(scenario.model(variant)) for variant in variants
                   if variant is None or variant in scenario.variant_names})
    documents = {variant: scenario.resolved(variant) for variant in variants}
    free = tuple(free_parameters(scenario, documents))
    chosen = seed if seed is not None else scenario.seed
    options = RunOptions(replications=replications, seed=chosen, workers=workers,
                         engine=engine)
    objective = Objective(scenario, targets, free, options, documents, progress=progress)
    return Calibration(scenario, targets, free, search(objective, chosen), replications,
                       chosen, documents)


__all__ = ["FORMAT", "REPLICATIONS", "Calibration", "calibrate", "target_row"]
