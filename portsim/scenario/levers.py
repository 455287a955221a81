"""A variant split into its separate changes (levers), and the scenario of any mix of them.

A variant may bundle several measures: ``more_egates`` of the airport both adds gates and opens
them to more travellers. To tell each one's share of the gain, a decomposition runs the
baseline with some of the variant's changes and not others. This module finds the changes and
builds the documents; :mod:`portsim.experiment.decomposition` chooses the mixes, runs them and
estimates the effects.

What counts as one change, on the resolved documents (durations in minutes, rates per minute):

- a policy's own parameters, each compared whole (``policies.egates.gates``,
  ``policies.egates.eligible``, ``policies.staffing.desks_north``): what an administration
  decides one by one; a whole policy's block when the policy is switched on or off with
  parameters that cannot stand alone (see :func:`grouped`);
- elsewhere, each overridden value: a number, a list (a schedule, a route) or a distribution
  (``{dist: ...}``) whole, and a mapping the variant adds or drops whole; a mapping of another
  kind (``arrivals: {kind: ...}``) replaces the baseline's whole, as a variant's merge does;
- never the variant's description, which only describes.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from portsim.errors import PortsimError, ScenarioError
from portsim.scenario.loader import KIND_KEYS, Scenario, load_scenario, model_name

#: Top-level keys a decomposition never counts as a change.
NOT_CHANGES = frozenset({"description"})
#: Path heads left out of a change's short name when the rest is still unique.
_DROPPED_HEADS = ("policies", "stations", "classes")
_ABSENT = object()


class LeverError(PortsimError):
    """A mix of a variant's changes that is not a valid scenario."""

    def __init__(self, message: str, levers: Sequence[Lever]) -> None:
        super().__init__(message)
        #: The changes of the mix.
        self.levers = list(levers)


@dataclass(frozen=True)
class Lever:
    """One separate change of a variant: a value at a path, as in the baseline and the variant
    (``None`` where one side has nothing there)."""

    path: tuple[str, ...]
    baseline: Any
    variant: Any
    #: The change's short name, unique among its variant's changes (see :func:`levers`).
    name: str = ""

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


def levers(base: Mapping[str, Any], variant: Mapping[str, Any]) -> list[Lever]:
    """The separate changes from the resolved ``base`` to the resolved ``variant``, in the
    order the documents hold them, each with a short name."""
    found: list[Lever] = []
    for key in _keys(base, variant):
        if key not in NOT_CHANGES:
            found += _split(base.get(key, _ABSENT), variant.get(key, _ABSENT), (key,))
    return _named(found)


def grouped(found: Sequence[Lever], policy: str, base: Mapping[str, Any],
            variant: Mapping[str, Any]) -> list[Lever]:
    """``found`` with the parameters of ``policy`` made one change, the whole block as the
    resolved ``base`` and ``variant`` have it: for parameters that cannot be applied one
    without another (a policy switched on needs all of its own)."""
    head = ("policies", policy)
    members = [lever for lever in found if lever.path[:2] == head and len(lever.path) > 2]
    if not members:
        return list(found)
    whole = Lever(head, base.get("policies", {}).get(policy),
                  variant.get("policies", {}).get(policy))
    at = found.index(members[0])
    rest = [lever for lever in found if lever not in members]
    return _named([*rest[:at], whole, *rest[at:]])


def split_policy(lever: Lever) -> str | None:
    """The policy whose parameter ``lever`` is (None for any other change)."""
    return lever.path[1] if lever.path[0] == "policies" and len(lever.path) > 2 else None


def _keys(base: Mapping[str, Any], variant: Mapping[str, Any]) -> list[str]:
    return [*base, *(key for key in variant if key not in base)]


def _split(before: Any, after: Any, path: tuple[str, ...]) -> list[Lever]:
    if _same(before, after):
        return []
    if (len(path) == 2 and path[0] == "policies" and _mapping_or_absent(before)
            and _mapping_or_absent(after)):
        # A policy: each of its parameters is one change, compared whole.
        old, new = _as_mapping(before), _as_mapping(after)
        return [Lever((*path, key), _shown(old.get(key, _ABSENT)), _shown(new.get(key, _ABSENT)))
                for key in _keys(old, new) if not _same(old.get(key, _ABSENT),
                                                        new.get(key, _ABSENT))]
    if isinstance(before, Mapping) and isinstance(after, Mapping) and not _whole(before, after):
        changes: list[Lever] = []
        for key in _keys(before, after):
            changes += _split(before.get(key, _ABSENT), after.get(key, _ABSENT), (*path, key))
        return changes
    return [Lever(path, _shown(before), _shown(after))]


def _same(before: Any, after: Any) -> bool:
    # An absent key and an unset (null) value are the same document.
    return (None if before is _ABSENT else before) == (None if after is _ABSENT else after)


def _mapping_or_absent(value: Any) -> bool:
    return value is _ABSENT or value is None or isinstance(value, Mapping)


def _as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _shown(value: Any) -> Any:
    return None if value is _ABSENT else value


def _whole(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether two mappings are one value: a distribution, or mappings of different kinds."""
    if "dist" in before or "dist" in after:
        return True
    return any(key in before and key in after and before[key] != after[key] for key in KIND_KEYS)


def _named(found: Sequence[Lever]) -> list[Lever]:
    """Each change with the shortest name unique among them: its path without the leading
    ``policies.``/``stations.``/``classes.``, or whole where that would be ambiguous."""
    def short(lever: Lever) -> str:
        path = lever.path[1:] if lever.path[0] in _DROPPED_HEADS and len(lever.path) > 1 \
            else lever.path
        return ".".join(path)

    names = [short(lever) for lever in found]
    return [dataclasses.replace(lever, name=name if names.count(name) == 1 else lever.dotted)
            for lever, name in zip(found, names, strict=True)]


def applied(base: Mapping[str, Any], chosen: Sequence[Lever]) -> dict[str, Any]:
    """The resolved ``base`` with the ``chosen`` changes made (a value the variant lacks is
    removed)."""
    document = copy.deepcopy(dict(base))
    for lever in chosen:
        *parents, last = lever.path
        here = document
        for key in parents:
            child = here.get(key)
            if not isinstance(child, dict):
                child = here[key] = {}
            here = child
        if lever.variant is None:
            here.pop(last, None)
        else:
            here[last] = copy.deepcopy(lever.variant)
    return document


def mixed_scenario(scenario: Scenario, variant: str,
                   mixes: Mapping[str, Sequence[Lever]]) -> Scenario:
    """``scenario``'s baseline with one variant per mix of ``variant``'s changes (by label),
    and ``variant`` itself (all of its changes) as the file compiled it.

    Raises :class:`LeverError` naming the mix when a mix is not a valid scenario, with the
    problems it has (:func:`grouped` is the remedy where a policy's parameters are split).
    """
    base = scenario.resolved(None)
    documents = {variant: scenario.document(variant)}
    models = {None: scenario.model(None), variant: scenario.model(variant)}
    for label, chosen in mixes.items():
        try:
            loaded = load_scenario(applied(base, chosen))
        except ScenarioError as error:
            raise LeverError(f"{' and '.join(c.name for c in chosen)} made alone is not a "
                             f"valid scenario ({error})", chosen) from None
        documents[label] = loaded.base
        models[label] = dataclasses.replace(loaded.model(None),
                                            name=model_name(loaded.base, label))
    return Scenario(base=scenario.base, models=models, variants=documents,
                    source_file=scenario.source_file)


__all__ = ["Lever", "LeverError", "applied", "grouped", "levers", "mixed_scenario",
           "split_policy"]
