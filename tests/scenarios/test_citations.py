"""Every source number cited in the shipped scenarios and the docs is in docs/sources.md's list,
and every source number the scenarios cite has a row there saying what figure it gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SOURCES_PAGE = ROOT / "docs" / "sources.md"
SOURCE_LIST_HEADING = "\n## Sources\n"
#: A citation is a number alone in brackets: "[14]", "[58][59]". Lists such as "[0, 1]" or
#: "[10, 12, 14]" are not citations.
CITATION = re.compile(r"\[(\d+)\]")
FENCED_CODE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)

SCENARIO_FILES = sorted((ROOT / "scenarios").rglob("*.yaml"))
DOC_FILES = sorted((ROOT / "docs").glob("*.md"))


def _source_list_and_rows() -> tuple[set[str], str]:
    text = SOURCES_PAGE.read_text(encoding="utf-8")
    rows, found, source_list = text.partition(SOURCE_LIST_HEADING)
    assert found, f"{SOURCES_PAGE} has no '## Sources' section"
    return set(re.findall(r"^\[(\d+)\] ", source_list, re.MULTILINE)), rows


def _citations(path: Path) -> dict[str, int]:
    """The numbers cited in a file, each with the first line that cites it."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        # Code blocks hold YAML and Python lists ("servers: [5]"), never citations; blank them
        # line for line so that line numbers stay right.
        text = FENCED_CODE.sub(lambda block: "\n" * block.group().count("\n"), text)
    cited: dict[str, int] = {}
    for number, line in ((match.group(1), text.count("\n", 0, match.start()) + 1)
                         for match in CITATION.finditer(text)):
        cited.setdefault(number, line)
    return cited


def test_the_source_list_is_found_and_numbered() -> None:
    listed, _ = _source_list_and_rows()
    assert len(listed) >= 50


@pytest.mark.parametrize("path", SCENARIO_FILES + DOC_FILES,
                         ids=[str(p.relative_to(ROOT)) for p in SCENARIO_FILES + DOC_FILES])
def test_every_citation_is_in_the_source_list(path: Path) -> None:
    listed, _ = _source_list_and_rows()
    missing = {number: line for number, line in _citations(path).items() if number not in listed}
    assert not missing, ", ".join(f"{path.relative_to(ROOT)}:{line}: [{number}] is not in "
                                  f"docs/sources.md's list" for number, line in missing.items())


def test_every_source_a_scenario_cites_gives_a_figure_in_sources_md() -> None:
    # The list says where a source is; a row of sources.md's tables says which figure the
    # scenarios take from it.
    _, rows = _source_list_and_rows()
    in_rows = set(CITATION.findall(rows))
    cited = {number: f"{path.relative_to(ROOT)}:{line}"
             for path in SCENARIO_FILES for number, line in _citations(path).items()}
    without_row = {number: where for number, where in cited.items() if number not in in_rows}
    assert not without_row, without_row


def test_a_broken_citation_is_caught(tmp_path: Path) -> None:
    listed, _ = _source_list_and_rows()
    unknown = str(max(int(number) for number in listed) + 1)
    broken = tmp_path / "broken.md"
    broken.write_text(f"A figure [3].\n\n```yaml\nservers: [{unknown}]\n```\n"
                      f"Another [{unknown}].\n", encoding="utf-8")
    cited = _citations(broken)
    assert cited == {"3": 1, unknown: 6} and unknown not in listed
