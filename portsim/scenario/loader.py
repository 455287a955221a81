"""Load a scenario file: read YAML safely, inline timetable CSVs, merge and validate variants.

``load_scenario`` either returns a :class:`Scenario` whose base document and every variant
are valid and compiled (each exactly once: :meth:`Scenario.model`), or raises one
:class:`~portsim.errors.ScenarioError` listing each problem with its field path and line.
Variants are partial documents deep-merged over the base, in the order written; they are
validated as whole scenarios, and their problems are reported under ``variants.NAME`` with
lines in the variant's own text. A document's policy blocks are checked
as it is compiled, against the model the policies before each one built.

The loader also enforces the limits that protect the machine (:mod:`portsim.limits`): the file's
size (checked before it is read), nesting and alias expansion (while the YAML is composed), the
rows of timetable CSVs, and, once a document is valid, its horizon, its replications and the
entities expected to arrive in one replication. Each one is a located problem like any other.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from portsim import limits as limits_
from portsim.document.problems import line_of, located, problems_from, suggest
from portsim.document.root import ScenarioDocument, unknown_name
from portsim.document.settings import AUTO_WARMUP, PrecisionSettings
from portsim.document.timetable import TimetableFileError, locate, read_timetable
from portsim.document.yamlsource import Lines, parse_yaml
from portsim.engine.load import class_rates
from portsim.engine.model import Model
from portsim.errors import PathPart, Problem, ScenarioError
from portsim.scenario import compile as compiling
from portsim.scenario.positions import cost_problems

Validated = TypeVar("Validated", bound=BaseModel)

Loc = tuple[PathPart, ...]

#: Mapping keys that name a kind: an override naming another kind replaces the whole mapping
#: instead of merging into it (``{dist: exponential, mean: 1}`` over a lognormal must not keep
#: the lognormal's ``cv``).
KIND_KEYS = ("dist", "kind")
#: Keys that stand in for each other: giving one in an override drops the other from the base.
ALTERNATIVE_KEYS = (frozenset({"batches", "file"}),)
#: Bytes read at a time from a scenario file.
_CHUNK = 1 << 20


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario: the base document and every variant merged over it, each with
    its compiled engine model (under ``None`` for the base, the variant's name otherwise)."""

    base: ScenarioDocument
    models: Mapping[str | None, Model]
    variants: Mapping[str, ScenarioDocument] = field(default_factory=dict)
    source_file: Path | None = None
    timetables: tuple[Path, ...] = ()
    """The timetable files read (their real paths)."""

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file this scenario was read from: the scenario file and its timetables (the
        inputs no output of a command may replace)."""
        return (*((self.source_file,) if self.source_file is not None else ()),
                *self.timetables)

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
    def warmup_auto(self) -> bool:
        """Whether the warm-up is chosen from a pilot round (``time.warmup: auto``)."""
        return self.base.time.warmup == AUTO_WARMUP

    @property
    def precision(self) -> PrecisionSettings | None:
        """The file's ``precision:`` block (``--precision`` overrides it)."""
        return self.base.precision

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

    def model(self, variant: str | None = None) -> Model:
        """The engine model of the base (``None``) or of a variant, compiled when loading."""
        self.document(variant)  # an unknown variant: one message with a suggestion
        return self.models[variant]

    def resolved(self, variant: str | None = None) -> dict[str, Any]:
        """The merged, validated document as JSON-able data, durations in minutes and rates per
        minute, timetable files inlined as batches; for provenance and hashing."""
        document = self.document(variant)
        # Fields added after results were first published are left out while unset, so that
        # results.json (and its hash) of a file that does not use them stays as it was.
        unset = {key for key in ("precision", "costs", "inspection")
                 if getattr(document, key) is None}
        # The free parameters of a calibration change nothing a run does.
        return document.model_dump(mode="json", exclude={"variants", "calibrate", *unset})


def compile_model(scenario: Scenario, variant: str | None = None) -> Model:
    """The engine model of the base scenario (``variant=None``) or of one variant."""
    return scenario.model(variant)


def model_name(doc: ScenarioDocument, variant: str | None) -> str:
    """The name runs of a document's model carry: ``NAME`` or ``NAME [VARIANT]``."""
    return doc.name if variant is None else f"{doc.name} [{variant}]"


