"""Grading benchmark: ``workbook grade`` against nbgrader's ``autograde``, and at 1,000 and 10,000 submissions.

    python benchmarks/bench_grading.py [--set 01-the-record] [--n 100] [--sizes 1000 10000] [--runs 3]
                                       [--pairs 3] [--nbgrader-venv /tmp/nbgrader-venv] [--skip-nbgrader]

Run it with the workbook's Python (the one where ``pip install -e .`` was done). It makes
synthetic submissions (seeded; ~70 % of answers right) and grades them:

1. N side by side, ``--pairs`` times: as saved workbook notebooks by ``workbook grade``, and as an
   equivalent nbgrader assignment (one answer cell and one autograded test cell per question) by
   ``nbgrader autograde``, which runs every student's notebook in a kernel. nbgrader==0.9.6
   lives in its own venv (created on first run if missing; never in the workbook's
   environment). Both timings include starting the command; the ratio is the median of the pairs.
2. ``workbook grade`` alone on each of ``--sizes``, ``--runs`` times: wall time and peak memory
   of the command, the JSON floor (reading every file and ``json.loads``, in this process), and
   the cost of the class report (``class-report.html`` + ``item-analysis.csv``) on its own.

Every figure is printed as minimum / median / maximum. Nothing asserts on them.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from nkhr import ANSWER_MIME
from nkhr.bank import load_bank
from nkhr.paths import exercises_dir

NBGRADER = "nbgrader==0.9.6"


def synthetic_answers(bank, rng: random.Random) -> dict:
    """One student's answers: each auto-scored question right about 70 % of the time."""
    out = {}
    for q in bank.questions:
        right = bank.answers.get(q.id)
        ok = rng.random() < 0.7
        if q.type == "single":
            out[q.id] = right if ok else rng.choice([o for o in q.options if o != right])
        elif q.type == "multi":
            out[q.id] = list(right) if ok else rng.sample(q.options, rng.randint(1, len(q.options)))
        elif q.type == "order":
            out[q.id] = list(right) if ok else rng.sample(right, len(right))
        elif q.type == "match":
            out[q.id] = dict(right) if ok else {k: rng.choice(q.choices) for k in q.options}
        elif q.type == "numeric":
            out[q.id] = f"{right:,}" if ok else str(rng.randint(0, 10 ** 6))
        elif q.type == "scale":
            out[q.id] = right[0] if ok else rng.randint(0, 10)
        else:
            out[q.id] = " ".join(rng.choice(["camps", "estimate", "source", "method", "date", "range", "report"])
                                 for _ in range(max(q.min_words, 40) + 10))
    return out


# ---------------------------------------------------------------- workbook submissions

def workbook_notebook(template: dict, set_id: str, student: str, answers: dict, bank) -> dict:
    nb = copy.deepcopy(template)
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        qid = "_student" if src.strip() == "ex.student()" else next(
            (q.id for q in bank.questions if f'ex.ask("{q.id}")' in src), None)
        if qid is None:
            continue
        answer = student if qid == "_student" else answers[qid]
        payload = {"format": 1, "set": set_id, "question": qid, "type": "identity" if qid == "_student" else
                   bank.question(qid).type, "answer": answer, "submitted_at": "2026-11-20T10:00:00+00:00",
                   "attempts": 1}
        cell["outputs"] = [
            {"output_type": "display_data", "metadata": {}, "data": {
                "application/vnd.jupyter.widget-view+json": {"model_id": "0" * 32, "version_major": 2, "version_minor": 0},
                "text/plain": "VBox(...)"}},
            {"output_type": "display_data", "metadata": {}, "transient": {"display_id": "1" * 32},
             "data": {ANSWER_MIME: payload, "text/plain": f"Recorded answer for {qid}: {answer}"}},
        ]
        cell["outputs"][1].pop("transient")
        cell["execution_count"] = 1
    return nb


