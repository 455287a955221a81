"""A null in a variant removes the key from the merged document (JSON Merge Patch)."""

from portsim.scenario import compile_model, load_scenario
from portsim.scenario.loader import merge


def test_merge_removes_keys_set_to_null_and_keeps_the_rest():
    base = {"a": {"x": 1, "y": 2}, "b": 3}
    assert merge(base, {"a": {"x": None}, "b": None}) == {"a": {"y": 2}}
    assert base == {"a": {"x": 1, "y": 2}, "b": 3}  # the base is not touched


def test_a_variant_can_drop_a_class_and_an_opening_time():
    doc = {
        "name": "drop",
        "time": {"horizon": "1d"},
        "stations": {"desk": {"servers": 2, "service": {"dist": "exponential", "mean": 1},
                              "opening_hours": {"start": "08:00", "end": "20:00"}}},
        "classes": {
            "a": {"arrivals": {"kind": "poisson", "rate": 0.5}, "route": ["desk"]},
            "b": {"arrivals": {"kind": "poisson", "rate": 0.5}, "route": ["desk"]},
        },
        "variants": {"lean": {"classes": {"b": None},
                              "stations": {"desk": {"opening_hours": None}}}},
    }
    scenario = load_scenario(doc)
    base, lean = compile_model(scenario), compile_model(scenario, "lean")
    assert [c.name for c in base.classes] == ["a", "b"]
    assert [c.name for c in lean.classes] == ["a"]
    assert not base.stations[0].servers.is_constant       # closed at night
    assert lean.stations[0].servers.is_constant           # open all day
