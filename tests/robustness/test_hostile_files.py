"""Hostile scenario files through the command line: each gives one clear error with exit code 2
(file, line and field path where there is one, what was expected), never a traceback, a hang or
a memory blow-up, and writes nothing."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from robustness_helpers import SMALL, assert_bad_input

from portsim.limits import DEFAULTS, LimitsError


def laughs(levels: int = 9, fan: int = 10) -> str:
    """The "billion laughs": each anchor names ``fan`` aliases of the one before it."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        aliases = ", ".join([f"*l{level - 1}"] * fan)
        lines.append(f"l{level}: &l{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def nested_lists(depth: int) -> str:
    return "name: " + "[" * depth + "]" * depth + "\n"


def nested_mappings(depth: int) -> str:
    return "name: " + "{a: " * depth + "1" + "}" * depth + "\n"


def replace(old: str, new: str) -> str:
    assert old in SMALL
    return SMALL.replace(old, new)


# id, file content, fragments of the message, line, field path
CASES: list[tuple[str, str | bytes, tuple[str, ...], int | None, str | None]] = [
    # --- not YAML, not text
    ("truncated_flow", SMALL[: SMALL.index("1min}") + 2], ("YAML syntax error",), 10, None),
    ("truncated_block", SMALL[: SMALL.index("classes:")], ("required key is missing",), 1,
     "classes"),
    ("truncated_mid_key", SMALL[: SMALL.index("route") + 3], ("YAML syntax error",
                                                              "could not find expected ':'"),
     14, None),
    ("binary_garbage", random.Random(6).randbytes(4096), ("not UTF-8 text", "invalid byte"),
     None, None),
    ("control_characters", "name: x\x00\x01\x02\n", ("not readable as YAML", "U+0000"), 1, None),
    ("latin1_text", "name: caf\xe9 du port\n".encode("latin-1"),
     ("not UTF-8 text (invalid byte 0xe9",), 1, None),
    ("utf16_text", SMALL.encode("utf-16"), ("not UTF-8 text",), None, None),
    ("empty", "", ("the file is empty",), None, None),
    ("only_comments", "# nothing here\n\n", ("the file is empty",), None, None),
    ("top_level_list", "- name: x\n- time: 1\n", ("must be a mapping", "got a list"), 1, None),
    ("top_level_scalar", "just words\n", ("must be a mapping", "got a single value"), 1, None),
    ("top_level_null", "~\n", ("must be a mapping", "got nothing (null)"), 1, None),
    ("two_documents", SMALL + "---\n" + SMALL, ("one YAML document",), 15, None),
    # --- structure meant to exhaust the machine
    ("nested_lists", nested_lists(100_000), ("nested more than 64 levels", "PORTSIM_MAX_DEPTH"),
     1, None),
    ("nested_mappings", nested_mappings(100_000), ("nested more than 64 levels",), 1, None),
    ("billion_laughs", laughs(), ("more than 1,000,000 values", "aliases", "PORTSIM_MAX_NODES"),
     6, None),
    ("self_alias", "name: &a [x, *a]\n", ("refers to a node that contains it",), 1, None),
    ("undefined_alias", "name: *nowhere\n", ("names no anchor",), 1, None),
    ("duplicate_anchor", "a: &x 1\nb: &x 2\n", ("anchor &x is defined twice",), 2, None),
    ("huge_integer", replace("seed: 11", "seed: " + "9" * 5000), ("too many digits",), 6,
     "seed"),
    # --- tags that would construct Python objects (never constructed)
    ("python_apply", replace("name: small", "name: !!python/object/apply:os.system [echo hi]"),
     ("YAML tag '!!python/object/apply:os.system' is not allowed",), 1, "name"),
    ("python_name", replace("name: small", "name: !!python/name:os.system ''"),
     ("'!!python/name:os.system' is not allowed",), 1, "name"),
    ("python_module", replace("seed: 11", "seed: !!python/module:os ''"),
     ("'!!python/module:os' is not allowed",), 6, "seed"),
    ("python_object_new", replace("seed: 11", "seed: !!python/object/new:int [3]"),
     ("'!!python/object/new:int' is not allowed",), 6, "seed"),
    ("custom_tag", replace("seed: 11", "seed: !env SEED"), ("'!env' is not allowed",), 6,
     "seed"),
    ("set_tag", replace("seed: 11", "seed: !!set {a, b}"), ("'!!set' is not allowed",), 6,
     "seed"),
    ("binary_tag", replace("seed: 11", "seed: !!binary aGVsbG8="), ("'!!binary' is not allowed",),
     6, "seed"),
    # --- numbers that are not numbers, or not sane ones
    ("yaml_nan_rate", replace("rate: 1/min", "rate: .nan"), ("must be a finite number",), 13,
     "classes.pax.arrivals.rate"),
    ("yaml_inf_mean", replace("mean: 1min", "mean: .inf"), ("must be a finite number",), 10,
     "stations.desk.service.mean"),
    ("yaml_minus_inf_warmup", replace("warmup: 1h", "warmup: -.inf"),
     ("must be a finite number",), 4, "time.warmup"),
    ("string_nan_rate", replace("rate: 1/min", 'rate: "nan"'), ("invalid rate 'nan'",), 13,
     "classes.pax.arrivals.rate"),
    ("string_inf_mean", replace("mean: 1min", 'mean: "inf"'), ("invalid duration 'inf'",), 10,
     "stations.desk.service.mean"),
    ("string_infinity_horizon", replace("horizon: 12h", 'horizon: "Infinity"'),
     ("invalid duration 'Infinity'",), 3, "time.horizon"),
    ("overflowing_float", replace("horizon: 12h", "horizon: 1e400"),
     ("must be a finite number",), 3, "time.horizon"),
    ("nan_probability", replace("route: [desk]", "route: [desk, {optional: {p: .nan, "
                                "route: [desk]}}]"), ("finite number",), 14,
     "classes.pax.route.1.optional.p"),
    ("inf_servers", replace("servers: 2", "servers: .inf"), ("valid integer",), 9,
     "stations.desk.servers"),
    ("float_servers", replace("servers: 2", "servers: 1e308"), ("valid integer",), 9,
     "stations.desk.servers"),
    ("horizon_1e308", replace("horizon: 12h", "horizon: 1e308"),
     ("longer than the limit of 36525d (100 years)", "PORTSIM_MAX_HORIZON"), 3, "time.horizon"),
    ("rate_1e308", replace("rate: 1/min", "rate: 1e308"),
     ("an unbounded number of entities would arrive in one replication",
      "PORTSIM_MAX_ENTITIES"), 13,
     "classes.pax.arrivals"),
    # --- negative durations
    ("negative_mean", replace("mean: 1min", "mean: -1min"), ("cannot be negative",), 10,
     "stations.desk.service.mean"),
    ("negative_warmup", replace("warmup: 1h", "warmup: -5"), ("cannot be negative",), 4,
     "time.warmup"),
    ("negative_horizon", replace("horizon: 12h", 'horizon: "-2h"'), ("cannot be negative",), 3,
     "time.horizon"),
    ("negative_delay", replace("route: [desk]", "route: [{delay: {dist: deterministic, "
                               "value: -3s}}, desk]"), ("cannot be negative",), 14,
     "classes.pax.route.0.delay.value"),
    # --- time out of bounds
    ("thousand_years", replace("horizon: 12h", "horizon: 365250d"),
     ("a horizon of 365250d (1000 years) is longer than the limit", "PORTSIM_MAX_HORIZON"), 3,
     "time.horizon"),
    ("warmup_after_horizon", replace("warmup: 1h", "warmup: 13h"),
     ("warm-up (13h) must be shorter than the horizon (12h)",), 4, "time.warmup"),
    ("replications_absurd", replace("replications: 3", "replications: 1000000000000"),
     ("less than or equal to 1000000000",), 5, "replications"),
    ("replications_over_limit", replace("replications: 3", "replications: 100000"),
     ("100,000 replications is more than the limit of 10,000", "PORTSIM_MAX_REPLICATIONS"), 5,
     "replications"),
]


@pytest.mark.parametrize(("content", "fragments", "line", "path"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_validate_refuses(cli: Callable[..., Result], write: Callable[..., Path],
                          content: str | bytes, fragments: tuple[str, ...], line: int | None,
                          path: str | None) -> None:
    file = write(content)
    assert_bad_input(cli("validate", file), file, *fragments, line=line, path=path)


@pytest.mark.parametrize(("content", "fragments", "line", "path"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_run_refuses_and_writes_nothing(cli: Callable[..., Result], write: Callable[..., Path],
                                        tmp_path: Path, content: str | bytes,
                                        fragments: tuple[str, ...], line: int | None,
                                        path: str | None) -> None:
    file = write(content)
    out = tmp_path / "out"
    result = cli("run", file, "--out", out, "--workers", "1")
    assert_bad_input(result, file, *fragments, line=line, path=path)
    assert not out.exists()


def test_billion_laughs_is_refused_before_expanding(write: Callable[..., Path]) -> None:
    """Refused while composing: the cost is that of the small file, not of its expansion."""
    import tracemalloc

    from portsim.errors import ScenarioError
    from portsim.scenario import load_scenario

    file = write(laughs(levels=30))  # 10**30 values once expanded
    tracemalloc.start()
    with pytest.raises(ScenarioError, match="once its aliases"):
        load_scenario(file)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5 * 2**20  # and its time: benchmarks/test_refusals.py


def test_aliases_within_the_limit_still_work(write: Callable[..., Path]) -> None:
    from portsim.scenario import load_scenario

    text = SMALL.replace("stations:\n  desk:\n", "stations:\n  desk: &desk\n")
    text = text.replace("classes:", "  spare: *desk\nclasses:")
    scenario = load_scenario(write(text))
    assert scenario.document().stations["spare"] == scenario.document().stations["desk"]


def test_nesting_limit_is_exact_and_overridable(write: Callable[..., Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from portsim.document.yamlsource import parse_yaml
    from portsim.errors import ScenarioError

    depth = DEFAULTS.max_depth
    data, _ = parse_yaml(nested_lists(depth - 1))  # the top-level mapping is one level
    assert isinstance(data["name"], list)
    with pytest.raises(ScenarioError, match="nested more than 64 levels"):
        parse_yaml(nested_lists(depth))
    monkeypatch.setenv("PORTSIM_MAX_DEPTH", "8")
    with pytest.raises(ScenarioError, match="nested more than 8 levels"):
        parse_yaml(nested_lists(8))
    monkeypatch.setenv("PORTSIM_MAX_DEPTH", "256")
    data, _ = parse_yaml(nested_lists(255))  # no recursion error at the highest setting
    assert isinstance(data, dict)
    monkeypatch.setenv("PORTSIM_MAX_DEPTH", "1000")
    with pytest.raises(LimitsError, match="must be at most 256"):
        parse_yaml(nested_lists(8))


def test_python_objects_are_never_constructed(cli: Callable[..., Result],
                                             write: Callable[..., Path], tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    tags = [f'!!python/object/apply:pathlib.Path.touch ["{marker}"]',
            f'!!python/object/new:pathlib.PosixPath ["{marker}"]',
            f'!!python/object/apply:os.mkdir ["{marker}"]']
    for tag in tags:
        file = write(SMALL.replace("name: small", f"name: {tag}"))
        assert_bad_input(cli("validate", file), file, "is not allowed", line=1, path="name")
        assert not marker.exists()


# ----------------------------------------------------------------------------- files by size


def test_fifty_megabyte_file_is_refused_by_its_size(cli: Callable[..., Result],
                                                    tmp_path: Path) -> None:
    """A sparse 50 MB file: refused from its size alone (reading it would find NUL bytes and
    report something else)."""
    file = tmp_path / "huge.yaml"
    with file.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    assert_bad_input(cli("validate", file), file, "is 52,428,800 bytes (50 MiB), more than the "
                     "limit of 10,485,760 bytes (10 MiB)", "PORTSIM_MAX_FILE_BYTES")


def test_a_file_that_never_ends_is_refused(cli: Callable[..., Result]) -> None:
    """A device reports size 0 and never ends: the read is capped at the limit."""
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    assert_bad_input(cli("validate", "/dev/zero"), "/dev/zero", "is more than the limit")


def test_file_size_limit_is_overridable(cli: Callable[..., Result], write: Callable[..., Path],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    file = write(SMALL)
    monkeypatch.setenv("PORTSIM_MAX_FILE_BYTES", "100")
    assert_bad_input(cli("validate", file), file, "more than the limit of 100 bytes")
    monkeypatch.setenv("PORTSIM_MAX_FILE_BYTES", "1KiB")
    assert cli("validate", file).exit_code == 0


def test_a_large_legitimate_file_within_the_limits_loads(write: Callable[..., Path]) -> None:
    """~2 MB of recorded arrival times: read, validated and within every limit."""
    from portsim.scenario import load_scenario

    times = ", ".join(f"{i * 0.01:.2f}" for i in range(200_000))
    arrivals = f"{{kind: trace, times: [{times}]}}"
    file = write(SMALL.replace("{kind: poisson, rate: 1/min}", arrivals))
    scenario = load_scenario(file)
    assert len(scenario.document().classes["pax"].arrivals.times) == 200_000


def test_scenario_path_is_a_folder(cli: Callable[..., Result], tmp_path: Path) -> None:
    assert_bad_input(cli("validate", tmp_path), tmp_path, "is a folder, not a scenario file")
    out = tmp_path / "out"
    assert_bad_input(cli("run", tmp_path, "--out", out), tmp_path, "is a folder")
    assert not out.exists()


def test_missing_scenario_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    file = tmp_path / "nope.yaml"
    assert_bad_input(cli("validate", file), file, "file not found")


def test_unreadable_scenario_file(cli: Callable[..., Result], write: Callable[..., Path]) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    file = write(SMALL)
    file.chmod(0)
    assert_bad_input(cli("validate", file), file, "permission denied")


def test_a_bad_limit_setting_is_a_clear_error(cli: Callable[..., Result],
                                              write: Callable[..., Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    file = write(SMALL)
    monkeypatch.setenv("PORTSIM_MAX_DEPTH", "deep")
    result = cli("validate", file)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "PORTSIM_MAX_DEPTH='deep': expected a whole number" in result.stderr
