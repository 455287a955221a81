"""Adding a variant to a scenario file without disturbing what its author wrote.

The file is not re-serialised (that would lose comments, anchors and layout): the variant's
lines are inserted as text after the last line of the existing ``variants:`` mapping (or a
``variants:`` block is added at the end), ending as the file's own lines end; every character
already there is kept. The new text is loaded and compiled like any scenario, and only then does
it replace the file, in one step and only if the file still holds what was read
(:mod:`portsim.writing`). A failure leaves the file as it was.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from portsim.errors import PortsimError, ScenarioError
from portsim.writing import OutputError, new_file


class EditError(PortsimError):
    """A variant that cannot be added to this file."""


_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _key(name: str) -> str:
    """A mapping key as YAML reads it back exactly (quoted unless plainly safe)."""
    return name if _PLAIN.match(name) and name.lower() not in _RESERVED else json.dumps(name)


_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return yaml.safe_dump(value, default_style='"').strip()
    return str(value)


def servers_lines(steps: Sequence[tuple[float, int]], indent: str) -> list[str]:
    """A daily schedule as ``servers:`` windows, one flow mapping per line."""
    lines = [f"{indent}servers:"]
    ends = [offset for offset, _ in steps[1:]] + [1440.0]
    for (start, servers), end in zip(steps, ends, strict=True):
        lines.append(f'{indent}  - {{start: "{_clock(start)}", end: "{_clock(end)}", '
                     f"servers: {servers}}}")
    return lines


def _clock(minutes: float) -> str:
    whole = round(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def variant_lines(name: str, description: str,
                  schedules: Mapping[str, Sequence[tuple[float, int]]],
                  comments: Sequence[str] = (), indent: str = "  ", *,
                  overrides: Mapping[str, Any] | None = None) -> list[str]:
    """The YAML lines of a variant that replaces these stations' servers (``station/pool``:
    one skill pool's servers); with ``overrides`` (another variant's patch, as written), that
    patch with these servers merged into it, so the new variant is the other one plus them."""
    if overrides:
        return _patch_lines(name, description, schedules, comments, indent, overrides)
    lines = [f"{indent}# {comment}" for comment in comments]
    lines.append(f"{indent}{_key(name)}:")
    lines.append(f"{indent}  description: {_scalar(description)}")
    lines.append(f"{indent}  stations:")
    pools: dict[str, list[tuple[str, Sequence[tuple[float, int]]]]] = {}
    for unit, steps in schedules.items():
        station, _, pool = unit.partition("/")
        if pool:
            pools.setdefault(station, []).append((pool, steps))
            continue
        lines.append(f"{indent}    {_key(station)}:")
        lines.extend(servers_lines(steps, indent + "      "))
    for station, entries in pools.items():
        lines.append(f"{indent}    {_key(station)}:")
        lines.append(f"{indent}      pools:")
        for pool, steps in entries:
            lines.append(f"{indent}        {_key(pool)}:")
            lines.extend(servers_lines(steps, indent + "          "))
    return lines


def _windows(steps: Sequence[tuple[float, int]]) -> list[dict[str, Any]]:
    ends = [offset for offset, _ in steps[1:]] + [1440.0]
    return [{"start": _clock(start), "end": _clock(end), "servers": servers}
            for (start, servers), end in zip(steps, ends, strict=True)]


def _patch_lines(name: str, description: str,
                 schedules: Mapping[str, Sequence[tuple[float, int]]],
                 comments: Sequence[str], indent: str, overrides: Mapping[str, Any]) -> list[str]:
    """``overrides`` with ``description`` and these servers set in it, as YAML lines."""
    patch: dict[str, Any] = {"description": description,
                             **{key: copy.deepcopy(value) for key, value in overrides.items()
                                if key != "description"}}
    stations = patch.get("stations")
    if not isinstance(stations, dict):
        stations = patch["stations"] = {}
    for unit, steps in schedules.items():
        station, _, pool = unit.partition("/")
        spec = stations.get(station)
        if not isinstance(spec, dict):
            spec = stations[station] = {}
        if pool:
            pools = spec.get("pools")
            if not isinstance(pools, dict):
                pools = spec["pools"] = {}
            entry = pools.get(pool)
            if not isinstance(entry, dict):
                entry = pools[pool] = {}
            entry["servers"] = _windows(steps)
        else:
            spec["servers"] = _windows(steps)
    body = yaml.safe_dump(patch, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100)
    lines = [f"{indent}# {comment}" for comment in comments]
    lines.append(f"{indent}{_key(name)}:")
    lines.extend(f"{indent}  {line}" if line else line for line in body.splitlines())
    return lines


def _variants_node(root: yaml.Node) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(root, yaml.MappingNode):
        raise EditError("the file is not a YAML mapping")
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "variants":
            return key, value
    return None


class _Text:
    """A file's text as lines split at its own line ending (``\r\n``, ``\n`` or ``\r``),
    each keeping it, so that joining them gives back every character as written. YAML counts
    more characters as line breaks (U+2028, U+0085), so positions are taken from a mark's
    character index, never from its line."""

    def __init__(self, text: str) -> None:
        first = text.find("\n")
        self.newline = ("\r\n" if first > 0 and text[first - 1] == "\r" else
                        "\n" if first >= 0 or "\r" not in text else "\r")
        self.text = text
        parts = text.split(self.newline)
        self.lines = [part + self.newline for part in parts[:-1]]
        if parts[-1]:
            self.lines.append(parts[-1])  # a last line without a line ending

    def line_of(self, mark: yaml.Mark) -> int:
        """The line (from 0) holding the character at ``mark``."""
        return self.text.count(self.newline, 0, mark.index)

    def line_after(self, mark: yaml.Mark) -> int:
        """The first line that starts at or after ``mark``."""
        at_start = mark.index == 0 or self.text.endswith(self.newline, 0, mark.index)
        return self.line_of(mark) + (0 if at_start else 1)

    def joined(self, before: int, new: list[str]) -> str:
        """The text with the lines ``new`` inserted before line ``before``."""
        head = self.lines[:before]
        if head and not head[-1].endswith(self.newline):
            head[-1] += self.newline  # the file's last line had no line ending
        return "".join([*head, *(line + self.newline for line in new), *self.lines[before:]])


def with_variant(text: str, name: str, description: str,
                 schedules: Mapping[str, Sequence[tuple[float, int]]],
                 comments: Sequence[str] = (), *,
                 overrides: Mapping[str, Any] | None = None) -> str:
    """``text`` with the variant inserted (see the module docstring); every character of
    ``text`` is kept, and the new lines end as the file's lines do. ``overrides``: another
    variant's patch the new one starts from (see :func:`variant_lines`)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise EditError(f"the file is not valid YAML: {error}") from None
    if root is None:
        raise EditError("the file is empty")
    found = _variants_node(root)
    lines = _Text(text)
    body = variant_lines(name, description, schedules, comments, overrides=overrides)
    if found is None:
        block = ["variants:", *body]
        if lines.lines and lines.lines[-1].strip():
            block.insert(0, "")
        return lines.joined(len(lines.lines), block)
    key, value = found
    if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
        # ``variants:`` with nothing under it (or null): the block goes under it, and the
        # null (if written) goes; a comment on the line stays.
        cut = _Text(text[:value.start_mark.index] + text[value.end_mark.index:])
        return cut.joined(cut.line_of(key.start_mark) + 1, body)
    if not isinstance(value, yaml.MappingNode) or value.flow_style:
        raise EditError("its variants: block is not a block mapping; add the variant by hand "
                        "(portsim staff wrote it to variant.yaml in the output folder)")
    names = [item.value for item, _ in value.value if isinstance(item, yaml.ScalarNode)]
    if name in names:
        raise EditError(f"it already has a variant named {name!r}; choose another name")
    indent = " " * value.value[0][0].start_mark.column if value.value else "  "
    after = lines.line_after(value.value[-1][1].end_mark if value.value else value.end_mark)
    while after > 0 and _leads_on(lines.lines[after - 1], indent):
        after -= 1  # blank lines and comments before what follows stay with it
    body = variant_lines(name, description, schedules, comments, indent,
                         overrides=overrides)
    return lines.joined(after, body)


