"""Lesson 02: the positions data, its two charts and its two activities.

Charts are compared with the CSV through the drawn matplotlib artists; the activities' pure
functions are called with every kind of input a student (or a broken file) can produce.
"""

from __future__ import annotations

import csv
import itertools
import shutil

import matplotlib
import pytest

matplotlib.use("Agg")

from nkhr import positions  # noqa: E402
from nkhr.data import DataError, load  # noqa: E402

ROWS = load("positions.csv")
CLAIMS = load("claims.csv")
SOURCES = {r["id"] for r in load("sources.csv")}


# ---------------------------------------------------------------- data rows

@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_position_row_well_formed(row):
    assert row["source"] in SOURCES
    assert 0 <= row["position"] <= 10 and float(row["position"]).is_integer()
    assert row["date"][:4].isdigit() and 2010 <= int(row["date"][:4]) <= 2022
    items = [a.strip() for a in row["agenda"].split(";")]
    assert len(items) >= 2 and all(items), "agenda: short items separated by semicolons"
    assert len(row["justification"].split()) >= 20, "each placement is justified in our words"
    assert row["label"]


def test_every_reading_is_placed_once_and_feffer_is_labelled_as_reported():
    own = [r for r in ROWS if r["id"] == r["source"]]
    assert sorted(r["id"] for r in own) == sorted(SOURCES)
    reported = [r for r in ROWS if r["id"] != r["source"]]
    assert reported, "Feffer, as reported by Cohen 2010, has a row"
    for r in reported:
        assert "as reported by" in r["label"].lower()
        assert "critic" in r["justification"].lower()


@pytest.mark.parametrize("row", CLAIMS, ids=lambda r: r["id"])
def test_claim_row_well_formed(row):
    assert row["source"] in SOURCES
    assert row["answer"] in positions.SORTS
    also = [a for a in (row.get("also_defensible") or "").split(";") if a]
    assert all(a in positions.SORTS and a != row["answer"] for a in also)
    assert len(row["explanation"].split()) >= 12


def test_claims_cover_every_sort_and_fit_the_brief():
    assert 8 <= len(CLAIMS) <= 12
    assert {r["answer"] for r in CLAIMS} == set(positions.SORTS)
    order = [r["answer"] for r in positions.claims()]
    assert order != sorted(order), "claims are not shown grouped by answer"


# ---------------------------------------------------------------- charts

def _scatter_points(ax):
    """(x, y) of every single-point marker line drawn on an axes."""
    return [(line.get_xdata()[0], line.get_ydata()[0]) for line in ax.lines if len(line.get_xdata()) == 1]


def test_position_map_draws_exactly_the_csv():
    chart = positions.position_map()
    try:
        ax = chart.fig.axes[0]
        drawn = _scatter_points(ax)
        rows = positions.placements()
        assert [x for x, _ in drawn] == [r["position"] for r in rows]
        assert [y for _, y in drawn] == list(range(len(rows)))
        assert chart.plotted == [(r["id"], r["position"]) for r in rows]
        labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
        assert labels == [r["label"] for r in rows]
        agenda = ["".join(t.get_text().split()) for t in chart.fig.axes[1].texts]
        assert agenda == ["".join(r["agenda"].split()) for r in rows]
        numbers = [t.get_text() for t in ax.texts]
        assert numbers == [str(int(r["position"])) for r in rows]
        assert "not a fact" in ax.get_title(loc="left")
        assert "positions.csv" in chart.caption and "as reported by his critic" in chart.caption
        assert all(r["label"] in chart.alt for r in rows)
    finally:
        matplotlib.pyplot.close(chart.fig)


def test_centre_of_gravity_draws_points_and_derived_means():
    chart = positions.centre_of_gravity()
    try:
        ax = chart.fig.axes[0]
        rows = positions.placements()
        drawn = _scatter_points(ax)
        assert drawn == [(int(r["date"][:4]), r["position"]) for r in rows]
        by_year: dict[int, list[float]] = {}
        for r in ROWS:  # recompute from the raw file, independently of positions.centres
            by_year.setdefault(int(r["date"][:4]), []).append(r["position"])
        expected = [(y, sum(v) / len(v)) for y, v in sorted(by_year.items())]
        joined = [line for line in ax.lines if len(line.get_xdata()) > 1]
        assert joined and all(list(zip(line.get_xdata(), line.get_ydata())) == expected for line in joined)
        assert [v for rid, v in chart.plotted if rid.startswith("centre_")] == [c for _, c in expected]
        assert "derived" in chart.caption.lower()
        for c in positions.centres():
            assert c["arithmetic"] in chart.caption
    finally:
        matplotlib.pyplot.close(chart.fig)


