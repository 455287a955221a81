"""Read YAML as plain data while recording the line of every node path.

PyYAML's safe composer builds the node graph; this module turns it into dicts, lists and
scalars itself, so that nothing is ever constructed from a tag (``!!python/object`` is an
error, not an object) and every path such as ``("stations", "counters", "servers")`` keeps the
line it came from. Mapping keys are kept as the text written, and duplicated keys are errors
(PyYAML would silently keep the last one).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from portsim.errors import PathPart, Problem, ScenarioError

Path_ = tuple[PathPart, ...]
Lines = dict[Path_, int]

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
#: Limit on built nodes: aliases can expand a small file exponentially ("billion laughs").
MAX_NODES = 1_000_000


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Builder:
    """Builds plain data from composed nodes, collecting problems instead of stopping at one."""

    def __init__(self) -> None:
        self.lines: Lines = {}
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")  # only its scalar constructors are used
        self._active: set[int] = set()
        self._built = 0

    def build(self, node: Node, path: Path_) -> Any:
        self.lines.setdefault(path, _line(node))
        self._built += 1
        if self._built > MAX_NODES:
            raise ScenarioError.single(
                f"the document expands to more than {MAX_NODES} values (aliases?)", line=1
            )
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._active:
            self._problem(path, node, "an alias refers to a node that contains it")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _STD + "seq":
                    return self._bad_tag(node, path)
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                if node.tag != _STD + "map":
                    return self._bad_tag(node, path)
                return self._mapping(node, path)
        finally:
            self._active.discard(id(node))
        return self._bad_tag(node, path)

    def _scalar(self, node: ScalarNode, path: Path_) -> Any:
        if node.tag not in _SCALAR_TAGS:
            return self._bad_tag(node, path)
        if node.tag == _STD + "timestamp":
            return node.value  # a date is not a duration; let validation say so
        if node.tag in (_STD + "int", _STD + "float") and ":" in node.value:
            # YAML 1.1 reads 6:30 as the base-60 number 390 and 1:30:00 as 5400; keep the text so
            # that the duration parser applies one rule to "06:30" and 6:30 alike.
            return node.value
        return self._constructor.construct_object(node, deep=True)

    def _mapping(self, node: MappingNode, path: Path_) -> dict[str, Any]:
        explicit: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _STD + "merge":
                merges.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self._problem(path, key_node, "a mapping key must be a plain name")
                continue
            key = key_node.value
            if key in explicit:
                self._problem(
                    (*path, key), key_node,
                    f"duplicate key {key!r} (first given on line {first_line[key]})",
                )
                continue
            first_line[key] = _line(key_node)
            self.lines.setdefault((*path, key), _line(key_node))
            explicit[key] = self.build(value_node, (*path, key))
        merged: dict[str, Any] = {}
        for source in merges:
            # "<<: *anchor" or "<<: [*a, *b]": earlier sources win, explicit keys win over all.
            for mapping in source.value if isinstance(source, SequenceNode) else [source]:
                if not isinstance(mapping, MappingNode):
                    self._problem(path, mapping, "'<<' merges mappings only")
                    continue
                built = self.build(mapping, path)
                for key, value in built.items():
                    merged.setdefault(key, value)
        return {**{k: v for k, v in merged.items() if k not in explicit}, **explicit}

    def _bad_tag(self, node: Node, path: Path_) -> None:
        self._problem(
            path, node,
            f"YAML tag {_shown_tag(node.tag)!r} is not allowed: scenario files hold plain data "
            "(mappings, lists, strings, numbers, true/false, null)",
        )
        return None

    def _problem(self, path: Path_, node: Node, message: str) -> None:
        self.problems.append(Problem(path=path, line=_line(node), message=message))


def parse_yaml(text: str, *, file: str | None = None) -> tuple[Any, Lines]:
    """Plain data and ``path -> line`` (1-based) from YAML text; ScenarioError if it is not
    well-formed, holds a tag other than the plain-data ones, or repeats a key."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = error.problem or "invalid YAML"
        if error.context and error.context_mark is not None:
            detail += f" ({error.context} on line {error.context_mark.line + 1})"
        raise ScenarioError.single(
            f"YAML syntax error: {detail}", file=file,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    except yaml.YAMLError as error:  # e.g. a control character (ReaderError has no line)
        raise ScenarioError.single(f"not readable as YAML: {error}", file=file) from None
    if root is None:
        raise ScenarioError.single(
            "the file is empty; a scenario is a mapping with name, time, stations and classes",
            file=file,
        )
    builder = _Builder()
    try:
        data = builder.build(root, ())
    except ScenarioError as error:  # too many nodes: add the file name
        raise ScenarioError(error.problems, file=file) from None
    if builder.problems:
        raise ScenarioError(builder.problems, file=file)
    return data, builder.lines
