"""Small rooms: no module of portsim over 500 lines, no function over 50.

A module that grows past the limit holds more than one job; a function past it does several
steps that can be named. Split by job (docs/design.md), not by cutting in half.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "portsim"
MODULE_LINES = 500
FUNCTION_LINES = 50


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_package_is_found() -> None:
    assert len(_modules()) > 100


def test_no_module_is_over_the_limit() -> None:
    long = {str(path.relative_to(PACKAGE)): lines for path in _modules()
            if (lines := path.read_text(encoding="utf-8").count("\n")) > MODULE_LINES}
    assert not long, f"modules over {MODULE_LINES} lines: {long}"


def test_no_function_is_over_the_limit() -> None:
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > FUNCTION_LINES:
                    long[f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"] = lines
    assert not long, f"functions over {FUNCTION_LINES} lines: {long}"
