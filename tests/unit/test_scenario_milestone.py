"""The milestone route step: loads, compiles and reports; a bad name is a located error."""

import pytest

from portsim.engine.model import Milestone, Visit
from portsim.errors import ScenarioError
from portsim.scenario import compile_model, load_scenario


def doc(milestone: object) -> dict:
    return {
        "name": "milestones",
        "time": {"horizon": "1d"},
        "stations": {"team": {"servers": 2, "service": {"dist": "exponential", "mean": "30min"}},
                     "berths": {"servers": 50, "service": {"dist": "deterministic",
                                                           "value": "10h"}}},
        "classes": {"ship": {"arrivals": {"kind": "poisson", "rate": "2/h"},
                             "route": ["team", {"milestone": milestone}, "berths"]}},
    }


def test_milestone_compiles_between_the_visits():
    model = compile_model(load_scenario(doc("cleared_to_berth")))
    route = model.classes[0].route
    assert route == (Visit("team"), Milestone("cleared_to_berth"), Visit("berths"))


@pytest.mark.parametrize("bad", ["cleared to berth", "", "a-b"])
def test_milestone_name_must_fit_a_kpi_name(bad):
    with pytest.raises(ScenarioError) as error:
        load_scenario(doc(bad))
    assert "classes.ship.route.1.milestone" in str(error.value)
