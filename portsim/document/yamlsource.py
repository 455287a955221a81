"""Read YAML as plain data while recording the line of every node path, within the limits.

The YAML parser (libyaml when installed, else PyYAML's own) only yields events; this module
composes them into nodes itself, without recursion, and then turns the nodes into dicts, lists and
scalars. Doing both by hand gives four guarantees:

- nothing is ever constructed from a tag (``!!python/object`` is an error, not an object);
- nesting deeper than :attr:`~portsim.limits.Limits.max_depth` is refused (never a
  ``RecursionError``);
- a document whose aliases would expand to more than :attr:`~portsim.limits.Limits.max_nodes`
  values ("billion laughs") is refused while it is being read, before anything is expanded: each
  node knows how many values it stands for, and an alias adds the size of the node it names;
- every path such as ``("stations", "counters", "servers")`` keeps the line it came from.

Mapping keys are kept as the text written, and duplicated keys are errors (PyYAML would silently
keep the last one).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml import events as ev

from portsim import limits as limits_
from portsim.errors import PathPart, Problem, ScenarioError

Path_ = tuple[PathPart, ...]
Lines = dict[Path_, int]

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
#: libyaml's parser is about 20 times faster than PyYAML's; both yield the same events.
_Parser: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SCALAR, SEQUENCE, MAPPING = "scalar", "sequence", "mapping"

#: What YAML counts as a line break (so line numbers agree with the parser's).
_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
#: What PyYAML's scalar constructors raise for a value their explicit tag does not fit
#: (``!!int abc``, ``!!bool maybe``, ``!!int`` with nothing after it).
_CONSTRUCT_ERRORS = (ValueError, OverflowError, IndexError, KeyError, TypeError, yaml.YAMLError)


class Node:
    """A composed YAML node: far smaller than PyYAML's (no marks, only the line)."""

    __slots__ = ("kind", "tag", "value", "line", "size")

    def __init__(self, kind: str, tag: str, value: Any, line: int) -> None:
        self.kind = kind
        self.tag = tag
        self.value = value  # str, list[Node] or list[tuple[Node, Node]]
        self.line = line  # 1-based
        self.size = 1  # values this node stands for, aliases expanded


def _lines_before(text: str, end: int | None = None) -> int:
    """The 1-based line of position ``end`` (of the end of ``text`` if None)."""
    return len(_BREAK.findall(text, 0, len(text) if end is None else end)) + 1


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag


def _error(message: str, line: int | None) -> ScenarioError:
    return ScenarioError.single(message, line=line)


# ----------------------------------------------------------------------------- composing