def _leads_on(line: str, indent: str) -> bool:
    """Whether ``line`` (before the key that follows the variants) is blank or a comment less
    indented than the variants: one that belongs to what follows."""
    text = line.strip()
    return not text or (text.startswith("#") and len(line) - len(line.lstrip()) < len(indent))


#: The name a comparison gives the scenario without variants (experiment.comparison.BASELINE).
BASELINE = "baseline"


def check_name(name: str) -> None:
    """Refuse a variant name that ``portsim compare --variants`` could not be given back:
    empty, ``baseline``, holding a comma (the separator) or spaces at either end (dropped)."""
    if not name.strip():
        raise EditError(f"a variant needs a name (got {name!r})")
    if name == BASELINE:
        raise EditError(f"a variant named {BASELINE!r} cannot be told apart from the baseline "
                        "in a comparison; choose another name")
    if "," in name:
        raise EditError(f"{name!r}: --variants separates names by commas, so a variant's name "
                        "cannot hold one; choose another name")
    if name != name.strip():
        raise EditError(f"{name!r}: --variants drops spaces at either end of a name; choose "
                        "a name without them")


def check_variant_name(path: Path, name: str) -> bytes:
    """Whether a variant named ``name`` can be added to the file (before any work is done);
    the file's bytes as read, which :func:`add_variant` insists on finding again."""
    check_name(name)
    original = path.read_bytes()
    with_variant(_decoded(original, path), name, "", {})
    return original