def merge(base: Any, override: Any) -> Any:
    """``override`` deep-merged over ``base``: mappings merge key by key, all else replaces,
    and a key set to null is removed (as in JSON Merge Patch, RFC 7386): a variant can drop a
    class, a station, a policy or an optional setting of the baseline."""
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
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
    return merged


def load_side_file(path: str | os.PathLike[str], root: type[Validated], expected: str,
                   prepare: Callable[[dict[str, Any], Lines], list[Problem]] | None = None,
                   ) -> tuple[Validated, Lines, str]:
    """A YAML file of another kind than a scenario (a state file, a study file) validated
    against ``root``: the document, its lines and the file name as shown.
    :class:`ScenarioError` (file, field, line) when it is not a mapping (``expected`` says what
    it should hold) or does not validate. ``prepare`` sees the plain data first (to hold what
    it asks for to the limits before validation builds anything) and may change it; the
    problems it returns are the file's."""
    shown = os.fspath(path)
    limits = limits_.current()
    raw, lines = parse_yaml(_read_source(Path(path), shown, limits), file=shown, limits=limits)
    if not isinstance(raw, dict):
        raise ScenarioError.single(expected, file=shown, line=lines.get(()))
    found = prepare(raw, lines) if prepare is not None else []
    if found:
        raise ScenarioError(found, file=shown)
    try:
        document = root.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(problems_from(error, raw=raw, lines=lines, root=root),
                            file=shown) from None
    return document, lines, shown


def _read_source(path: Path, shown: str, limits: limits_.Limits) -> str:
    """The text of a scenario file; its size is checked before it is read, and the read is
    capped, so a huge file (or a device that never ends) costs nothing."""
    cap = limits.max_file_bytes
    limit = (f"the limit of {limits_.format_bytes(cap)} for scenario files (set "
             f"{limits_.describe('max_file_bytes')} to allow larger ones)")
    try:
        if path.is_dir():
            raise IsADirectoryError
        size = path.stat().st_size
        if size > cap:
            raise ScenarioError.single(f"is {limits_.format_bytes(size)}, more than {limit}",
                                       file=shown)
        data = bytearray()
        with path.open("rb") as handle:
            # In chunks, and never more than the limit: a file that is still growing, or a
            # device such as /dev/zero, stops here.
            while len(data) <= cap:
                chunk = handle.read(min(_CHUNK, cap + 1 - len(data)))
                if not chunk:
                    break
                data += chunk
        if len(data) > cap:
            raise ScenarioError.single(f"is more than {limit}", file=shown)
        return bytes(data).decode("utf-8-sig")
    except FileNotFoundError:
        reason = "file not found"
    except IsADirectoryError:
        reason = "is a folder, not a scenario file"
    except PermissionError:
        reason = "cannot be read (permission denied)"
    except UnicodeDecodeError as error:
        text = bytes(error.object)  # without a byte-order mark, which positions leave out too
        raise ScenarioError.single(
            f"not UTF-8 text (invalid byte 0x{text[error.start]:02x} at position {error.start}); "
            "save the file as UTF-8", file=shown, line=text.count(b"\n", 0, error.start) + 1,
        ) from None
    except OSError as error:
        reason = f"cannot be read: {error.strerror}"
    raise ScenarioError.single(reason, file=shown)


class _Inliner:
    """Replaces ``file:`` of timetable arrivals by the batches read from the CSV."""

    def __init__(self, folder: Path, limits: limits_.Limits) -> None:
        self.folder = folder
        self.limits = limits
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

    @property
    def read(self) -> list[Path]:
        """The timetable files found (read, or refused while read)."""
        return list(self._cache)

    def _read(self, written: str) -> list[dict[str, Any]] | TimetableFileError:
        try:
            path = locate(self.folder, written)
        except TimetableFileError as error:
            return error
        if path not in self._cache:
            try:
                self._cache[path] = read_timetable(path, shown=written, limits=self.limits)
            except TimetableFileError as error:
                self._cache[path] = error
        cached = self._cache[path]
        # A new list of the same rows: validation only reads the rows (a deep copy of a million
        # of them would cost seconds).
        return cached if isinstance(cached, TimetableFileError) else list(cached)