class _Composer:
    """Builds :class:`Node` trees from parser events, without recursion and within limits."""

    def __init__(self, text: str, limits: limits_.Limits) -> None:
        self.parser = _Parser(text)
        self.limits = limits
        self.anchors: dict[str, Node] = {}
        self.open: set[int] = set()  # ids of the collections still being read
        self.expanded = 0  # values read so far, aliases counted as what they stand for

    def _count(self, size: int, line: int) -> None:
        self.expanded += size
        if self.expanded > self.limits.max_nodes:
            raise _error(
                f"the document holds more than {self.limits.max_nodes:,} values once its "
                "aliases (*name) are expanded; a scenario needs far fewer (the limit is "
                f"{limits_.describe('max_nodes')})", line)

    def document(self) -> Node | None:
        """The root node of the only document in the stream (``None`` if there is none)."""
        parser = self.parser
        try:
            parser.get_event()  # StreamStart
            root = None
            if not parser.check_event(ev.StreamEndEvent):
                parser.get_event()  # DocumentStart
                root = self._node()
                parser.get_event()  # DocumentEnd
            if not parser.check_event(ev.StreamEndEvent):
                line = parser.peek_event().start_mark.line + 1
                raise _error("a scenario file holds one YAML document, but a second one starts "
                             "here ('---')", line)
            return root
        finally:
            parser.dispose()

    def _node(self) -> Node:
        parser = self.parser
        stack: list[Node] = []  # open collections, innermost last
        pending_key: list[Node | None] = []  # per open mapping: a key waiting for its value
        while True:
            event = parser.get_event()
            line = event.start_mark.line + 1
            if isinstance(event, ev.AliasEvent):
                node = self._alias(event, line)
            elif isinstance(event, ev.ScalarEvent):
                node = self._scalar(event, line)
            elif isinstance(event, ev.SequenceStartEvent | ev.MappingStartEvent):
                stack.append(self._collection(event, line, depth=len(stack)))
                pending_key.append(None)
                continue
            elif isinstance(event, ev.SequenceEndEvent | ev.MappingEndEvent):
                node = stack.pop()
                pending_key.pop()
                self.open.discard(id(node))
            else:  # pragma: no cover - the parser yields nothing else inside a document
                raise _error(f"unexpected YAML event {type(event).__name__}", line)
            if not stack:
                return node  # the root is complete
            parent = stack[-1]
            parent.size += node.size
            if parent.kind == SEQUENCE:
                parent.value.append(node)
            elif pending_key[-1] is None:
                pending_key[-1] = node
            else:
                parent.value.append((pending_key[-1], node))
                pending_key[-1] = None

    def _alias(self, event: ev.AliasEvent, line: int) -> Node:
        """The node an alias names, counted as the values it stands for."""
        target = self.anchors.get(event.anchor or "")
        if target is None:
            raise _error(f"alias *{event.anchor} names no anchor (&{event.anchor}) "
                         "defined above it", line)
        if id(target) in self.open:
            raise _error(f"alias *{event.anchor} refers to a node that contains it", line)
        self._count(target.size, line)
        return target

    def _scalar(self, event: ev.ScalarEvent, line: int) -> Node:
        self._count(1, line)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.parser.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = Node(SCALAR, tag, event.value, line)
        self._anchor(event.anchor, node, line)
        return node

    def _collection(self, event: ev.SequenceStartEvent | ev.MappingStartEvent, line: int,
                    depth: int) -> Node:
        """A new, still empty mapping or list, opened ``depth`` levels deep."""
        self._count(1, line)
        if depth >= self.limits.max_depth:
            raise _error(
                f"mappings and lists are nested more than {self.limits.max_depth} "
                f"levels deep (the limit is {limits_.describe('max_depth')})", line)
        is_map = isinstance(event, ev.MappingStartEvent)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.parser.resolve(yaml.MappingNode if is_map else yaml.SequenceNode,
                                      None, event.implicit)
        collection = Node(MAPPING if is_map else SEQUENCE, tag, [], line)
        self._anchor(event.anchor, collection, line)
        self.open.add(id(collection))
        return collection

    def _anchor(self, anchor: str | None, node: Node, line: int) -> None:
        if anchor is None:
            return
        if anchor in self.anchors:
            raise _error(f"anchor &{anchor} is defined twice (first on line "
                         f"{self.anchors[anchor].line})", line)
        self.anchors[anchor] = node


# ----------------------------------------------------------------------------- building


