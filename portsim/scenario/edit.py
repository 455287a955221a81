"""Adding a variant to a scenario file without disturbing what its author wrote.

The file is not re-serialised (that would lose comments, anchors and layout): the variant's
lines are inserted as text after the last line of the existing ``variants:`` mapping (or a
``variants:`` block is added at the end), the new text is loaded and compiled like any scenario,
and only then does it replace the file, atomically. A failure leaves the file as it was.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from portsim.errors import PortsimError


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


def with_variant(text: str, name: str, description: str,
                 schedules: Mapping[str, Sequence[tuple[float, int]]],
                 comments: Sequence[str] = (), *,
                 overrides: Mapping[str, Any] | None = None) -> str:
    """``text`` with the variant inserted (see the module docstring)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise EditError(f"the file is not valid YAML: {error}") from None
    if root is None:
        raise EditError("the file is empty")
    found = _variants_node(root)
    lines = text.splitlines()
    if found is None:
        block = ["variants:", *variant_lines(name, description, schedules, comments,
                                             overrides=overrides)]
        if lines and lines[-1].strip():
            block.insert(0, "")
        return "\n".join(lines + block) + "\n"
    key, value = found
    if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
        # ``variants:`` with nothing under it: write the block in its place.
        lines[key.start_mark.line] = "variants:"
        body = variant_lines(name, description, schedules, comments, overrides=overrides)
        return "\n".join(lines[:key.start_mark.line + 1] + body
                         + lines[key.start_mark.line + 1:]) + "\n"
    if not isinstance(value, yaml.MappingNode) or value.flow_style:
        raise EditError("its variants: block is not a block mapping; add the variant by hand "
                        "(portsim staff wrote it to variant.yaml in the output folder)")
    names = [item.value for item, _ in value.value if isinstance(item, yaml.ScalarNode)]
    if name in names:
        raise EditError(f"it already has a variant named {name!r}; choose another name")
    indent = " " * value.value[0][0].start_mark.column if value.value else "  "
    end = value.value[-1][1].end_mark if value.value else value.end_mark
    after = end.line if end.column == 0 else end.line + 1
    while after > 0 and not lines[after - 1].strip():
        after -= 1  # keep blank lines that separated the block from what follows
    body = variant_lines(name, description, schedules, comments, indent, overrides=overrides)
    return "\n".join(lines[:after] + body + lines[after:]) + "\n"


def check_variant_name(path: Path, name: str) -> None:
    """Whether a variant named ``name`` can be added to the file (before any work is done)."""
    with_variant(path.read_text(encoding="utf-8"), name, "", {})


def add_variant(path: Path, name: str, description: str,
                schedules: Mapping[str, Sequence[tuple[float, int]]],
                comments: Sequence[str] = (), *,
                overrides: Mapping[str, Any] | None = None) -> None:
    """Insert the variant into the scenario file at ``path``, after checking that the result
    loads and the variant compiles; replaces the file atomically. ``overrides``: another
    variant's patch the new one starts from (see :func:`variant_lines`)."""
    from portsim.scenario.loader import load_scenario

    original = path.read_text(encoding="utf-8")
    text = with_variant(original, name, description, schedules, comments, overrides=overrides)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".yaml",
                                             dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            load_scenario(Path(temporary)).model(name)
        except PortsimError as error:
            raise EditError(f"the scenario with the new variant does not load: {error}") from None
        os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


__all__ = ["EditError", "add_variant", "check_variant_name", "servers_lines", "variant_lines",
           "with_variant"]