def _load(raw: dict[str, Any], *, variant: str | None, lines: Lines, prefix: Loc,
          inline: _Inliner, limits: limits_.Limits,
          ) -> tuple[ScenarioDocument | None, Model | None, list[Problem]]:
    """Validate one document, compile it once (checking its policy blocks) and hold the
    compiled model to the limits: (document, model, problems), both None on any problem."""
    problems = inline(raw, lines, prefix)
    if problems:
        return None, None, problems
    try:
        doc = ScenarioDocument.model_validate(raw)
    except ValidationError as error:
        return None, None, problems_from(error, raw=raw, lines=lines, prefix=prefix)
    compiled = compiling.compile_document(doc, name=model_name(doc, variant))
    if compiled.model is None:
        return None, None, located(compiled.problems, lines, prefix)
    problems = limit_problems(doc, compiled.model, limits=limits, lines=lines, prefix=prefix)
    if problems:
        return None, None, problems
    return doc, compiled.model, []


def _check_shape(data: Mapping[str, Any], limits: limits_.Limits) -> None:
    """Hold a mapping given from Python to the limits a YAML file is held to (nesting, values),
    without recursion: a mapping that contains itself is refused, not copied for ever."""
    stack: list[tuple[Any, Loc, tuple[int, ...]]] = [(data, (), ())]
    seen = 0
    while stack:
        value, path, inside = stack.pop()
        seen += 1
        if seen > limits.max_nodes:
            raise ScenarioError.single(
                f"the scenario holds more than {limits.max_nodes:,} values (the limit is "
                f"{limits_.describe('max_nodes')})")
        if not isinstance(value, Mapping | list | tuple):
            continue
        if id(value) in inside:
            raise ScenarioError.single("a mapping or list contains itself", path=path)
        if len(path) >= limits.max_depth:
            raise ScenarioError.single(
                f"mappings and lists are nested more than {limits.max_depth} levels deep "
                f"(the limit is {limits_.describe('max_depth')})", path=path)
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        stack.extend((item, (*path, key), (*inside, id(value))) for key, item in items)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return f"a single value ({type(value).__name__})"


def load_scenario(source: str | os.PathLike[str] | Mapping[str, Any], *,
                  base_dir: str | os.PathLike[str] | None = None) -> Scenario:
    """Load and validate a scenario from a YAML file, or from an already parsed mapping.

    Timetable CSV files are found relative to ``base_dir``, by default the scenario file's
    folder (the current folder for a mapping). Raises :class:`ScenarioError` on any problem,
    including a limit of :mod:`portsim.limits` being exceeded.
    """
    limits = limits_.current()
    if isinstance(source, Mapping):
        _check_shape(source, limits)
        raw: Any = copy.deepcopy(dict(source))
        lines: Lines = {}
        shown: str | None = None
        source_file = None
        folder = Path(base_dir) if base_dir is not None else Path.cwd()
    else:
        source_file = Path(source)
        shown = os.fspath(source)
        raw, lines = parse_yaml(_read_source(source_file, shown, limits), file=shown,
                                limits=limits)
        folder = Path(base_dir) if base_dir is not None else source_file.parent
    if not isinstance(raw, dict):
        raise ScenarioError.single(
            "a scenario must be a mapping with name, time, stations and classes "
            f"(got {_kind(raw)})", file=shown, line=lines.get(()),
        )
    inline = _Inliner(folder, limits)
    base, model, problems = _load(copy.deepcopy(raw), variant=None, lines=lines, prefix=(),
                                  inline=inline, limits=limits)
    if base is None or model is None:
        raise ScenarioError(problems, file=shown)
    models: dict[str | None, Model] = {None: model}
    common = {key: value for key, value in raw.items() if key != "variants"}
    variants: dict[str, ScenarioDocument] = {}
    for name, patch in base.variants.items():
        document, model, found = _load(merge(common, patch), variant=name, lines=lines,
                                       prefix=("variants", name), inline=inline, limits=limits)
        problems.extend(found)
        if document is not None and model is not None:
            variants[name] = document
            models[name] = model
    problems.extend(_price_problems(base, variants, models, lines))
    if not problems:
        problems = _pledge_station_problems(base, variants, models, lines)
    if problems:
        raise ScenarioError(problems, file=shown)
    return Scenario(base=base, models=models, variants=variants, source_file=source_file,
                    timetables=tuple(inline.read))


