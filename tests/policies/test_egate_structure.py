"""E-gate eligibility with structure: by document type (enrolment, rejection), travel groups
that go to the desk if one member must, and the officers who supervise the gates."""

from __future__ import annotations

import math
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import portsim
from portsim.engine import model as m
from portsim.engine.fast import why_not_fast
from portsim.errors import ScenarioError

PORT = """\
name: hall
time: {{horizon: 2d, warmup: 1d}}
stations:
  desks: {{servers: 6, service: {{dist: lognormal, mean: 1min, cv: 0.5}}}}
classes:
  coaches:
    arrivals: {{kind: poisson, rate: 4/h}}
    route:
      - spawn: {{class: pax, count: {{dist: deterministic, value: 60}}, spread: 5min, wait: true}}
  pax:
    route:
      - delay: {{dist: uniform, low: 2min, high: 6min}}
      - desks
policies:
  egates:
    gates: 6
    service: {{dist: lognormal, mean: 12s, cv: 0.3}}
    replaces: desks
{policy}
"""


def hall(tmp_path: Path, policy: str) -> portsim.Scenario:
    path = tmp_path / "hall.yaml"
    path.write_text(PORT.format(policy=textwrap.indent(textwrap.dedent(policy), "    ")),
                    encoding="utf-8")
    return portsim.load_scenario(path)


DOCUMENTS = """\
documents:
  pax:
    - {document: e_passport, share: 0.7, enrolled: 0.9, rejection: 0.02}
    - {document: permit, share: 0.3, enrolled: 0.5, rejection: 0.1}
supervisors: 2
"""


def test_documents_branch_by_type_with_their_enrolment_and_rejection(tmp_path: Path) -> None:
    model = portsim.compile_model(hall(tmp_path, DOCUMENTS))
    route = next(c for c in model.classes if c.name == "pax").route
    walk, by_type = route
    assert isinstance(walk, m.Delay) and isinstance(by_type, m.Branch)
    (p_passport, passport), (p_permit, permit) = by_type.options
    assert (p_passport, p_permit) == (0.7, 0.3)
    for (branch,), enrolled, rejected in ((passport, 0.9, 0.02), (permit, 0.5, 0.1)):
        assert isinstance(branch, m.Branch)
        (p_gate, gate), (p_desk, desk) = branch.options
        assert (p_gate, p_desk) == pytest.approx((enrolled, 1 - enrolled))
        # Those who failed to enrol go to the desk; those the gates reject go after them.
        assert desk == (m.Visit("desks"),)
        assert gate == (m.Visit("egates"), m.OptionalStep(rejected, (m.Visit("desks"),)))


def test_supervisors_are_officers_on_duty_while_the_gates_are_open(tmp_path: Path) -> None:
    with_them = portsim.compile_model(hall(tmp_path, DOCUMENTS))
    without = portsim.compile_model(hall(tmp_path, DOCUMENTS.replace("supervisors: 2\n", "")))
    more = portsim.run_replication(with_them, seed=2).kpis["system"]["all"]
    fewer = portsim.run_replication(without, seed=2).kpis["system"]["all"]
    # 6 desk officers all day, and 2 more watching the gates (open all day): 48 hours.
    assert fewer["officer_hours"] == pytest.approx(6 * 24)
    assert more["officer_hours"] - fewer["officer_hours"] == pytest.approx(2 * 24)
    assert more["officer_positions"] - fewer["officer_positions"] == 2
    # Nobody queues for them, and everyone else is served exactly as without them.
    supervisors = portsim.run_replication(with_them, seed=2).kpis["stations"]
    assert supervisors["egates.supervisors"]["arrivals"] == 0
    assert more["wait_mean"] == fewer["wait_mean"]


GROUPS = """\
eligible: {pax: 0.8}
rejection: 0.05
groups:
  pax: {share: 0.5, size: 3}
"""


