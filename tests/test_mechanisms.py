"""Lesson 03: the mechanisms data, its charts (compared with the CSVs, artist by artist) and its widgets."""

from __future__ import annotations

import re
import shutil

import matplotlib
import matplotlib.pyplot as plt
import pytest
from conftest import require_sources

matplotlib.use("Agg")

from nkhr import charts, mechanisms, paths, provenance  # noqa: E402
from nkhr.data import DataError, by_id, load  # noqa: E402

EXPECTED = {"upr", "treaty_bodies", "special_rapporteur", "coi", "hrc_resolutions", "ga_resolutions", "unsc_icc",
            "seoul_office", "high_commissioner", "contact_group"}
ROWS = load("mechanisms.csv")
IDS = [r["id"] for r in ROWS]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- the data

def test_every_mechanism_the_brief_names_is_there():
    assert EXPECTED <= set(IDS)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_row_is_well_formed(row):
    for col, _ in mechanisms.MATRIX_COLUMNS:
        assert row[col] in mechanisms.VALUES, f"{row['id']}.{col} = {row[col]!r}"
    for col in ("who_acts", "compels", "cost_to_nk", "nk_response", "achieved", "limit", "short", "family"):
        assert row[col].strip(), f"{row['id']}: {col} is empty"
    assert provenance.word_count(row["quote"]) <= 40
    # Silence in the readings is said, not filled in.
    if row["nk_engaged"] == mechanisms.NOT_IN_READINGS:
        assert row["nk_response"] == mechanisms.NOT_IN_READINGS


def test_mechanisms_rejects_a_bad_matrix_value(tmp_path, monkeypatch):
    root = _copy_root(tmp_path)
    path = root / "readings" / "mechanisms.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",no,partly,partly,yes,", ",maybe,partly,partly,yes,", 1),
                    encoding="utf-8")
    monkeypatch.setenv("NKHR_ROOT", str(root))
    with pytest.raises(DataError, match="binding must be one of"):
        mechanisms.mechanisms()
    # The widgets turn the same problem into a message, never a traceback.
    assert "cannot be shown" in mechanisms.mechanism_card("upr")
    assert "cannot be shown" in mechanisms.scenario_feedback("accountability", "upr")


def _copy_root(tmp_path):
    root = tmp_path / "wb"
    shutil.copytree(paths.readings_dir(), root / "readings")
    (root / "solutions").mkdir()
    return root


# ---------------------------------------------------------------- chart 1: the vote

def _bars(ax):
    return [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]


def test_vote_chart_plots_the_csv():
    f = by_id("figures.csv")
    chart = mechanisms.vote_2014()
    expected = [("un_hrc_members", f["un_hrc_members"]["value"])] + [
        (rid, f[rid]["value"]) for rid in mechanisms.VOTE_ROWS + mechanisms.FOR_ROWS]
    assert chart.plotted == expected
    left, right = chart.fig.axes
    assert [b.get_width() for b in _bars(left)] == [f[r]["value"] for r in mechanisms.VOTE_ROWS]
    assert [b.get_width() for b in _bars(right)] == [f[r]["value"] for r in mechanisms.FOR_ROWS]
    assert left.get_xlim()[1] == f["un_hrc_members"]["value"]


def test_vote_chart_marks_derived_bars_and_their_arithmetic():
    f = by_id("figures.csv")
    chart = mechanisms.vote_2014()
    left, right = chart.fig.axes
    for ax, rows in ((left, mechanisms.VOTE_ROWS), (right, mechanisms.FOR_ROWS)):
        for bar, rid in zip(_bars(ax), rows):
            assert (bar.get_hatch() == charts.DERIVED_HATCH) == (f[rid]["kind"] == "derived"), rid
    # The derived figures really are the arithmetic the chart prints.
    assert f["un_hrc2014_abstain"]["value"] == (f["un_hrc_members"]["value"] - f["un_hrc2014_yes"]["value"]
                                                - f["un_hrc2014_no"]["value"])
    assert f["un_hrc2014_yes_other"]["value"] == (f["un_hrc2014_yes"]["value"] - f["un_hrc2014_yes_africa_asia"]["value"]
                                                  - f["un_hrc2014_yes_latam"]["value"])
    texts = " ".join(t.get_text() for ax in (left, right) for t in ax.texts)
    assert "47 − 30 − 6 = 11" in texts and "voted or abstained" in texts
    assert "30 − 12 − 6 = 12" in texts
    assert "assuming every member voted or abstained" in chart.caption
    assert "Cohen 2014" in chart.caption


