"""The calibrated variants: the fitted values written into the scenario file.

One variant for the baseline (``NAME``: the baseline with the fitted values at the free paths it
holds) and one for each variant a target uses (``NAME_VARIANT``: that variant's own changes, as
written, with the fitted values at its free paths), so that each document the calibration ran
can be run again by name. Values are the resolved document's (durations in minutes, rates per
minute), rounded to six significant figures.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from portsim.calibration.calibrate import Calibration
from portsim.scenario.edit import Addition, variant_lines


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def _set(patch: dict[str, Any], path: str, document: Mapping[str, Any]) -> None:
    """Put ``document``'s value at ``path`` into ``patch``; where the path runs through a list,
    the whole list (a variant replaces lists whole)."""
    keys = path.split(".")
    here: Any = patch
    source: Any = document
    for depth, key in enumerate(keys):
        child = source[int(key)] if isinstance(source, list) else source[key]
        if isinstance(child, list) or depth == len(keys) - 1:
            here[key] = _rounded(copy.deepcopy(child))
            return
        if not isinstance(here.get(key), dict):
            here[key] = {}
        here, source = here[key], child


def additions(calibration: Calibration, name: str) -> list[Addition]:
    """The variants to add (see the module docstring)."""
    from portsim.calibration.free import with_values

    found: list[Addition] = []
    documents = {None: calibration.scenario.resolved(None), **calibration.documents}
    values = calibration.variant_values()
    comments = []
    for fit in calibration.search.parameters:
        comments += [f"{fit.free.name}: {fit.free.parameter.operation} {fit.value:.6g} at "
                     f"{fit.free.parameter.path}",
                     f"  (95% interval {fit.low:.4g} to {fit.high:.4g}; resolved units: "
                     "minutes, per minute)"]
    comments.append(f"fitted by portsim calibrate to {calibration.targets.file}")
    for variant, held in values.items():
        document = with_values(documents[variant], calibration.free, calibration.best.values)
        patch: dict[str, Any] = (copy.deepcopy(dict(calibration.scenario.base.variants[variant]))
                                 if variant is not None else {})
        for path in held:
            _set(patch, path, document)
        patch.pop("description", None)
        label = name if variant is None else f"{name}_{variant}"
        what = "the baseline" if variant is None else f"variant {variant}"
        found.append((label, f"{what} with the values calibrated to "
                             f"{calibration.targets.file}", patch, comments))
    return found


def variant_text(found: list[Addition]) -> str:
    """variant.yaml: the variants as a ``variants:`` block, to add by hand if need be."""
    lines = ["variants:"]
    for label, description, patch, comments in found:
        lines += variant_lines(label, description, {}, comments, overrides=patch)
    return "\n".join(lines) + "\n"


__all__ = ["additions", "variant_text"]
