"""How long the test suite takes: ``make test``, ``make check`` and a fresh clone to green.

Prints figures only (no timed assertions). Each run is timed on the wall clock, with the machine's
load average (``/proc/loadavg``, 1 minute) before and after it, as other work on a shared machine
changes the figures. Runs one after another, never side by side.

    python benchmarks/bench_suite.py                      # make test, 3 runs, this checkout
    python benchmarks/bench_suite.py --what check test clone --runs 3
    python benchmarks/bench_suite.py --ref 200efa9 --what test clone   # an older commit, in a clone

``test`` and ``check`` run in a ready environment (``make setup`` first, untimed). ``clone`` times
``git clone`` of the committed ``--ref`` into a temporary folder (with ``shared`` linked beside it,
as CI has it) followed by ``make test``: the venv, the install (pip's cache warm) and the suite.
A commit without a ``check`` target gets its equivalent, ``pytest -m "not browser"``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"=+ (.*(?:passed|failed|error).*) in [\d.]+s")


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def timed(cmd: list[str], cwd: Path, log: Path) -> tuple[float, str, int]:
    """Run ``cmd``; return wall seconds, pytest's summary line and the exit code."""
    start = time.monotonic()
    with log.open("w") as fh:
        rc = subprocess.run(cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - start
    found = SUMMARY.findall(log.read_text(errors="replace"))
    return seconds, (found[-1] if found else "(no pytest summary)"), rc


def clone(ref: str, into: Path) -> Path:
    """A fresh clone of ``ref`` in ``into/workbook``, with ``into/shared`` -> this checkout's ../shared."""
    dest = into / "workbook"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(dest)], check=True)
    subprocess.run(["git", "checkout", "--quiet", ref], cwd=dest, check=True)
    shared = ROOT.parent / "shared"
    if shared.is_dir():
        (into / "shared").symlink_to(shared)
    return dest


def check_command(checkout: Path) -> list[str]:
    if re.search(r"^check:", (checkout / "Makefile").read_text(), re.M):
        return ["make", "check"]
    return [str(checkout / ".venv" / "bin" / "python"), "-m", "pytest", "-m", "not browser"]


def bench(what: str, runs: int, ref: str | None, logs: Path) -> list[float]:
    times = []
    ready: Path | None = None
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-suite-{what}-"))
    try:
        if what in ("test", "check"):
            ready = ROOT if ref is None else clone(ref, tmp)
            with (logs / f"{what}-setup.log").open("w") as fh:
                subprocess.run(["make", "setup"], cwd=ready, check=True, stdout=fh, stderr=subprocess.STDOUT)
        for n in range(1, runs + 1):
            before = load()
            if what == "clone":
                start = time.monotonic()
                checkout = clone(ref or "HEAD", tmp / f"run{n}")
                seconds, summary, rc = timed(["make", "test"], checkout, logs / f"{what}-{n}.log")
                seconds = time.monotonic() - start
            else:
                cmd = ["make", "test"] if what == "test" else check_command(ready)
                seconds, summary, rc = timed(cmd, ready, logs / f"{what}-{n}.log")
            times.append(seconds)
            print(f"{what} run {n}: {seconds:6.1f} s  exit {rc}  load {before} -> {load()}  {summary}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--what", nargs="+", choices=("test", "check", "clone"), default=["test"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ref", help="a commit to measure in a fresh clone (default: this checkout; HEAD for clone)")
    parser.add_argument("--logs", type=Path, default=ROOT / "test-artifacts" / "bench-suite")
    args = parser.parse_args()
    args.logs.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores; ref {args.ref or 'this checkout'}; logs in {args.logs}")
    rows = [(what, bench(what, args.runs, args.ref, args.logs)) for what in args.what]
    print(f"\n{'':8} {'runs':>4} {'min':>8} {'median':>8} {'max':>8}")
    for what, times in rows:
        print(f"{what:8} {len(times):>4} {min(times):7.1f}s {statistics.median(times):7.1f}s {max(times):7.1f}s")


if __name__ == "__main__":
    main()