# ---------------------------------------------------------------- chart 2: the timeline

def test_timeline_events_exist_and_are_dated_as_in_the_csv():
    rows = {r["id"]: r for r in load("timeline.csv")}
    chart = mechanisms.mechanism_timeline()
    assert {rid for rid, _ in chart.plotted} == set(mechanisms.timeline_events())
    for rid, x in chart.plotted:
        assert x == pytest.approx(charts._when(rows[rid]["date"]))
        assert 2003 <= int(rows[rid]["date"][:4]) <= 2022
    xs = [x for _, x in chart.plotted]
    assert xs == sorted(xs)


def test_timeline_draws_one_marker_per_event_in_each_panel():
    chart = mechanisms.mechanism_timeline()
    top, zoom, _ = chart.fig.axes
    assert len(top.lines) == len(chart.plotted)
    in_zoom = [x for _, x in chart.plotted if mechanisms.ZOOM[0] <= x < mechanisms.ZOOM[1]]
    assert len(zoom.lines) == len(in_zoom) > 0
    assert sorted(line.get_xdata()[0] for line in zoom.lines) == pytest.approx(sorted(in_zoom))


def test_timeline_filters_and_rejects_a_reversed_range():
    chart = mechanisms.mechanism_timeline(2022, 2022)
    rows = {r["id"]: r for r in load("timeline.csv")}
    assert chart.plotted and all(rows[rid]["date"].startswith("2022") for rid, _ in chart.plotted)
    with pytest.raises(ValueError):
        mechanisms.mechanism_timeline(2022, 2003)


# ---------------------------------------------------------------- chart 3: the matrix

def test_matrix_cells_show_the_csv_words():
    chart = mechanisms.matrix()
    ax = chart.fig.axes[0]
    cells = {}
    for t in ax.texts:
        x, y = t.get_position()
        cells[(int(y), int(x))] = t.get_text().replace("\n", " ")
    for i, row in enumerate(ROWS):
        for j, (col, _) in enumerate(mechanisms.MATRIX_COLUMNS):
            assert cells[(i, j)] == row[col], (row["id"], col)
    assert len(chart.plotted) == len(ROWS) * len(mechanisms.MATRIX_COLUMNS)
    assert [t.get_text() for t in ax.get_yticklabels()] == [r["short"] for r in ROWS]
    assert "mechanisms.csv" in chart.caption


# ---------------------------------------------------------------- widgets

@pytest.mark.parametrize("mid", IDS + [None, "", "no-such-mechanism"])
def test_mechanism_card_handles_every_choice(mid):
    out = mechanisms.mechanism_card(mid)
    assert isinstance(out, str) and out
    if mid in IDS:
        row = next(r for r in ROWS if r["id"] == mid)
        assert "One limit" in out and "One thing it achieved" in out
        assert row["quote"][:20].replace("'", "&#x27;") in out or row["quote"][:20] in out
    else:
        assert "Choose a mechanism" in out or "no mechanism called" in out


def test_scenarios_refer_to_real_mechanisms_and_allow_several_answers():
    for s in mechanisms.scenarios():
        assert set(s.strong) | set(s.weak) <= set(IDS), s.id
        assert not set(s.strong) & set(s.weak), s.id
        assert len(s.strong) >= 2, f"{s.id}: the readings support more than one defensible answer"