def arrivals(model: m.Model, seed: int = 4) -> tuple[Counter[str],
                                                     dict[tuple[str, str], list[float]]]:
    """Arrivals of each class, and the times its members join the gates' or desks' queue."""
    counted: Counter[str] = Counter()
    joined: dict[tuple[str, str], list[float]] = {}

    def trace(time: float, ident: int, cls: str, station: str | None, event: str) -> None:
        if event == "arrive":
            counted[cls] += 1
        elif event == "queue" and station in ("egates", "desks"):
            joined.setdefault((cls, station), []).append(time)

    portsim.run_replication(model, seed=seed, trace=trace)
    return counted, joined


def test_groups_go_to_the_desk_together_unless_every_member_can_use_the_gates(
        tmp_path: Path) -> None:
    model = portsim.compile_model(hall(tmp_path, GROUPS))
    counted, joined = arrivals(model)
    coaches = counted["coaches"]
    # Conservation: each coach brings 30 single travellers and 10 groups of 3, 60 people.
    assert counted["pax"] == 30 * coaches
    assert counted["pax_groups"] == 10 * coaches
    assert counted["pax_group_gates"] + counted["pax_group_desks"] == 3 * counted["pax_groups"]
    # A group uses the gates only if all 3 can: 0.8 ** 3 of the groups, within 4 binomial
    # standard deviations.
    groups, chance = counted["pax_groups"], 0.8 ** 3
    at_gates = counted["pax_group_gates"] / 3
    assert abs(at_gates - chance * groups) < 4 * math.sqrt(groups * chance * (1 - chance))
    # Together: a group's members reach the gates or the desk at one instant, after the
    # group's one walk: three at each instant (those the gates reject then go one by one).
    for key in (("pax_group_gates", "egates"), ("pax_group_desks", "desks")):
        assert set(Counter(joined[key]).values()) == {3}, key
    assert ("pax_group_desks", "egates") not in joined
    # Members at the desk are the group, none of whom went to the gates.
    assert "egates" not in m.stations_visited(
        next(c for c in model.classes if c.name == "pax_group_desks").route)


def test_groups_run_on_both_engines_alike(tmp_path: Path) -> None:
    model = portsim.compile_model(hall(tmp_path, GROUPS))
    assert why_not_fast(model) is None
    fast = portsim.run_replication(model, seed=8, engine="fast").kpis
    events = portsim.run_replication(model, seed=8, engine="events").kpis

    def flat(tree: Any, path: str = "") -> dict[str, float]:
        if isinstance(tree, dict):
            out: dict[str, float] = {}
            for key, value in tree.items():
                out.update(flat(value, f"{path}.{key}"))
            return out
        return {path: tree} if isinstance(tree, (int, float)) else {}

    a, b = flat(fast), flat(events)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], abs=1e-9, rel=1e-9, nan_ok=True), key


def test_pledge_counts_the_members_of_groups_of_a_pledged_class(tmp_path: Path) -> None:
    document = PORT.format(policy=textwrap.indent(GROUPS, "    ")).replace(
        "stations:\n", "sla: 30min\npledge: {classes: [pax]}\nstations:\n", 1)
    path = tmp_path / "pledged.yaml"
    path.write_text(document, encoding="utf-8")
    model = portsim.compile_model(portsim.load_scenario(path))
    assert set(model.sla_classes or ()) == {"pax", "pax_group_gates", "pax_group_desks"}


@pytest.mark.parametrize(("policy", "where", "fragment"), [
    ("groups: {pax: {share: 0.5, size: 3}}\n", "policies.egates",
     "give 'eligible' (a share per class) or 'documents'"),
    ("eligible: {pax: 0.5}\ndocuments: {pax: [{document: a, share: 1, enrolled: 1}]}\n",
     "policies.egates", "class 'pax' is given both 'eligible' and 'documents'"),
    ("documents: {pax: [{document: a, share: 0.5, enrolled: 1}]}\n",
     "policies.egates.documents", "the shares add up to 0.5, not 1"),
    ("eligible: {pax: 0.5}\ngroups: {coaches: {share: 0.5, size: 3}}\n",
     "policies.egates.groups.coaches", "class 'coaches' may not use the gates"),
])
def test_structure_mistakes_are_one_message_with_the_field(
        tmp_path: Path, policy: str, where: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        hall(tmp_path, policy)
    found = [(p.dotted_path, p.message) for p in caught.value.problems]
    assert any(path == where and fragment in message for path, message in found), found
