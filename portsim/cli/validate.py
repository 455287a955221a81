"""``portsim validate``: a scenario file and all its variants checked without running them.

Kept light: it loads and compiles the scenario but imports neither the simulation nor
plotting nor statistics (tests/cli/test_startup.py).
"""

from __future__ import annotations

from portsim.cli.common import FileArg, console, user_errors, warn


def validate(file: FileArg) -> None:
    """Check a scenario file and all its variants without running it."""
    from portsim.document.durations import long_durations
    from portsim.engine.load import overload_warnings
    from portsim.scenario import compile_model, load_scenario

    with user_errors():
        scenario = load_scenario(file)
        for variant in [None, *scenario.variant_names]:
            model = compile_model(scenario, variant)
            label = variant or "baseline"
            for warning in overload_warnings(model) + long_durations(scenario.resolved(variant)):
                warn(label, warning)
        variants = ", ".join(scenario.variant_names) or "none"
        console.print(f"{file}: valid — '{scenario.name}'; variants: {variants}",
                      highlight=False, markup=False)