def _price_problems(base: ScenarioDocument, variants: Mapping[str, ScenarioDocument],
                    models: Mapping[str | None, Model], lines: Lines) -> list[Problem]:
    """Prices given for resources no station of the scenario or of its variants has; a
    variant's are checked where it gives its own (else they are the base's)."""
    resources = {resource for built in models.values() for resource in built.resources}
    problems: list[Problem] = []
    for name, document in [(None, base), *((name, document) for name, document
                                           in variants.items()
                                           if "costs" in base.variants[name])]:
        problems.extend(located(cost_problems(document, resources), lines,
                                () if name is None else ("variants", name)))
    return problems


def _pledge_station_problems(base: ScenarioDocument, variants: dict[str, ScenarioDocument],
                             models: dict[str | None, Model], lines: Lines) -> list[Problem]:
    """Pledged and inspection stations that are no station of the file: neither of its
    stations nor one a policy of the base or of a variant adds (a base may count e-gates only
    a variant opens)."""
    known = list(dict.fromkeys(spec.name for model in models.values()
                               for spec in model.stations))
    problems: list[Problem] = []
    documents: dict[str | None, ScenarioDocument] = {None: base}
    documents.update(variants)
    for block, named in (("pledge", lambda doc: doc.pledge.stations),
                         ("inspection", lambda doc: doc.inspection and doc.inspection.stations)):
        for variant, doc in documents.items():
            prefix: Loc = () if variant is None else ("variants", variant)
            if variant is not None and named(doc) == named(base):
                continue  # the base's list, reported once
            for index, name in enumerate(named(doc) or ()):
                if name not in known:
                    path = (*prefix, block, "stations", index)
                    problems.append(Problem(path=path, line=line_of(path, lines),
                                            message=unknown_name("station", name, known,
                                                                 "stations")))
    return problems


# ----------------------------------------------------------------------------- machine limits


def limit_problems(doc: ScenarioDocument, model: Model, *, limits: limits_.Limits,
                   lines: Lines, prefix: Loc = ()) -> list[Problem]:
    """The limits of :mod:`portsim.limits` that a valid document exceeds: its horizon, its
    replications and the entities expected to arrive in one replication of its ``model``."""
    problems: list[Problem] = []

    def problem(path: Loc, message: str) -> None:
        full = (*prefix, *path)
        problems.append(Problem(path=full, line=line_of(full, lines), message=message))

    horizon = doc.time.horizon
    if horizon > limits.max_horizon:
        problem(("time", "horizon"),
                f"a horizon of {limits_.format_horizon(horizon)} is longer than the limit of "
                f"{limits_.format_horizon(limits.max_horizon)} of simulated time per replication "
                f"(set {limits_.describe('max_horizon')} to allow more)")
    if doc.replications > limits.max_replications:
        problem(("replications",),
                f"{doc.replications:,} replications is more than the limit of "
                f"{limits.max_replications:,} (set {limits_.describe('max_replications')} to "
                "allow more)")
    if problems:
        return problems  # the expected arrivals are only worth counting over a sane horizon
    expected = expected_entities(model)
    total = sum(expected.values())
    if total > limits.max_entities:
        name = max(expected, key=lambda key: expected[key])
        where = ("classes", name, "arrivals") if doc.classes[name].arrivals is not None \
            else ("classes", name)
        horizon_text = limits_.format_horizon(horizon).split(" (")[0]
        count = f"about {total:,.0f}" if math.isfinite(total) else "an unbounded number of"
        share = f"{expected[name]:,.0f}" if math.isfinite(expected[name]) else "unbounded"
        problem(where,
                f"{count} entities would arrive in one replication of {horizon_text} ({share} "
                f"of class {name!r}), more than the limit of {limits.max_entities:,} (set "
                f"{limits_.describe('max_entities')} to allow more, or shorten time.horizon)")
    return problems


def expected_entities(model: Model) -> dict[str, float]:
    """Entities of each class expected to arrive in one replication of ``model``: own arrivals
    and members spawned by other classes (long-run rates times the horizon)."""
    return {name: rate * model.horizon for name, rate in class_rates(model).items()}