def _decoded(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EditError(f"{path}: not UTF-8 text (invalid byte at position {error.start})") \
            from None


def add_variant(path: Path, name: str, description: str,
                schedules: Mapping[str, Sequence[tuple[float, int]]],
                comments: Sequence[str] = (), *, original: bytes | None = None,
                overrides: Mapping[str, Any] | None = None) -> None:
    """Insert the variant into the scenario file at ``path``, after checking that the result
    loads and the variant compiles; replaces the file in one step (:mod:`portsim.writing`:
    through a symbolic link, keeping hard links), and only if it still holds ``original`` (the
    bytes the roster was made for; by default, what it holds now). ``overrides``: another
    variant's patch the new one starts from (see :func:`variant_lines`)."""
    add_variants(path, [(name, description, overrides or {}, list(comments))],
                 original=original, schedules=schedules)


Addition = tuple[str, str, Mapping[str, Any], Sequence[str]]
"""A variant to add: its name, description, patch (as a variant is written) and comments."""


def add_variants(path: Path, additions: Sequence[Addition], *, original: bytes | None = None,
                 schedules: Mapping[str, Sequence[tuple[float, int]]] | None = None) -> None:
    """Insert several variants into the scenario file at ``path`` in one step, as
    :func:`add_variant` does one: all of them or none (``schedules``: servers merged into
    each, see :func:`variant_lines`)."""
    from portsim.scenario.loader import load_scenario

    if original is None:
        original = path.read_bytes()
    text = _decoded(original, path)
    for name, description, overrides, comments in additions:
        check_name(name)
        text = with_variant(text, name, description, schedules or {}, comments,
                            overrides=overrides)
    try:
        with new_file(path, replace=True, expected=original) as temporary:
            temporary.write_bytes(text.encode("utf-8"))
            try:  # timetables are found where the command found them: beside ``path``
                loaded = load_scenario(temporary, base_dir=path.parent)
                for name, *_ in additions:
                    loaded.model(name)
            except ScenarioError as error:
                raise EditError("the scenario with the new variant does not load: "
                                f"{ScenarioError(error.problems, file=str(path))}") from None
            except PortsimError as error:
                raise EditError(f"the scenario with the new variant does not load: {error}") \
                    from None
    except OutputError as error:
        raise EditError(f"{error}; the variant is in variant.yaml in the output folder, to "
                        "add by hand") from None


__all__ = ["BASELINE", "Addition", "EditError", "add_variant", "add_variants", "check_name",
           "check_variant_name", "servers_lines", "variant_lines", "with_variant"]
