"""Turn pydantic's validation errors into located, readable :class:`Problem` entries.

Pydantic reports where an error is as a ``loc`` that also names the union member it tried
(``('stations', 'desk', 'service', 'lognormal', 'cv')``). Walking that ``loc`` along the model
types tells such tags apart from real keys, so they can be dropped from the path shown, the
YAML line of the nearest recorded path can be found, and an unknown key can be compared with
the keys its model allows.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.types import Tag

from portsim.document.root import REFERENCE_ERROR, ScenarioDocument
from portsim.document.routes import STEP_ERROR, STEP_HELP, STEP_KEYS
from portsim.errors import PathPart, Problem
from portsim.wording import show_value

Loc = tuple[PathPart, ...]

#: Error types whose message gains "(got VALUE)".
_SHOW_INPUT = {
    "greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number",
    "int_type", "int_parsing", "int_from_float", "float_type", "float_parsing", "string_type",
    "bool_type", "literal_error", "dict_type", "list_type", "model_type", "model_attributes_type",
    "multiple_of",
}
_MISSING = object()
#: A number in exponent form without a dot (``1e-3``), which YAML 1.1 reads as text.
_EXPONENT = re.compile(r"^[-+]?[0-9]+[eE][-+]?[0-9]+$")


# ----------------------------------------------------------------------------- walking the types


def _alternatives(tp: Any) -> list[tuple[frozenset[str], Any]]:
    """The concrete types a value of type ``tp`` may take, each with the tags that select it."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        inner, *meta = typing.get_args(tp)
        if typing.get_origin(inner) in (typing.Union, types.UnionType):
            return _alternatives(inner)
        tags = frozenset(m.tag for m in meta if isinstance(m, Tag))
        return [(tags | tags_of, t) for tags_of, t in _alternatives(inner)]
    if origin in (typing.Union, types.UnionType):
        return [alt for arg in typing.get_args(tp) for alt in _alternatives(arg)]
    if tp is type(None):
        return []
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        # Members of a union discriminated by a field (dist, kind) are tagged by its literal.
        literals = frozenset(
            value
            for field in tp.model_fields.values()
            if typing.get_origin(field.annotation) is typing.Literal
            for value in typing.get_args(field.annotation)
            if isinstance(value, str) and len(typing.get_args(field.annotation)) == 1
        )
        return [(literals, tp)]
    return [(frozenset(), tp)]


def _children(tp: Any, part: PathPart) -> list[Any]:
    """Types found one ``part`` below a value of (non-union) type ``tp``."""
    origin = typing.get_origin(tp)
    if origin is list and isinstance(part, int):
        return [typing.get_args(tp)[0]]
    if origin is dict:
        return [typing.get_args(tp)[1]]
    if isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
        return [tp.model_fields[str(part)].annotation]
    return []


def walk(loc: Iterable[PathPart], root: Any = ScenarioDocument) -> tuple[Loc, list[Any]]:
    """The path as the user wrote it (union tags removed) and the types found at its end."""
    shown: list[PathPart] = []
    current: list[Any] = [root]
    for part in loc:
        if isinstance(part, str) and part.startswith(("function-", "tagged-union[")):
            continue
        alternatives = [alt for tp in current for alt in _alternatives(tp)]
        tagged = [tp for tags, tp in alternatives if part in tags]
        if tagged:
            current = tagged
            continue
        shown.append(part)
        current = [child for _, tp in alternatives for child in _children(tp, part)]
    return tuple(shown), current


def allowed_keys(types_here: list[Any]) -> list[str]:
    """Keys the models among ``types_here`` accept."""
    keys: list[str] = []
    for _, tp in (alt for t in types_here for alt in _alternatives(t)):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            keys.extend(name for name in tp.model_fields if name not in keys)
    return keys


# ----------------------------------------------------------------------------- locating


def line_of(path: Loc, lines: Mapping[Loc, int]) -> int | None:
    """Line of ``path``, or of its nearest ancestor that has one."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


def value_at(data: Any, path: Loc) -> Any:
    for part in path:
        # Two branches, not one `or`: each narrows the index's type for its container.
        if isinstance(data, dict) and part in data:  # noqa: SIM114
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def suggest(word: str, choices: list[str]) -> str:
    """"; did you mean 'x'?" or "", for messages."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close and len(word) >= 3:  # an abbreviation: "expo" for "exponential"
        close = [choice for choice in choices if choice.startswith(word)][:1]
    return f"; did you mean {close[0]!r}?" if close else ""