def test_centres_arithmetic():
    rows = [{"id": "a", "date": "2010", "position": 1}, {"id": "b", "date": "2010-06-01", "position": 6},
            {"id": "c", "date": "2012", "position": 7}]
    out = positions.centres(rows)
    assert [(c["year"], c["centre"]) for c in out] == [(2010, 3.5), (2012, 7)]
    assert out[0]["arithmetic"] == "(1 + 6) / 2 = 3.5"
    assert out[1]["arithmetic"] == "7 (one reading)"


def test_off_scale_position_is_a_clear_error(tmp_path, monkeypatch):
    folder = tmp_path / "readings"
    shutil.copytree(positions.load.__globals__["readings_dir"](), folder)
    path = folder / "positions.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[0]["position"] = "11"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setenv("NKHR_ROOT", str(tmp_path))
    (tmp_path / "solutions").mkdir()
    with pytest.raises(DataError, match="not on the 0–10 scale"):
        positions.placements()
    html = positions.compare_placements({"wertz2014": 3})
    assert "cannot be shown" in html and "Traceback" not in html


# ---------------------------------------------------------------- activity 1: placements

IDS = [r["id"] for r in positions.placements()]
VALUES = [None, "not placed", "", 0, 5, 10, "7", 3.0, 2.5, -1, 11, "abc", True, float("nan"), float("inf"), [1]]


def test_compare_with_nothing_placed_reveals_nothing():
    for empty in (None, {}, {i: None for i in IDS}, {i: "not placed" for i in IDS}):
        html = positions.compare_placements(empty)
        assert "have not placed anyone" in html
        assert not any(r["justification"][:30] in html for r in ROWS)


def test_compare_reveals_only_what_was_placed():
    html = positions.compare_placements({"wertz2014": 2, "lee2022": 4})
    by_id = {r["id"]: r for r in ROWS}
    assert by_id["wertz2014"]["justification"][:40] in html
    assert by_id["lee2022"]["justification"][:40] in html
    assert by_id["cohen2014"]["justification"][:40] not in html
    assert "same place" in html  # Wertz: 2 vs 2
    assert "4 points further toward <b>engagement</b>" in html  # Lee: 4 vs 8
    assert "Not placed yet" in html


def test_compare_feffer_says_reported_by_critic():
    rid = next(r["id"] for r in ROWS if r["id"] != r["source"])
    html = positions.compare_placements({rid: 9})
    assert "reported by its critic" in html and "toward <b>pressure</b>" in html


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_compare_any_single_value(value):
    html = positions.compare_placements({IDS[0]: value})
    assert isinstance(html, str) and html


def test_compare_every_combination_of_a_few_values():
    few = [None, 0, 10, "x", 4]
    for combo in itertools.product(few, repeat=3):
        html = positions.compare_placements(dict(zip(IDS[:3], combo)))
        assert isinstance(html, str) and html


def test_compare_bad_inputs_get_messages():
    assert "Not a reading" in positions.compare_placements({"nobody": 3, IDS[0]: 2})
    assert "not a whole number" in positions.compare_placements({IDS[0]: 11})
    assert "not a place" in positions.compare_placements({IDS[0]: "abc"})
    assert "have not placed anyone" in positions.compare_placements("not a mapping")  # type: ignore[arg-type]


# ---------------------------------------------------------------- activity 2: claim sorter

CLAIM_IDS = [r["id"] for r in positions.claims()]


def test_sorter_empty():
    for empty in (None, {}, {c: None for c in CLAIM_IDS}, "junk"):
        html = positions.sort_feedback(empty)  # type: ignore[arg-type]
        assert "not sorted any claim" in html


def test_sorter_all_right_and_all_alternatives():
    right = {r["id"]: r["answer"] for r in CLAIMS}
    html = positions.sort_feedback(right)
    assert f"{len(CLAIMS)} of {len(CLAIMS)} claims sorted:</b> {len(CLAIMS)} as the workbook" in html
    alternatives = {r["id"]: r["also_defensible"] for r in CLAIMS if r["also_defensible"]}
    assert alternatives, "some claims admit a second defensible sorting"
    html = positions.sort_feedback(alternatives)
    assert f"{len(alternatives)} in another defensible way" in html


def test_sorter_feedback_per_claim_has_explanation_and_quote():
    rows = positions.claims()
    wrong = {r["id"]: next(s for s in positions.SORTS if s != r["answer"] and s not in r["also"]) for r in rows}
    html = positions.sort_feedback(wrong)
    for r in rows:
        assert r["explanation"][:30].replace("'", "&#x27;") in html
    assert html.count("the workbook sorts it as") == len(rows)


@pytest.mark.parametrize("value", ["engagement", "PRESSURE ", "both", "", None, "neither", 3, ["both"]], ids=repr)
def test_sorter_any_value(value):
    html = positions.sort_feedback({CLAIM_IDS[0]: value, "unknown-claim": "both"})
    assert isinstance(html, str) and html


def test_widgets_build_without_error():
    positions.placement_activity()
    positions.claim_sorter()
