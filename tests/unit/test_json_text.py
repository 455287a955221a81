"""results.json and the other JSON files: indented_json writes json.dumps's very text (indent
2, sorted keys, no NaN, UTF-8 as is), faster; what it does not write itself json.dumps writes
or refuses, as before."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portsim.report.files import dump_json, indented_json


def stdlib(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6))
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner),
    st.dictionaries(st.text(max_size=4), inner, max_size=4)), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS)
def test_the_text_is_json_dumps_text(data: object) -> None:
    assert indented_json(data) == stdlib(data)


@pytest.mark.parametrize("data", [
    {}, [], {"a": []}, [{}], {"k": {"z": {}}}, "é\"\n\u2028", -0.0, 1e-05, 1e300, 10**30,
    {"b": 1, "a": [1.5, None, True, False, "x"]}, {"n": np.float64(0.1)}, {1: "int key"},
])
def test_corners_are_json_dumps_text(data: object) -> None:
    assert indented_json(data) == stdlib(data)


def test_what_json_dumps_refuses_is_refused_alike(tmp_path: Path) -> None:
    for bad in ({"x": [math.nan]}, {"x": math.inf}, {"x": object()}, {"x": {1, 2}}):
        with pytest.raises((ValueError, TypeError)) as ours:
            dump_json(bad, tmp_path / "bad.json")
        with pytest.raises(type(ours.value)):
            stdlib(bad)
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        indented_json(cycle)


def test_a_written_file_ends_with_a_newline(tmp_path: Path) -> None:
    dump_json({"é": [1, 2.5]}, tmp_path / "out.json")
    assert (tmp_path / "out.json").read_bytes() == (stdlib({"é": [1, 2.5]}) + "\n").encode()