@pytest.mark.parametrize("sid", [s.id for s in mechanisms.scenarios()] + [None, "", "nope"])
@pytest.mark.parametrize("mid", IDS + [None, "", "nope"])
def test_scenario_feedback_handles_every_combination(sid, mid):
    out = mechanisms.scenario_feedback(sid, mid)
    assert isinstance(out, str) and out
    valid_s = sid in {s.id for s in mechanisms.scenarios()}
    if not valid_s:
        assert "Choose a scenario" in out
    elif not mid:
        assert "choose the mechanism" in out
    elif mid not in IDS:
        assert "no mechanism called" in out
    else:
        assert any(v in out for v in ("A defensible choice", "will not get you there", "A weak fit"))


_QUOTED = re.compile(r"(?:(?<=\s)|(?<=^))'([^']{4,}?)'(?=[\s.,;:)]|$)")


def test_quoted_phrases_in_scenarios_and_events_are_verbatim():
    texts = [t for s in mechanisms.scenarios() for t in (*s.strong.values(), *s.weak.values())]
    texts += [e.label for e in mechanisms.timeline_events().values()]
    phrases = [m.group(1) for t in texts for m in _QUOTED.finditer(t)]
    assert phrases, "expected some quoted phrases to check"
    require_sources()
    sources = [r["id"] for r in load("sources.csv")]
    for phrase in phrases:
        assert any(provenance.quote_in_text(phrase, provenance.source_text(s)) for s in sources), phrase


def test_widgets_build_and_react(monkeypatch):
    import ipywidgets as w

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.extend(a))
    monkeypatch.setattr("nkhr.explore.display", lambda *a, **k: shown.extend(a))
    mechanisms.mechanism_explorer()
    mechanisms.scenario_explorer()
    explorer_box, scenario_box = shown
    pick, card = explorer_box.children[1:]  # [0] is the style sheet (nkhr.ui.panel)
    for mid in IDS:
        pick.value = mid
        assert "One limit" in card.value
    pick_s, situation, pick_m, feedback = scenario_box.children[1:]
    assert isinstance(pick_m, w.RadioButtons)
    for s in mechanisms.scenarios():
        pick_s.value = s.id
        assert s.title in situation.value and pick_m.value is None
        assert "choose the mechanism" in feedback.value
        for mid in IDS:
            pick_m.value = mid
            assert feedback.value == mechanisms.scenario_feedback(s.id, mid)


# The timeline's events and the scenarios live in readings/activities/mechanism-scenarios.toml.

def _activity_copy(tmp_path, monkeypatch):
    import shutil

    from nkhr import paths

    root = tmp_path / "wb"
    shutil.copytree(paths.project_root() / "readings", root / "readings")
    (root / "solutions").mkdir()
    monkeypatch.setenv("NKHR_ROOT", str(root))
    return root / "readings" / "activities" / mechanisms.ACTIVITY_FILE


def test_an_edited_scenario_shows_without_touching_python(tmp_path, monkeypatch):
    path = _activity_copy(tmp_path, monkeypatch)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title = "Help people in detention now"', 'title = "Edited title"'), encoding="utf-8")
    assert mechanisms.scenarios()[0].title == "Edited title"


@pytest.mark.parametrize("edit, message", [
    (('lane = "UPR"', 'lane = "UPRR"'), r"mechanism-scenarios\.toml, event '\w+': field 'lane' is 'UPRR'"),
    (('kind = "nk"', 'kind = "ngo"'), r"event '\w+': field 'kind' is 'ngo'; use one of un, nk, state"),
    (('[scenario.weak]\ncoi =', '[scenario.weak]\ncoi_x ='), r"scenario 'prisoners-now', weak: 'weak.coi_x' is not known|scenario 'prisoners-now': 'weak.coi_x' is not known"),
])
def test_a_broken_entry_is_named_with_its_problem(tmp_path, monkeypatch, edit, message):
    path = _activity_copy(tmp_path, monkeypatch)
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(mechanisms.DataError, match=message):
        mechanisms.timeline_events() if "event" in message else mechanisms.scenarios()
    assert "cannot be shown" in mechanisms.scenario_feedback("prisoners-now", "upr") or "event" in message
