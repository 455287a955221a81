"""The selected design as a scenario variant: a patch holding the values the design sets,
merged over another variant's patch when the space was built on one (``--variant``).

A variant merges mappings key by key and replaces everything else, so a path that runs through
a list (a shift schedule's window) writes the whole list as the design has it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from portsim.experiment.sweeps import Setting


def _head(document: Mapping[str, Any], path: str) -> list[str]:
    """The keys of ``path`` down to the first list on the way (or the whole path)."""
    keys = path.split(".")
    here: Any = document
    for depth, key in enumerate(keys):
        if isinstance(here, list):
            return keys[:depth]
        here = here[key] if isinstance(here, Mapping) else None
    return keys


def _written(value: Any) -> Any:
    """A shift schedule's window times as the file writes them (``06:00``), not minutes."""
    if isinstance(value, list) and all(isinstance(w, Mapping) and "servers" in w for w in value):
        return [{key: _clock(item) if key in ("start", "end") else item
                 for key, item in window.items()} for window in value]
    return value


def _clock(minutes: Any) -> Any:
    whole = isinstance(minutes, int | float) and float(minutes).is_integer()
    if not whole or not 0 <= minutes <= 1440:
        return minutes
    return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"


def _merge(into: dict[str, Any], patch: Mapping[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def design_patch(resolved: Mapping[str, Any], axes: Sequence[Setting],
                 overrides: Mapping[str, Any] | None = None,
                 description: str = "") -> dict[str, Any]:
    """The variant's patch: ``overrides`` (if any), then every value the axes set, taken
    from the design's resolved scenario."""
    patch: dict[str, Any] = {"description": description}
    if overrides:
        _merge(patch, {key: value for key, value in overrides.items() if key != "description"})
    for setting in axes:
        for path in setting.paths:
            keys = _head(resolved, path)
            value: Any = resolved
            for key in keys:
                value = value[key]
            nested: dict[str, Any] = {}
            here = nested
            for key in keys[:-1]:
                here = here.setdefault(key, {})
            here[keys[-1]] = _written(copy.deepcopy(value))
            _merge(patch, nested)
    return patch


__all__ = ["design_patch"]
