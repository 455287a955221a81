"""report.html opened in a real browser (headless Chromium) at the widths planners use.

Chromium comes from Debian's packages (``.ci/run`` installs it) and is driven by Playwright for
Python with that executable, so no browser is downloaded. Outside CI the tests skip when there is
no Chromium; in CI (``CI`` set) a missing browser is a failure, never a skip. Screenshots are kept
in ``$PORTSIM_ARTIFACTS`` (default: the test's temporary folder) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portsim.experiment.comparison import Comparison, compare
from portsim.report.outputs import write_comparison

WIDTHS = (800, 1280)
HEIGHT = 900


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    if os.environ.get("CI"):
        from playwright import sync_api
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield launched
        launched.close()


AIRPORT = Path(__file__).parents[2] / "scenarios" / "airport" / "airport.yaml"


TWO_HALLS = Path(__file__).parents[1] / "validation" / "data" / "two_halls.yaml"


@pytest.fixture(scope="module", params=["mini", "airport", "optimise", "front", "holiday"])
def report(request: pytest.FixtureRequest, comparison: Comparison,
           tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's comparison, the shipped airport's (four variants: the widest), and
    ``portsim optimise``'s pages: a choice set against the baseline, and a front."""
    out = tmp_path_factory.mktemp("browser") / request.param
    if request.param == "holiday":
        _holiday_page(out)
        return out / "report.html"
    if request.param in ("optimise", "front"):
        out.mkdir()
        _optimise_page(request.param, out)
        return out / "report.html"
    if request.param == "airport":
        comparison = compare(AIRPORT, replications=2, workers=2)
    write_comparison(comparison, out)
    return out / "report.html"


def _holiday_page(out: Path) -> None:
    """``portsim holiday``'s page: the small hall's calendar (test_holiday), by demand and
    with nobody moved."""
    from test_holiday import CALENDAR, HALL

    from portsim.experiment.holiday import run_holiday
    from portsim.experiment.options import RunOptions
    from portsim.report.holiday_page import write_holiday
    from portsim.scenario.holiday import load_calendar

    folder = out.parent / "calendar"
    folder.mkdir()
    (folder / "hall.yaml").write_text(HALL, encoding="utf-8")
    (folder / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    write_holiday(run_holiday(load_calendar(folder / "calendar.yaml"),
                              RunOptions(replications=3, workers=1)), out)


def _optimise_page(kind: str, out: Path) -> None:
    """The cheapest hall design within 1.5 min of mean wait, against the file's own; or the
    front of officer-hours and mean wait over nine designs."""
    from portsim.experiment.optimise.api import optimise, pareto_front
    from portsim.experiment.optimise.baseline import against_baseline
    from portsim.experiment.options import RunOptions
    from portsim.report.optimise_page import write_front, write_optimisation
    from portsim.scenario import load_scenario

    scenario = load_scenario(TWO_HALLS)
    if kind == "front":
        write_front(pareto_front(scenario, ["stations.hall_a.servers=4:6:1",
                                            "stations.hall_b.servers=3:5:1"],
                                 "officer_hours,wait_mean", subject_to=["officer_hours<=216"],
                                 replications=5, workers=2), out)
        return
    prices = ["per_hour=40", "currency=CNY"]
    result = optimise(scenario, ["stations.hall_a.servers=4,5", "stations.hall_b.servers=3,4"],
                      minimise="cost", subject_to=["wait_mean<=1.5min"], delta=10,
                      prices=prices, workers=2)
    write_optimisation(result, out, "optimised", None,
                       against_baseline(result, scenario, RunOptions(workers=2), prices))


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("PORTSIM_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
def test_report_fits_the_window_and_every_image_decodes(browser: Any, report: Path,
                                                        artefacts: Path, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": HEIGHT})
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(artefacts / f"{report.parent.name}-{width}.png"), full_page=True)
    top = page.evaluate("document.getElementById('headline').getBoundingClientRect().top")
    assert top < HEIGHT / 2, f"the headline starts {top} px down at {width} px"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
    images = page.evaluate(
        "Array.from(document.images).map(i => [i.alt, i.complete && i.naturalWidth > 0])")
    assert images, "the report shows no image"
    assert [alt for alt, decoded in images if not decoded] == []
    wide = page.evaluate(
        """Array.from(document.querySelectorAll('body *'))
             .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                          && getComputedStyle(e).position !== 'fixed'
                          && !e.closest('[data-scroll]'))
             .map(e => e.tagName + (e.id ? '#' + e.id : ''))""")
    assert wide == [], f"elements wider than the window at {width} px: {wide[:5]}"
    page.close()
