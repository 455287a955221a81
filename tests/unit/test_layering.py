"""Imports go one way: utilities <- limits <- stats <- engine <- document <- policies <- scenario
compiler and loader <- experiment (and calibration) <- fitting <- report <- cli, and no module
imports itself through others, inside a package either.

The graph is portsim's own, as grimp reads it from the source: imports inside functions count
too, so a lazy import cannot hide a backward dependency or a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import grimp
import pytest

from portsim.engine.fast_loops import strong_loops

#: Layers, lowest first: a module may import its own layer and those below it. A module belongs
#: to the layer of the longest entry naming it or a package holding it ("portsim" itself names
#: the root package only: its names are imported on first use).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("utilities", ("portsim", "portsim._kernels", "portsim.errors", "portsim.lazy",
                   "portsim.theory", "portsim.units", "portsim.wording", "portsim.version",
                   "portsim.writing")),
    ("limits", ("portsim.limits",)),
    ("stats", ("portsim.stats",)),
    ("engine", ("portsim.engine",)),
    ("document", ("portsim.document",)),
    ("policies", ("portsim.policies",)),
    ("scenario compiler and loader", ("portsim.scenario",)),
    ("experiment", ("portsim.experiment", "portsim.calibration")),
    ("fitting", ("portsim.fitting",)),
    ("report", ("portsim.report",)),
    ("cli", ("portsim.cli", "portsim.__main__")),
)
ROOT = "portsim"

Edges = Mapping[str, Iterable[str]]


def layer_of(module: str, layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS,
             root: str = ROOT) -> int | None:
    """Index of the layer ``module`` belongs to, or None if no entry names it."""
    best: tuple[int, int] | None = None  # (length of the entry, layer)
    for index, (_, entries) in enumerate(layers):
        for entry in entries:
            inside = module == entry or (entry != root and module.startswith(entry + "."))
            if inside and (best is None or len(entry) > best[0]):
                best = (len(entry), index)
    return None if best is None else best[1]


def backward_imports(edges: Edges, layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS,
                     root: str = ROOT) -> list[str]:
    """Every import of a module from a higher layer, as "importer -> imported"."""
    found = []
    for importer, imported in edges.items():
        low = layer_of(importer, layers, root)
        for target in imported:
            high = layer_of(target, layers, root)
            if low is not None and high is not None and high > low:
                found.append(f"{importer} ({layers[low][0]}) -> {target} ({layers[high][0]})")
    return sorted(found)


def _ancestors(module: str) -> Iterator[str]:
    parts = module.split(".")
    for end in range(len(parts) - 1, 0, -1):
        yield ".".join(parts[:end])


def with_package_inits(edges: Edges) -> dict[str, set[str]]:
    """``edges`` plus what Python runs on the way: importing ``a.b.c`` from outside package
    ``a.b`` first runs ``a.b``'s ``__init__`` (and ``a``'s)."""
    full: dict[str, set[str]] = {module: set(imported) for module, imported in edges.items()}
    for importer, imported in edges.items():
        own = set(_ancestors(importer)) | {importer}
        for target in imported:
            full[importer].update(package for package in _ancestors(target) if package not in own)
    return full


def cycles(edges: Edges) -> list[list[str]]:
    """The strongly connected components of more than one module (the fast path's own search
    for loops of units: any graph will do)."""
    graph = {module: sorted(imported) for module, imported in sorted(edges.items())}
    for imported in list(graph.values()):
        for module in imported:
            graph.setdefault(module, [])
    return [sorted(found) for found in strong_loops(graph) if len(found) > 1]


def describe_cycles(found: list[list[str]], edges: Edges) -> str:
    """Each cycle's modules, then the imports that join them, for a failure message."""
    paragraphs = []
    for component in found:
        members = set(component)
        joins = sorted(f"{importer} -> {target}" for importer in component
                       for target in edges.get(importer, ()) if target in members)
        paragraphs.append(f"{len(component)} modules import each other: {', '.join(component)}"
                          + "".join(f"\n    {join}" for join in joins))
    return "\n".join(paragraphs)


def edges_of(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    return {module: set(graph.find_modules_directly_imported_by(module))
            for module in graph.modules}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(ROOT, cache_dir=None)


def test_every_module_has_a_layer(graph: grimp.ImportGraph) -> None:
    assert [module for module in sorted(graph.modules) if layer_of(module) is None] == []


def test_imports_go_one_way(graph: grimp.ImportGraph) -> None:
    assert backward_imports(edges_of(graph)) == []


def test_no_import_cycle() -> None:
    # What runs: imports needed only by type checkers are left out, a package's __init__ in.
    runtime = grimp.build_graph(ROOT, cache_dir=None, exclude_type_checking_imports=True)
    assert cycles(with_package_inits(edges_of(runtime))) == []


def test_no_module_imports_itself_through_others(graph: grimp.ImportGraph) -> None:
    # Every import counts, inside a package too, those inside functions and those only for type
    # checkers included: modules that import each other can be neither read nor moved apart.
    edges = edges_of(graph)
    found = cycles(edges)
    assert not found, "import cycles:\n" + describe_cycles(found, edges)


# ----------------------------------------------------------------------------- the checks can fail


def test_a_backward_import_is_found() -> None:
    graph = grimp.ImportGraph()
    for module in ("portsim.engine.model", "portsim.document.root", "portsim.policies.base"):
        graph.add_module(module)
    graph.add_import(importer="portsim.policies.base", imported="portsim.engine.model")
    assert backward_imports(edges_of(graph)) == []
    graph.add_import(importer="portsim.engine.model", imported="portsim.document.root")
    assert backward_imports(edges_of(graph)) == [
        "portsim.engine.model (engine) -> portsim.document.root (document)"]
    # A lazy import for the policies would not hide it either: grimp reads function bodies.
    assert layer_of("portsim.document.root") < layer_of("portsim.policies.registry") \
        < layer_of("portsim.scenario.compile")


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "d": {"a"}}) == []


def test_a_cycle_through_a_package_init_is_found() -> None:
    # pkg/__init__ imports pkg.high, which imports outside.mid, which imports pkg.low: importing
    # outside.mid first runs pkg/__init__, which needs outside.mid half-way through its import.
    edges = {"pkg": {"pkg.high"}, "pkg.high": {"outside.mid"}, "outside.mid": {"pkg.low"},
             "pkg.low": set()}
    assert cycles(edges) == []
    assert cycles(with_package_inits(edges)) == [["outside.mid", "pkg", "pkg.high"]]


def test_a_cycle_inside_a_package_is_found() -> None:
    graph = grimp.ImportGraph()
    for module in ("portsim.engine.model", "portsim.engine.collect", "portsim.engine.simulation"):
        graph.add_module(module)
    graph.add_import(importer="portsim.engine.simulation", imported="portsim.engine.collect")
    graph.add_import(importer="portsim.engine.collect", imported="portsim.engine.model")
    assert cycles(edges_of(graph)) == []
    # An import back inside a function (or for type checkers) closes the loop all the same.
    graph.add_import(importer="portsim.engine.collect", imported="portsim.engine.simulation",
                     line_number=120, line_contents="from portsim.engine.simulation import run")
    edges = edges_of(graph)
    found = cycles(edges)
    assert found == [["portsim.engine.collect", "portsim.engine.simulation"]]
    assert describe_cycles(found, edges) == (
        "2 modules import each other: portsim.engine.collect, portsim.engine.simulation\n"
        "    portsim.engine.collect -> portsim.engine.simulation\n"
        "    portsim.engine.simulation -> portsim.engine.collect")