def make_workbook_submissions(folder: Path, set_id: str, students: list[tuple[str, dict]], bank) -> None:
    template = json.loads((exercises_dir() / f"{set_id}.ipynb").read_text(encoding="utf-8"))
    folder.mkdir(parents=True)
    for n, (sid, answers) in enumerate(students):
        nb = workbook_notebook(template, set_id, sid, answers, bank)
        (folder / f"{sid}_{1000 + n}_{5000 + n}_{set_id}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def time_workbook(folder: Path, set_id: str, out: Path) -> tuple[float, float, float]:
    """Wall seconds, peak memory (MB) and CPU seconds (user + system, its second process included)
    of one ``workbook grade`` run into a fresh ``out``. On a shared machine the CPU time says what the
    run costs; the wall time also says how busy the machine was."""
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "NKHR_JOURNAL": "off"}
    log = out.with_name(out.name + ".log")
    with log.open("w+") as fh:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "nkhr.cli", "grade", str(folder), "--set", set_id,
                                 "--out", str(out)], stdout=fh, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # this one process's peak memory, not the children's so far
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            fh.seek(0)
            sys.exit(f"workbook grade failed:\n{fh.read()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def json_floor(folder: Path) -> float:
    """Seconds to read every notebook in ``folder`` and parse it with ``json.loads``."""
    start = time.perf_counter()
    for path in sorted(folder.iterdir()):
        json.loads(path.read_bytes())
    return time.perf_counter() - start


def report_cost(out: Path, set_id: str) -> float:
    """Seconds to write the class report and item analysis from an existing gradebook."""
    from nkhr.grade import SetData
    from nkhr.gradebook import Gradebook
    from nkhr.report import write_class_report

    gb = Gradebook(out)
    try:
        start = time.perf_counter()
        write_class_report(out, [SetData(load_bank(set_id), gb.roster(set_id), gb.all_answers(set_id))])
        return time.perf_counter() - start
    finally:
        gb.close()


def spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    """min / median / max."""
    return " / ".join(f"{v:.{digits}f}" for v in (min(values), statistics.median(values), max(values))) + f" {unit}"


# ---------------------------------------------------------------- the nbgrader assignment

def _check(q, right) -> str:
    """An autograded test cell asserting the same answer the workbook key accepts."""
    v = "answer_" + q.id.replace("-", "_")
    if q.type == "single":
        return f"assert {v}.strip().casefold() == {right!r}.casefold()"
    if q.type == "multi":
        return f"assert sorted({v}) == sorted({right!r})"
    if q.type in ("order", "match"):
        return f"assert {v} == {right!r}"
    if q.type == "numeric":
        return f"assert float(str({v}).replace(',', '').replace(' ', '')) == {float(right)!r}"
    if q.type == "scale":
        return f"assert {right[0]} <= int({v}) <= {right[1]}"
    raise ValueError(q.type)


def _meta(grade_id: str, *, grade: bool, solution: bool, points: float = 0, locked: bool = False) -> dict:
    m = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if grade:
        m["points"] = points
    return {"nbgrader": m}


def nbgrader_source(bank, answers: dict | None = None) -> nbformat.NotebookNode:
    """The nbgrader version of the exercise set; with ``answers``, a student's filled-in copy."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for q in bank.questions:
        v = "answer_" + q.id.replace("-", "_")
        nb.cells.append(nbformat.v4.new_markdown_cell(q.prompt, metadata=_meta(f"prompt_{v}", grade=False,
                                                                               solution=False, locked=True)))
        if q.manual:
            text = answers[q.id] if answers else f"### BEGIN SOLUTION\n{bank.answers.get(q.id) or 'sample'}\n### END SOLUTION"
            nb.cells.append(nbformat.v4.new_markdown_cell(text, metadata=_meta(v, grade=True, solution=True, points=q.points)))
            continue
        given = answers[q.id] if answers else (bank.answers[q.id][0] if q.type == "scale" else bank.answers[q.id])
        body = f"{v} = {given!r}" if answers else f"### BEGIN SOLUTION\n{v} = {given!r}\n### END SOLUTION"
        nb.cells.append(nbformat.v4.new_code_cell(body, metadata=_meta(v, grade=False, solution=True)))
        nb.cells.append(nbformat.v4.new_code_cell(_check(q, bank.answers[q.id]), metadata=_meta(
            f"test_{v}", grade=True, solution=False, points=q.points, locked=True)))
    return nb


def nbgrader_venv(path: Path) -> Path:
    exe = path / "bin" / "nbgrader"
    if not exe.exists():
        print(f"Installing {NBGRADER} into {path} (only for this benchmark)…", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(path / "bin" / "pip"), "install", "-q", NBGRADER], check=True)
    return exe


def time_nbgrader(course: Path, bank, students: list[tuple[str, dict]], exe: Path) -> float:
    env = {**os.environ, "PATH": f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)

    def run(*args: str) -> None:
        r = subprocess.run([str(exe), *args], cwd=course, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            sys.exit(f"nbgrader {' '.join(args)} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")

    (course / "source" / "ps1").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\nc.CourseDirectory.course_id = 'bench'\n"
        "c.ExecutePreprocessor.timeout = 60\n", encoding="utf-8")
    nbformat.write(nbgrader_source(bank), course / "source" / "ps1" / "ps1.ipynb")
    (course / "students.csv").write_text("id\n" + "".join(f"{sid}\n" for sid, _ in students), encoding="utf-8")
    run("db", "assignment", "add", "ps1")
    run("db", "student", "import", "students.csv")
    run("generate_assignment", "ps1", "--force")
    released = nbformat.read(course / "release" / "ps1" / "ps1.ipynb", as_version=4)
    for sid, answers in students:
        nb = copy.deepcopy(released)
        filled = nbgrader_source(bank, answers)
        by_id = {c.metadata["nbgrader"]["grade_id"]: c.source for c in filled.cells}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                cell.source = by_id[meta["grade_id"]]
        folder = course / "submitted" / sid / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / "ps1.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC", encoding="utf-8")
    start = time.perf_counter()
    run("autograde", "ps1", "--force")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="01-the-record")
    ap.add_argument("--n", type=int, default=100, help="submissions graded side by side with nbgrader")
    ap.add_argument("--pairs", type=int, default=3, help="side-by-side pairs (the ratio is their median)")
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000], help="larger runs, ours alone")
    ap.add_argument("--runs", type=int, default=3, help="runs of each larger size")
    ap.add_argument("--nbgrader-venv", type=Path, default=Path(tempfile.gettempdir()) / "nbgrader-venv")
    ap.add_argument("--skip-nbgrader", action="store_true")
    args = ap.parse_args()
    bank = load_bank(args.set)
    rng = random.Random(20261120)
    students = [(f"student{n:05d}", synthetic_answers(bank, rng)) for n in range(max([args.n, *args.sizes]))]
    print(f"Exercise set {args.set}; figures are minimum / median / maximum.")
    with tempfile.TemporaryDirectory(prefix="nkhr-bench-") as tmp:
        tmp = Path(tmp)
        make_workbook_submissions(tmp / "wb", args.set, students[:args.n], bank)
        if args.skip_nbgrader:
            ours = [time_workbook(tmp / "wb", args.set, tmp / "wb-out")[0] for _ in range(args.pairs)]
            print(f"workbook grade, {args.n} submissions: {spread(ours)}")
        else:
            exe = nbgrader_venv(args.nbgrader_venv)
            ours, theirs = [], []
            for pair in range(args.pairs):  # side by side: the machine's load hits both alike
                ours.append(time_workbook(tmp / "wb", args.set, tmp / "wb-out")[0])
                shutil.rmtree(tmp / "course", ignore_errors=True)
                theirs.append(time_nbgrader(tmp / "course", bank, students[:args.n], exe))
                print(f"  pair {pair + 1}: workbook {ours[-1]:.2f} s, nbgrader {theirs[-1]:.1f} s, "
                      f"ratio {theirs[-1] / ours[-1]:.0f}", flush=True)
            ratios = [t / o for o, t in zip(ours, theirs)]
            print(f"workbook grade, {args.n} submissions:     {spread(ours)}")
            print(f"nbgrader autograde, {args.n} submissions: {spread(theirs, digits=1)}")
            print(f"ratio (nbgrader / workbook, per pair): {spread(ratios, unit='×', digits=0)}; "
                  f"median {statistics.median(ratios):.0f}×")
        shutil.rmtree(tmp / "wb")
        for size in args.sizes:
            folder = tmp / f"s{size}"
            make_workbook_submissions(folder, args.set, students[:size], bank)
            floor = [json_floor(folder) for _ in range(args.runs)]
            runs = [time_workbook(folder, args.set, tmp / f"out{size}") for _ in range(args.runs)]
            walls = [w for w, _, _ in runs]
            reports = [report_cost(tmp / f"out{size}", args.set) for _ in range(args.runs)]
            print(f"workbook grade, {size} submissions: {spread(walls)} "
                  f"({statistics.median(walls) / size * 1000:.2f} ms each); peak memory "
                  f"{spread([m for _, m, _ in runs], unit='MB', digits=0)}")
            print(f"  CPU time (user + system, both processes): {spread([c for _, _, c in runs])}; "
                  f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            print(f"  JSON floor (read + json.loads): {spread(floor)}; grading takes "
                  f"{statistics.median(walls) / statistics.median(floor):.1f}× the floor (medians)")
            print(f"  class report + item analysis alone: {spread(reports)}")
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
