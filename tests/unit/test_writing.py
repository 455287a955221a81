"""portsim.writing, the one way portsim writes a file or a folder, piece by piece (the command
line's guarantees are tested through it in tests/robustness/)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from portsim.writing import (
    Inputs,
    OutputError,
    Tree,
    check_file,
    foreign,
    new_file,
    remove_own,
    write_file,
    write_folder,
)

OWN = Tree(files=frozenset({"a.json"}),
           folders={"states": Tree(file_patterns=(re.compile(r"^r-\d+\.yaml$"),))})


def names(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_new_file_never_replaces_one_that_appeared_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with pytest.raises(OutputError, match="appeared while portsim was working"), \
            new_file(path, replace=False) as temporary:
        temporary.write_text("new\n", encoding="utf-8")
        path.write_text("theirs\n", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == "theirs\n"
    assert names(tmp_path) == ["out.csv"]


def test_a_new_file_is_shared_like_any_file(tmp_path: Path) -> None:
    write_file(tmp_path / "x.txt", "é\r\n", replace=False)
    assert (tmp_path / "x.txt").read_bytes() == "é\r\n".encode()  # exactly, no translation
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "x.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def test_an_edit_is_refused_when_the_file_changed(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"a: 1\n")
    with pytest.raises(OutputError, match="changed since portsim read it"):
        write_file(path, b"a: 1\nb: 2\n", replace=True, expected=b"a: 0\n")
    assert path.read_bytes() == b"a: 1\n" and names(tmp_path) == ["s.yaml"]


def test_inputs_are_known_by_path_link_and_inode(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("x\n", encoding="utf-8")
    os.link(source, tmp_path / "hard.csv")
    (tmp_path / "soft.csv").symlink_to(source)
    inputs = Inputs.of(source, None, tmp_path / "missing.csv")
    for name in ("in.csv", "hard.csv", "soft.csv"):
        with pytest.raises(OutputError, match="which this command reads"):
            check_file(tmp_path / name, force=True, inputs=inputs)
    assert inputs.inside(tmp_path) == source.resolve()
    check_file(tmp_path / "other.csv", force=False, inputs=inputs)


def test_foreign_entries_are_found_at_every_depth(tmp_path: Path) -> None:
    (tmp_path / "states" / "deep").mkdir(parents=True)
    for name in ("a.json", "states/r-1.yaml", "states/notes", "states/deep/r-2.yaml",
                 ".portsim-tmp-x-a.json"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "states" / "r-3.yaml").symlink_to(tmp_path / "a.json")
    assert foreign(tmp_path, OWN) == ["states/deep", "states/notes", "states/r-3.yaml"]
    left = remove_own(tmp_path, OWN)
    assert left == ["states/deep", "states/notes", "states/r-3.yaml"]
    assert names(tmp_path) == ["states", "states/deep", "states/deep/r-2.yaml",
                               "states/notes", "states/r-3.yaml"]


def test_a_folder_is_replaced_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "out"

    def first(folder: Path) -> None:
        (folder / "a.json").write_text("1", encoding="utf-8")

    def failing(folder: Path) -> None:
        (folder / "a.json").write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    write_folder(out, OWN, first, force=False)
    with pytest.raises(OSError):
        write_folder(out, OWN, failing, force=True)
    assert names(tmp_path) == ["out", "out/a.json"]
    assert (out / "a.json").read_text(encoding="utf-8") == "1"
    with pytest.raises(OutputError, match="already holds results"):
        write_folder(out, OWN, first, force=False)