class _Builder:
    """Builds plain data from composed nodes, collecting problems instead of stopping at one."""

    def __init__(self, limits: limits_.Limits) -> None:
        self.lines: Lines = {}
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")  # only its scalar constructors are used
        self._limits = limits
        self._built = 0

    def build(self, node: Node, path: Path_) -> Any:
        # Work is bounded: the composer has checked that the expanded document is small enough
        # and that nesting is shallow enough for this recursion. The count is a second fence.
        self.lines.setdefault(path, node.line)
        self._built += 1
        if self._built > self._limits.max_nodes:
            raise _error(f"the document holds more than {self._limits.max_nodes:,} values "
                         f"(the limit is {limits_.describe('max_nodes')})", 1)
        if node.kind == SCALAR:
            return self._scalar(node, path)
        if node.kind == SEQUENCE:
            if node.tag != _STD + "seq":
                return self._bad_tag(node, path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag != _STD + "map":
            return self._bad_tag(node, path)
        return self._mapping(node, path)

    def _scalar(self, node: Node, path: Path_) -> Any:
        if node.tag not in _SCALAR_TAGS:
            return self._bad_tag(node, path)
        if node.tag == _STD + "timestamp":
            return node.value  # a date is not a duration; let validation say so
        if node.tag in (_STD + "int", _STD + "float") and ":" in node.value:
            # YAML 1.1 reads 6:30 as the base-60 number 390 and 1:30:00 as 5400; keep the text so
            # that the duration parser applies one rule to "06:30" and 6:30 alike.
            return node.value
        try:
            return self._constructor.construct_object(yaml.ScalarNode(node.tag, node.value),
                                                      deep=True)
        except _CONSTRUCT_ERRORS:
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            if node.tag in (_STD + "int", _STD + "float") and len(node.value) > 40:
                # e.g. more digits than Python converts (sys.get_int_max_str_digits)
                message = f"the number {shown} has too many digits to be read"
            else:
                message = f"{shown!r} is not a valid {_shown_tag(node.tag)}"
            self._problem(path, node, message)
            return None

    def _mapping(self, node: Node, path: Path_) -> dict[str, Any]:
        explicit: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _STD + "merge":
                merges.append(value_node)
                continue
            if key_node.kind != SCALAR:
                self._problem(path, key_node, "a mapping key must be a plain name")
                continue
            key = key_node.value
            if key in explicit:
                self._problem(
                    (*path, key), key_node,
                    f"duplicate key {key!r} (first given on line {first_line[key]})",
                )
                continue
            first_line[key] = key_node.line
            self.lines.setdefault((*path, key), key_node.line)
            explicit[key] = self.build(value_node, (*path, key))
        merged: dict[str, Any] = {}
        for source in merges:
            # "<<: *anchor" or "<<: [*a, *b]": earlier sources win, explicit keys win over all.
            for mapping in source.value if source.kind == SEQUENCE else [source]:
                if mapping.kind != MAPPING:
                    self._problem(path, mapping, "'<<' merges mappings only")
                    continue
                built = self.build(mapping, path)
                if not isinstance(built, dict):  # a tagged mapping, already reported
                    continue
                for key, value in built.items():
                    merged.setdefault(key, value)
        return {**{k: v for k, v in merged.items() if k not in explicit}, **explicit}

    def _bad_tag(self, node: Node, path: Path_) -> None:
        self._problem(
            path, node,
            f"YAML tag {_shown_tag(node.tag)!r} is not allowed: scenario files hold plain data "
            "(mappings, lists, strings, numbers, true/false, null)",
        )

    def _problem(self, path: Path_, node: Node, message: str) -> None:
        self.problems.append(Problem(path=path, line=node.line, message=message))


# ----------------------------------------------------------------------------- entry point


def _syntax_error(error: yaml.MarkedYAMLError, text: str, file: str | None) -> ScenarioError:
    # libyaml marks an unexpected end of the file one line past its last line: clamp it.
    last = _lines_before(text)

    def line(mark: Any) -> int:
        return min(mark.line + 1, last)

    mark = error.problem_mark or error.context_mark
    if "nesting depth" in (error.problem or ""):
        # Newer libyaml stops deep flow nesting in its scanner, ahead of the events that our
        # own depth check reads: report it as the same limit.
        limit = limits_.current().max_depth
        return ScenarioError.single(
            f"mappings and lists are nested more than {limit} levels deep "
            f"(the limit is {limits_.describe('max_depth')})", file=file,
            line=line(mark) if mark is not None else None)
    detail = error.problem or "invalid YAML"
    if error.context and error.context_mark is not None:
        detail += f" ({error.context} on line {line(error.context_mark)})"
    return ScenarioError.single(f"YAML syntax error: {detail}", file=file,
                                line=line(mark) if mark is not None else None)


def _reader_error(error: yaml.YAMLError, text: str, file: str | None) -> ScenarioError:
    # A character YAML does not allow (a control character, a NUL byte): name it and its line.
    position = getattr(error, "position", None)
    character = getattr(error, "character", None)
    line = None
    if isinstance(position, int) and 0 <= position <= len(text):
        line = _lines_before(text, position)
    if isinstance(character, int):
        what = f"the character U+{character:04X}"
    elif isinstance(character, str) and len(character) == 1:
        what = f"the character U+{ord(character):04X}"
    else:
        what = "a character"
    return ScenarioError.single(
        f"not readable as YAML: {what} is not allowed in a YAML file (binary data?)",
        file=file, line=line)


def parse_yaml(text: str, *, file: str | None = None,
               limits: limits_.Limits | None = None) -> tuple[Any, Lines]:
    """Plain data and ``path -> line`` (1-based) from YAML text; ScenarioError if it is not
    well-formed, holds a tag other than the plain-data ones, repeats a key, or exceeds the
    nesting or size limits (``limits``, by default :func:`portsim.limits.current`)."""
    limits = limits if limits is not None else limits_.current()
    try:
        root = _Composer(text, limits).document()
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, text, file) from None
    except yaml.YAMLError as error:  # a ReaderError has a position, not a line
        raise _reader_error(error, text, file) from None
    except ScenarioError as error:
        raise ScenarioError(error.problems, file=file) from None
    if root is None:
        raise ScenarioError.single(
            "the file is empty; a scenario is a mapping with name, time, stations and classes",
            file=file,
        )
    builder = _Builder(limits)
    try:
        data = builder.build(root, ())
    except ScenarioError as error:  # too many nodes: add the file name
        raise ScenarioError(error.problems, file=file) from None
    if builder.problems:
        raise ScenarioError(builder.problems, file=file)
    return data, builder.lines
