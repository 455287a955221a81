"""Load a scenario file: read YAML safely, inline timetable CSVs, merge and validate variants.

``load_scenario`` either returns a :class:`Scenario` whose base document and every variant
are valid, or raises one :class:`~portsim.errors.ScenarioError` listing each problem with its
field path and line. Variants are partial documents deep-merged over the base, in the order
written; they are validated as whole scenarios, and their problems are reported under
``variants.NAME`` with lines in the variant's own text.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from portsim.errors import PathPart, Problem, ScenarioError
from portsim.scenario.problems import line_of, problems_from, suggest
from portsim.scenario.schema import ScenarioDocument
from portsim.scenario.timetable import TimetableFileError, read_timetable
from portsim.scenario.yamlsource import Lines, parse_yaml

Loc = tuple[PathPart, ...]

#: Mapping keys that name a kind: an override naming another kind replaces the whole mapping
#: instead of merging into it (``{dist: exponential, mean: 1}`` over a lognormal must not keep
#: the lognormal's ``cv``).
KIND_KEYS = ("dist", "kind")
#: Keys that stand in for each other: giving one in an override drops the other from the base.
ALTERNATIVE_KEYS = (frozenset({"batches", "file"}),)


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario: the base document and every variant merged over it."""

    base: ScenarioDocument
    variants: Mapping[str, ScenarioDocument] = field(default_factory=dict)
    source_file: Path | None = None

    @property
    def name(self) -> str:
        return self.base.name

    @property
    def replications(self) -> int:
        return self.base.replications

    @property
    def seed(self) -> int:
        return self.base.seed

    @property
    def sla(self) -> float:
        """Waiting-time standard in minutes."""
        return self.base.sla

    @property
    def variant_names(self) -> list[str]:
        return list(self.variants)

    def document(self, variant: str | None = None) -> ScenarioDocument:
        """The validated document of the base (``None``) or of a variant."""
        if variant is None:
            return self.base
        try:
            return self.variants[variant]
        except KeyError:
            known = ", ".join(self.variants) or "none"
            raise ScenarioError.single(
                f"no variant {variant!r}{suggest(variant, list(self.variants))} "
                f"(variants: {known})",
                file=None if self.source_file is None else str(self.source_file),
                path=("variants",),
            ) from None

    def resolved(self, variant: str | None = None) -> dict[str, Any]:
        """The merged, validated document as JSON-able data, durations in minutes and rates per
        minute, timetable files inlined as batches; for provenance and hashing."""
        return self.document(variant).model_dump(mode="json", exclude={"variants"})


def merge(base: Any, override: Any) -> Any:
    """``override`` deep-merged over ``base``: mappings merge key by key, all else replaces."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return copy.deepcopy(override)
    if any(key in base and key in override and base[key] != override[key] for key in KIND_KEYS):
        return copy.deepcopy(override)
    merged = dict(base)
    for pair in ALTERNATIVE_KEYS:
        for key in pair & override.keys():
            for other in pair - {key} - override.keys():
                merged.pop(other, None)
    for key, value in override.items():
        merged[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
    return merged


def _read_source(path: Path, shown: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        reason = "file not found"
    except IsADirectoryError:
        reason = "is a folder, not a scenario file"
    except PermissionError:
        reason = "cannot be read (permission denied)"
    except UnicodeDecodeError as error:
        reason = f"not UTF-8 text (invalid byte at position {error.start})"
    except OSError as error:
        reason = f"cannot be read: {error.strerror}"
    raise ScenarioError.single(reason, file=shown)


class _Inliner:
    """Replaces ``file:`` of timetable arrivals by the batches read from the CSV."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[Path, list[dict[str, Any]] | TimetableFileError] = {}

    def __call__(self, doc: dict[str, Any], lines: Lines, prefix: Loc) -> list[Problem]:
        problems: list[Problem] = []
        classes = doc.get("classes")
        if not isinstance(classes, dict):
            return problems
        for name, entity in classes.items():
            arrivals = entity.get("arrivals") if isinstance(entity, dict) else None
            if not (isinstance(arrivals, dict) and arrivals.get("kind") == "timetable"
                    and isinstance(arrivals.get("file"), str) and "batches" not in arrivals):
                continue  # anything else is for the schema to judge
            path = (*prefix, "classes", name, "arrivals", "file")
            batches = self._read(arrivals["file"])
            if isinstance(batches, TimetableFileError):
                problems.append(Problem(path=path, line=line_of(path, lines),
                                        message=str(batches)))
                continue
            inlined = {key: value for key, value in arrivals.items() if key != "file"}
            entity["arrivals"] = {**inlined, "batches": batches}
        return problems

    def _read(self, written: str) -> list[dict[str, Any]] | TimetableFileError:
        path = (self.folder / written).resolve()
        if path not in self._cache:
            try:
                self._cache[path] = read_timetable(path, shown=written)
            except TimetableFileError as error:
                self._cache[path] = error
        return copy.deepcopy(self._cache[path])


def _validate(raw: dict[str, Any], *, lines: Lines, prefix: Loc, inline: _Inliner,
              ) -> tuple[ScenarioDocument | None, list[Problem]]:
    problems = inline(raw, lines, prefix)
    if problems:
        return None, problems
    try:
        return ScenarioDocument.model_validate(raw), []
    except ValidationError as error:
        return None, problems_from(error, raw=raw, lines=lines, prefix=prefix)


def load_scenario(source: str | os.PathLike[str] | Mapping[str, Any], *,
                  base_dir: str | os.PathLike[str] | None = None) -> Scenario:
    """Load and validate a scenario from a YAML file, or from an already parsed mapping.

    Timetable CSV files are found relative to ``base_dir``, by default the scenario file's
    folder (the current folder for a mapping). Raises :class:`ScenarioError` on any problem.
    """
    if isinstance(source, Mapping):
        raw: Any = copy.deepcopy(dict(source))
        lines: Lines = {}
        shown: str | None = None
        source_file = None
        folder = Path(base_dir) if base_dir is not None else Path.cwd()
    else:
        source_file = Path(source)
        shown = os.fspath(source)
        raw, lines = parse_yaml(_read_source(source_file, shown), file=shown)
        folder = Path(base_dir) if base_dir is not None else source_file.parent
    if not isinstance(raw, dict):
        raise ScenarioError.single(
            "a scenario must be a mapping with name, time, stations and classes "
            f"(got {type(raw).__name__})", file=shown, line=lines.get(()),
        )
    inline = _Inliner(folder)
    base_raw = copy.deepcopy(raw)
    base, problems = _validate(base_raw, lines=lines, prefix=(), inline=inline)
    if base is None:
        raise ScenarioError(problems, file=shown)
    common = {key: value for key, value in raw.items() if key != "variants"}
    variants: dict[str, ScenarioDocument] = {}
    for name, patch in base.variants.items():
        merged = merge(common, patch)
        document, found = _validate(merged, lines=lines, prefix=("variants", name), inline=inline)
        problems.extend(found)
        if document is not None:
            variants[name] = document
    if problems:
        raise ScenarioError(problems, file=shown)
    return Scenario(base=base, variants=variants, source_file=source_file)
