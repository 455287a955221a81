"""Finished replications are kept on disk; a resumed run equals an uninterrupted one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from exp_support import canonical

from portsim.experiment import executors
from portsim.experiment.comparison import Comparison, compare
from portsim.experiment.executors import ReplicationError
from portsim.experiment.store import PartialStore, StaleResultsError, label_folder
from portsim.report.outputs import prepare_output
from portsim.writing import OutputError as OutputExistsError


def _counter():
    seen: list[tuple[int, str]] = []
    return seen, lambda result: seen.append(result.replication)


def test_resume_after_lost_replications_equals_uninterrupted_run(
        mini, comparison: Comparison, tmp_path: Path) -> None:
    store = PartialStore(tmp_path / ".partial")
    first = compare(mini, replications=4, store=store)
    assert canonical(first.to_dict()) == canonical(comparison.to_dict())
    stored = sorted(p.relative_to(store.folder).as_posix()
                    for p in store.folder.rglob("rep-*.json"))
    assert len(stored) == 12 and "baseline/rep-00003.json" in stored
    # An interruption loses some replications (here: deleted by hand).
    for path in ["baseline/rep-00001.json", "extra_car_lane/rep-00003.json",
                 "truck_fast_lane/rep-00000.json"]:
        (store.folder / path).unlink()
    seen: list[int] = []
    resumed: list[int] = []
    again = compare(mini, replications=4, store=store, resume=True, progress=lambda r:
                    seen.append(r.replication), resumed=resumed.append)
    assert sorted(seen) == [0, 1, 3] and resumed == [9]  # only the missing ones ran
    assert canonical(again.to_dict()) == canonical(comparison.to_dict())


def test_resume_after_a_failed_run(mini, comparison, tmp_path, monkeypatch) -> None:
    store = PartialStore(tmp_path / ".partial")
    original = executors.replicate

    def fail_late(model, seed, replication, trace=None, engine="auto"):
        if "truck_fast_lane" in model.name and replication == 2:
            raise KeyboardInterrupt  # like Ctrl-C in the middle of the run
        return original(model, seed, replication, trace, engine)

    monkeypatch.setattr(executors, "replicate", fail_late)
    with pytest.raises(KeyboardInterrupt):
        compare(mini, replications=4, store=store, workers=1)
    kept = len(list(store.folder.rglob("rep-*.json")))
    assert kept == 10  # baseline 4, extra_car_lane 4, truck_fast_lane 0 and 1
    monkeypatch.setattr(executors, "replicate", original)
    seen: list[int] = []
    finished = compare(mini, replications=4, store=store, resume=True,
                       progress=lambda r: seen.append(r.replication))
    assert sorted(seen) == [2, 3]
    assert canonical(finished.to_dict()) == canonical(comparison.to_dict())


def test_replication_error_keeps_the_finished_ones(mini, tmp_path, monkeypatch) -> None:
    store = PartialStore(tmp_path / ".partial")
    original = executors.replicate

    def fail(model, seed, replication, trace=None, engine="auto"):
        if replication == 3:
            raise ValueError("bad model state")
        return original(model, seed, replication, trace, engine)

    monkeypatch.setattr(executors, "replicate", fail)
    with pytest.raises(ReplicationError, match="replication 3 of baseline"):
        compare(mini, variants=["extra_car_lane"], replications=4, store=store)
    assert len(list((store.folder / "baseline").glob("rep-*.json"))) == 3


def test_more_replications_on_resume_reuse_the_stored_ones(mini, tmp_path) -> None:
    store = PartialStore(tmp_path / ".partial")
    compare(mini, variants=["extra_car_lane"], replications=2, store=store)
    seen: list[int] = []
    more = compare(mini, variants=["extra_car_lane"], replications=3, store=store, resume=True,
                   progress=lambda r: seen.append(r.replication))
    assert seen == [2, 2]
    fresh = compare(mini, variants=["extra_car_lane"], replications=3)
    assert canonical(more.to_dict()) == canonical(fresh.to_dict())


def test_stored_replications_of_other_inputs_are_refused(mini, tmp_path) -> None:
    store = PartialStore(tmp_path / ".partial")
    compare(mini, variants=["extra_car_lane"], replications=2, store=store)
    with pytest.raises(StaleResultsError, match="other inputs"):
        compare(mini, variants=["extra_car_lane"], replications=2, seed=8, store=store,
                resume=True)
    # Without resume they are simply replaced.
    compare(mini, variants=["extra_car_lane"], replications=2, seed=8, store=store)
    inputs = json.loads((store.folder / "baseline" / "inputs.json").read_text())
    assert inputs["seed"] == 8


def test_unreadable_stored_files_are_run_again(mini, tmp_path) -> None:
    store = PartialStore(tmp_path / ".partial")
    compare(mini, variants=["extra_car_lane"], replications=2, store=store)
    (store.folder / "baseline" / "rep-00001.json").write_text("{not json")
    seen: list[int] = []
    compare(mini, variants=["extra_car_lane"], replications=2, store=store, resume=True,
            progress=lambda r: seen.append(r.replication))
    assert seen == [1]


def test_label_folders_are_safe() -> None:
    assert label_folder("baseline") == "baseline"
    odd = label_folder("../e-gates / 50%")
    assert "/" not in odd and not odd.startswith(".") and odd != label_folder("../e-gates 50%")


def test_prepare_output_rules(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert prepare_output(out, force=False, resume=False).folder == out / ".partial"
    (out / ".partial" / "baseline").mkdir(parents=True)
    with pytest.raises(OutputExistsError, match="--resume to finish it or --force"):
        prepare_output(out, force=False, resume=False)
    prepare_output(out, force=False, resume=True)  # resuming is what the folder is for
    assert (out / ".partial").is_dir()
    prepare_output(out, force=True, resume=False)  # starting over drops the old replications
    assert not (out / ".partial").exists()
    (out / "results.json").write_text("{}")
    for resume in (False, True):
        with pytest.raises(OutputExistsError, match="--force"):
            prepare_output(out, force=False, resume=resume)
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(OutputExistsError, match="not a folder"):
        prepare_output(file, force=True, resume=False)


def test_a_stored_replication_is_its_plain_data_as_json(mini, tmp_path: Path) -> None:
    """The file holds exactly ``to_json()`` (what resume reads back), however it is written."""
    from portsim.engine import run_replication
    from portsim.scenario import compile_model

    result = run_replication(compile_model(mini), seed=7, replication=2)
    store = PartialStore(tmp_path / ".partial")
    store.prepare("baseline", {}, resume=False)
    store.save("baseline", result)
    text = (store.folder / "baseline" / "rep-00002.json").read_text(encoding="utf-8")
    assert text == json.dumps(result.to_json(), separators=(",", ":"))
    assert store.load("baseline")[2].to_json() == result.to_json()