# ----------------------------------------------------------------------------- messages


def _unknown_key(key: str, allowed: list[str]) -> str:
    hint = suggest(key, allowed)
    listing = f" (allowed: {', '.join(allowed)})" if allowed and not hint else ""
    return f"unknown key {key!r}{hint}{listing}"


def _step_detail(given: Any) -> str:
    if not isinstance(given, dict):
        return f" (got {show_value(given)})"
    known = [key for key in given if key in STEP_KEYS]
    if len(known) > 1:
        return f" (got {', '.join(map(repr, known))})"
    hints = [f"{key!r}{suggest(str(key), list(STEP_KEYS))}" for key in given
             if key not in STEP_KEYS]
    return f" (got {', '.join(hints)})" if hints else " (got an empty mapping)"


def _message(error: Mapping[str, Any], path: Loc, types_here: list[Any], raw: Any,
             loc: Loc, root: Any = ScenarioDocument) -> tuple[Loc, str]:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return path, "required key is missing"
    if kind == "extra_forbidden":
        _, parent_types = walk(loc[:-1], root)
        return path, _unknown_key(str(path[-1]), allowed_keys(parent_types))
    if kind == "union_tag_invalid":
        field = str(ctx.get("discriminator", "")).strip("'")
        expected = [tag.strip("' ") for tag in str(ctx.get("expected_tags", "")).split(",")]
        tag = str(ctx.get("tag"))
        return (*path, field), (f"unknown {field} {tag!r}{suggest(tag, expected)} "
                                f"(choose from: {', '.join(expected)})")
    if kind == "union_tag_not_found":
        field = str(ctx.get("discriminator", "")).strip("'")
        choices = sorted({t for tp in types_here for tags, _ in _alternatives(tp) for t in tags})
        return path, f"missing key {field!r} (one of: {', '.join(choices)})"
    if kind == STEP_ERROR:
        return path, STEP_HELP + _step_detail(value_at(raw, path))
    if kind in ("too_short", "string_too_short"):
        least = ctx.get("min_length", 1)
        unit = "character" if kind == "string_too_short" else "entry"
        return path, f"needs at least {least} {unit}{'s' if least != 1 else ''}" + (
            " (got none)" if ctx.get("actual_length", 1) == 0 else "")
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in _SHOW_INPUT:
        given = value_at(raw, path)
        shown = error.get("input") if given is _MISSING else given
        message += f" (got {show_value(shown)})"
        if kind in ("float_type", "float_parsing") and isinstance(shown, str) \
                and _EXPONENT.match(shown):
            # YAML 1.1 reads 1e-3 (no dot) as text; the user meant a number.
            mantissa, exponent = shown.lower().split("e")
            message += f"; write {mantissa}.0e{exponent}: without a dot YAML reads it as text"
    return path, message


def located(found: Iterable[tuple[Loc, str]], lines: Mapping[Loc, int],
            prefix: Loc = ()) -> list[Problem]:
    """``(loc, message)`` pairs as :class:`Problem` entries under ``prefix``, with their lines."""
    problems: list[Problem] = []
    for loc, message in found:
        full = (*prefix, *loc)
        problems.append(Problem(path=full, line=line_of(full, lines), message=message))
    return problems


def problems_from(error: ValidationError, *, raw: Any, lines: Mapping[Loc, int],
                  prefix: Loc = (), root: Any = ScenarioDocument) -> list[Problem]:
    """One :class:`Problem` per pydantic error, located in ``lines`` under ``prefix``.

    ``raw`` is the document that was validated (for showing the value a user wrote);
    ``root`` the model it was validated as.
    """
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        if item["type"] == REFERENCE_ERROR:
            problems.extend(located(item["ctx"]["problems"], lines, prefix))
            continue
        loc = tuple(item["loc"])
        path, types_here = walk(loc, root)
        path, message = _message(item, path, types_here, raw, loc, root)
        if path and path[-1] == "[key]":  # pydantic's marker for a mapping key (a name)
            path, message = path[:-1], f"invalid name: {message}"
        full = (*prefix, *path)
        problems.append(Problem(path=full, line=line_of(full, lines), message=message))
    return problems
