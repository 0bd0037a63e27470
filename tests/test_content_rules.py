"""Content rules that keep two kinds of review finding from coming back (issue 14):

- a reading's place on the engagement–pressure scale is defined once, in readings/positions.csv,
  and every scale question about a reading takes its accepted range from there;
- what students see before answering never gives the answer away (no source line in answer
  order for matching and ordering questions) and never shows file names or data-row ids.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from nkhr.bank import SCALE_SPREAD, list_sets, load_bank
from nkhr.build import student_files
from nkhr.questions import SCALE_MAX, SCALE_MIN

SETS = list_sets()
NAMED = re.compile(r"\b(Cohen|Wertz|Son|Lee) \(?((?:19|20)\d\d)\)?")
READING = r"(?:Cohen|Wertz|Son|Lee) (?:19|20)\d\d"
INTERNAL = re.compile(r"\.(?:csv|md|toml|py|json|ipynb)\b|readings/|\b[a-z0-9]+_[a-z0-9_]+\b|\b[a-z]+(?:19|20)\d\d\b")
BASED_ON = re.compile(r"^\*Based on: (.*)\*$", re.M)


def _positions(root) -> dict[str, int]:
    with open(root / "readings" / "positions.csv", encoding="utf-8", newline="") as fh:
        return {row["id"]: int(round(float(row["position"]))) for row in csv.DictReader(fh)}


def _raw(root, set_id: str) -> dict[str, dict]:
    data = tomllib.loads((root / "solutions" / f"{set_id}.toml").read_text(encoding="utf-8"))
    return {q["id"]: q for q in data["questions"]}


def _about_a_reading(q) -> bool:
    """A scale question on the engagement–pressure scale that asks where a reading stands."""
    return q.type == "scale" and tuple(q.scale_labels) == ("Engagement first", "Pressure first") and bool(NAMED.search(q.prompt))


@pytest.mark.parametrize("set_id", SETS)
def test_scale_questions_about_a_reading_take_their_range_from_positions(set_id: str, root) -> None:
    bank, raw, placed = load_bank(set_id), _raw(root, set_id), _positions(root)
    for q in bank.questions:
        if not _about_a_reading(q):
            continue
        pid = raw[q.id].get("position")
        assert pid in placed, f"{set_id} {q.id}: a placement question needs position = <a row id of positions.csv>"
        assert "answer" not in raw[q.id], f"{set_id} {q.id}: no hand-written range; positions.csv defines it"
        author, year = NAMED.search(q.prompt).groups()
        assert pid.startswith(author.lower()) and year in pid, f"{set_id} {q.id}: prompt names {author} {year}, position is {pid}"
        want = [max(SCALE_MIN, placed[pid] - SCALE_SPREAD), min(SCALE_MAX, placed[pid] + SCALE_SPREAD)]
        assert bank.answers[q.id] == want, f"{set_id} {q.id}: accepts {bank.answers[q.id]}, positions.csv gives {want}"
        assert bank.key.accepted[q.id]["value"] == {str(v) for v in range(want[0], want[1] + 1)}
        text = bank.solutions[q.id]["explanation"]
        assert "{" not in text, f"{set_id} {q.id}: unresolved placeholder in the explanation"
        for lo, hi in re.findall(r"(?<!paras\. )\b(\d{1,2}) ?(?:–|-|to) ?(\d{1,2})\b", text):
            assert [int(lo), int(hi)] == want, f"{set_id} {q.id}: the explanation states a range {lo}–{hi}, not {want}"


def test_one_reading_one_range_across_sets(root) -> None:
    ranges: dict[str, set[tuple[int, int]]] = {}
    for set_id in SETS:
        bank, raw = load_bank(set_id), _raw(root, set_id)
        for q in bank.questions:
            if "position" in raw[q.id]:
                ranges.setdefault(raw[q.id]["position"], set()).add(tuple(bank.answers[q.id]))
    assert ranges, "no scale question uses a position"
    assert all(len(r) == 1 for r in ranges.values()), ranges


def _student_views(bank) -> dict[str, str]:
    """question id -> every "Based on" text a student can read before answering (notebook and key file)."""
    views: dict[str, list[str]] = {q.id: [] for q in bank.questions}
    for path, text in student_files(bank, Path("exercises")).items():
        if path.suffix == ".json":
            for entry in json.loads(text)["questions"]:
                views[entry["id"]].append(entry.get("source", ""))
        else:
            nb = nbformat.reads(text, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "markdown" and cell.get("id", "").endswith("-prompt"):
                    views[cell["id"][: -len("-prompt")]] += BASED_ON.findall(cell.source)
    return {qid: " | ".join(v) for qid, v in views.items()}


@pytest.mark.parametrize("set_id", SETS)
def test_student_source_lines_show_no_files_or_row_ids(set_id: str) -> None:
    bank = load_bank(set_id)
    for qid, shown in _student_views(bank).items():
        assert not INTERNAL.search(shown), f"{set_id} {qid}: students would see {INTERNAL.search(shown).group()!r} in {shown!r}"


@pytest.mark.parametrize("set_id", SETS)
def test_matching_and_ordering_sources_do_not_give_the_answer_away(set_id: str) -> None:
    bank = load_bank(set_id)
    views = _student_views(bank)
    for q in bank.questions:
        if q.type not in ("order", "match"):
            continue
        for shown in filter(None, views[q.id].split(" | ")):
            assert re.fullmatch(rf"{READING}(?:; {READING})*", shown), f"{set_id} {q.id}: only reading names may show: {shown!r}"
            names = shown.split("; ")
            assert names == sorted(set(names)), f"{set_id} {q.id}: readings must show in alphabetical order: {shown!r}"


@pytest.mark.parametrize("set_id", SETS)
def test_matching_choices_are_not_listed_in_answer_order(set_id: str) -> None:
    """Students see the options and the choices as two lists: the second must not be the key."""
    bank = load_bank(set_id)
    for q in bank.questions:
        if q.type == "match" and len(set(bank.answers[q.id].values())) > 1:
            keyed = [bank.answers[q.id][o] for o in q.options]
            assert keyed != list(q.choices), f"{set_id} {q.id}: the choices are listed in answer order"
