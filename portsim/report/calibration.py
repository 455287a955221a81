"""A calibration shown and written: the headline (the fitted values, then how many targets the
fit meets and how many held-out targets it predicts), a table of every target, and the files
calibration.json, targets.csv and variant.yaml."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from portsim.calibration.calibrate import Calibration, target_row
from portsim.calibration.objective import Compared
from portsim.calibration.search import ParameterFit
from portsim.document.durations import DURATION_KEYS
from portsim.report.files import dump_csv, dump_json

#: Path keys under which a number is a duration (minutes) in the resolved document.
_TIMED = ("service", "delay", "patience", "impatience", "off_by", "walk", "travel")


def _is_duration(path: str) -> bool:
    keys = [key.strip() for key in path.split(".")]
    return keys[-1] in DURATION_KEYS or (
        keys[-1] in ("mean", "value", "low", "high") and any(k in _TIMED for k in keys))


def shown_value(fit: ParameterFit, value: float) -> str:
    """A free parameter's value as a reader writes it: a factor as ×0.93, a duration in
    seconds or minutes, any other number as it is."""
    operation = fit.free.parameter.operation
    if operation == "*=":
        return f"×{value:.3g}"
    sign = "+" if operation == "+=" else ""
    first = fit.free.parameter.paths[0]
    if _is_duration(first):
        if abs(value) < 2:
            return f"{value * 60:{sign}.3g} s"
        return f"{value:{sign}.4g} min"
    return f"{value:{sign}.4g}"


def _parameter_line(fit: ParameterFit) -> str:
    ends = (f"{'≤' if fit.low_at_bound else ''}{shown_value(fit, fit.low)}",
            f"{'≥' if fit.high_at_bound else ''}{shown_value(fit, fit.high)}")
    return (f"  {fit.free.name} = {shown_value(fit, fit.value)} (95% interval {ends[0]} to "
            f"{ends[1]}; as written {shown_value(fit, fit.free.written)})")


def _count_line(label: str, compared: list[Compared]) -> str:
    within = sum(c.within for c in compared)
    return f"{label}: {within} of {len(compared)} within their uncertainty"


def headline(calibration: Calibration) -> list[str]:
    """The first lines printed: what was fitted, and how the fit and the hold-out fare."""
    best, written = calibration.best, calibration.search.written
    lines = [f"{calibration.scenario.name}: calibrated to {calibration.targets.file}"]
    lines += [_parameter_line(fit) for fit in calibration.search.parameters]
    distance = f"distance {best.distance:.3g}"
    if written is not None:
        distance += f"; as written {written.distance:.3g}"
    lines.append(f"{_count_line('fit', calibration.fitted())} ({distance})")
    held = calibration.held_out()
    if not held:
        lines.append("held out: none (every target was used in the fit)")
        return lines
    lines.append(_count_line("held out", held))
    for compared in held:
        lines += [f"  {compared.name}: model {_with_ci(compared)}, observed "
                  f"{_number(compared.target.value)} ± {compared.target.standard_error:.2g}",
                  f"    error {_signed(compared.error)} (z {compared.z:+.2f}): "
                  f"{'within' if compared.within else 'outside'} its uncertainty"]
    return lines


def _number(value: float) -> str:
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"


def _signed(value: float) -> str:
    return f"{value:+.1f}" if abs(value) >= 10 else f"{value:+.3g}"


def _with_ci(compared: Compared) -> str:
    model = compared.model
    return f"{_number(model.mean)} ({_number(model.low)}-{_number(model.high)})"


def targets_table(calibration: Calibration) -> Table:
    """Every target at the fit: observed ± its standard error, the model's mean and 95 % CI,
    z, within or not."""
    table = Table(title=Text(f"targets at the fit: {calibration.replications} replications, "
                             f"seed {calibration.seed}; model mean (95% CI); z = error over "
                             "the combined standard error"), title_justify="left")
    for heading in ("target", "use", "observed", "model", "z", ""):
        table.add_column(heading, justify="left" if heading in ("target", "use") else "right",
                         overflow="fold")
    for compared in calibration.best.compared:
        table.add_row(
            Text(compared.name), compared.target.use,
            f"{_number(compared.target.value)} ± {compared.target.standard_error:.2g}",
            _with_ci(compared), f"{compared.z:+.2f}",
            Text("within", style="green") if compared.within
            else Text("outside", style="bold red"))
    return table


def print_calibration(calibration: Calibration, console: Console) -> None:
    for line in headline(calibration):
        console.print(Text(line))
    console.print(targets_table(calibration))


def _clean(value: Any) -> Any:
    """NaN and infinities as null: calibration.json is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def write_calibration(calibration: Calibration, folder: Path, variants: str) -> None:
    """calibration.json, targets.csv and variant.yaml (``variants``: its text) in ``folder``."""
    dump_json(_clean(calibration.to_dict()), folder / "calibration.json")
    dump_csv([_clean(target_row(c)) for c in calibration.best.compared],
             folder / "targets.csv")
    (folder / "variant.yaml").write_text(variants, encoding="utf-8")


__all__ = ["headline", "print_calibration", "shown_value", "targets_table",
           "write_calibration"]
