"""Fingerprint every shipped scenario's results: a refactoring that changes no result leaves the
fingerprint unchanged, byte for byte.

    python dev/fingerprint.py --out /tmp/before.txt
    ... change the code ...
    python dev/fingerprint.py --out /tmp/after.txt && diff /tmp/before.txt /tmp/after.txt

Each scenario with variants runs ``portsim compare`` (results.json, comparison.csv), each one
without runs ``portsim run`` (results.json, summary.csv), each on both engines where they differ
(``--engine events`` too), and the national study file ``portsim study`` (study.json,
study.csv). Wall-clock timings (timings.json) are left out: they are the only files that differ
between two runs of the same code. The checkout's own path, which results.json records with the
scenario's file, is masked, so two checkouts of the same code give the same fingerprint.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
KEPT = ("results.json", "comparison.csv", "summary.csv", "study.json", "study.csv")


def _has_variants(path: Path) -> bool:
    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return bool(isinstance(document, dict) and document.get("variants"))


def _jobs(replications: int) -> list[tuple[str, list[str]]]:
    jobs: list[tuple[str, list[str]]] = []
    for path in sorted(SCENARIOS.rglob("*.yaml")):
        if "targets" in path.relative_to(SCENARIOS).parts:
            continue  # targets files (portsim calibrate), not scenarios
        name = str(path.relative_to(SCENARIOS))
        if path.name == "national_peak_day.yaml":
            jobs.append((name, ["study", str(path), "--replications", "2"]))
            continue
        command = "compare" if _has_variants(path) else "run"
        common = [command, str(path), "--replications", str(replications), "--seed", "11"]
        jobs.append((name, common))
        jobs.append((name + " [events]", [*common, "--engine", "events"]))
    return jobs


def _digest(folder: Path) -> list[str]:
    lines = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name in KEPT:
            text = path.read_bytes().replace(str(ROOT).encode(), b"<checkout>")
            digest = hashlib.sha256(text).hexdigest()[:16]
            lines.append(f"  {path.relative_to(folder)} {digest}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="fingerprint file to write")
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--only", default="", help="run only scenarios whose path contains this")
    args = parser.parse_args()
    lines: list[str] = []
    for name, command in _jobs(args.replications):
        if args.only and args.only not in name:
            continue
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "out"
            done = subprocess.run(
                [sys.executable, "-m", "portsim", *command, "--out", str(out)],
                capture_output=True, text=True, check=False)
            lines.append(f"{name} exit {done.returncode}")
            if done.returncode:
                lines.append("  " + (done.stderr.strip().splitlines() or [""])[-1])
            lines.extend(_digest(out))
            print(f"{name}: exit {done.returncode}", flush=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
