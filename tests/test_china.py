"""Lesson 04 (China's role): the data file, the two charts against their data, and every widget input."""

from __future__ import annotations

import html
import re

import matplotlib
import matplotlib.pyplot as plt
import pytest
from conftest import require_sources

from nkhr import china, provenance
from nkhr.data import by_id, load

matplotlib.use("Agg")

ROWS = load("china.csv")
SOURCES = by_id("sources.csv")
FIGURES = by_id("figures.csv")


def _texts_or_skip(source_id: str) -> str:
    require_sources()
    return provenance.source_text(source_id)


# ---------------------------------------------------------------- china.csv

@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_row_is_well_formed(row: dict) -> None:
    assert row["role"] in china.roles(), f"{row['id']}: role {row['role']!r} is not in the fixed set"
    assert row["source"] in SOURCES
    assert row["date"] == SOURCES[row["source"]]["date"], "date must be the reading's date from sources.csv"
    assert provenance.word_count(row["quote"]) <= 40
    assert 20 <= len(row["summary"]) <= 260
    assert row["para"].isdigit()


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_paragraph_numbers_match_the_readings(row: dict) -> None:
    _texts_or_skip(row["source"])
    assert provenance.paragraph_of(row["quote"], row["source"]) == int(row["para"])


def test_readings_without_china_really_do_not_name_it() -> None:
    """The lesson says Wertz 2014 and Cohen 2014 never name China; the data must agree with the texts."""
    require_sources()
    named = {r["source"] for r in ROWS if r["role"] != "implied_not_named"}
    for sid in SOURCES:
        text = provenance.source_text(sid)
        mentions = bool(re.search(r"\b(China|Chinese|Beijing)\b", text))
        assert mentions == (sid in named), f"{sid}: mentions China = {mentions}, but china.csv says otherwise"


def test_unknown_role_is_a_clear_error(tmp_path, monkeypatch) -> None:
    bad = tmp_path / "china.csv"
    bad.write_text("id,source,date,role,para,summary,quote\nx,lee2022,2022-10-25,villain,17,some summary text here,q\n",
                   encoding="utf-8")
    monkeypatch.setattr(china, "load", lambda name: load(name, folder=tmp_path) if name == "china.csv" else load(name))
    with pytest.raises(china.DataError, match="unknown role 'villain'"):
        china.china_rows()


# ---------------------------------------------------------------- chart 1: Freedom House

def test_freedom_house_pair_draws_the_csv_values() -> None:
    chart = china.freedom_house_pair()
    ax = chart.fig.axes[0]
    try:
        expected = [("fh2022_total_max", 100), ("fh2022_nk_total", 3), ("fh2022_total_max", 100),
                    ("fh_china_total_lee2022", 9), ("fh_china_minus_nk", 6)]
        assert chart.plotted == [(rid, FIGURES[rid]["value"]) for rid, _ in expected]
        assert [v for _, v in chart.plotted] == [v for _, v in expected]
        widths = [round(p.get_width(), 6) for p in ax.patches]
        assert widths == [FIGURES[rid]["value"] for rid, _ in expected]
        # the derived difference, and only it, is hatched and says so
        hatched = [p for p in ax.patches if p.get_hatch()]
        assert len(hatched) == 1 and hatched[0].get_width() == FIGURES["fh_china_minus_nk"]["value"]
        assert FIGURES["fh_china_minus_nk"]["kind"] == "derived"
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert "derived: 9 − 3" in labels[2] and "year not stated" in labels[1]
        assert "Lee 2022" in chart.caption and "no year" in chart.caption
    finally:
        plt.close(chart.fig)


# ---------------------------------------------------------------- chart 2: roles by reading

def test_roles_chart_places_every_row_in_its_cell() -> None:
    chart = china.roles_by_reading()
    ax = chart.fig.axes[0]
    try:
        readings = sorted(load("sources.csv"), key=lambda s: s["date"])
        order = [s["id"] for s in readings]
        assert sorted(rid for rid, _ in chart.plotted) == sorted(r["id"] for r in ROWS)
        rows = {r["id"]: r for r in ROWS}
        for rid, x in chart.plotted:
            assert x == order.index(rows[rid]["source"])
        roles = [t.get_text() for t in ax.get_yticklabels()]
        points = {(round(float(px) + 0.3, 6), round(float(py), 6))
                  for coll in ax.collections for px, py in coll.get_offsets()}
        cells = {(order.index(r["source"]), roles.index(china.roles()[r["role"]])) for r in ROWS}
        assert points == {(float(x), float(y)) for x, y in cells}
        # the readings with no China row are labelled, not left blank
        texts = [t.get_text() for t in ax.texts]
        silent = [sid for sid in order if not any(r["source"] == sid for r in ROWS)]
        assert texts.count(china.NOT_MENTIONED) == len(silent) == 1
        for sid in silent:
            assert f"{SOURCES[sid]['short']}: does not mention China" in chart.alt
        assert "each passage with" in chart.caption
    finally:
        plt.close(chart.fig)


# ---------------------------------------------------------------- the role explorer

@pytest.mark.parametrize("role", list(china.roles()) + ["", "villain", None])
def test_role_card_handles_every_choice(role) -> None:
    out = china.role_card(role)
    assert isinstance(out, str) and out
    if role in china.roles():
        for r in ROWS:
            if r["role"] == role:
                assert html.escape(r["quote"]) in out
                assert f"para. {r['para']}" in out
    else:
        assert "Unknown role" in out


# ---------------------------------------------------------------- the scenario exercise

def _combos():
    args = sorted({a for sc in china.scenarios().values() for a in sc.arguments}) + ["", "nonsense", None]
    preds = list(china.load_activity().predictions) + ["", "maybe", None]
    for pid in list(china.scenarios()) + ["", "nope", None]:
        for p in preds:
            for a in args:
                yield pid, p, a


def test_scenario_feedback_never_fails() -> None:
    n = 0
    for pid, pred, arg in _combos():
        out = china.scenario_feedback(pid, pred, arg)
        assert isinstance(out, str) and out, (pid, pred, arg)
        assert "Traceback" not in out
        sc = china.scenarios().get(pid)
        if sc is None:
            assert "Unknown proposal" in out
        elif not pred and not arg:
            assert "Choose a prediction and an argument first" in out
        else:
            if pred in china.load_activity().predictions:
                assert sc.predictions[pred] in out
            if arg in sc.arguments:
                assert sc.arguments[arg].feedback in out
            elif arg:
                assert "Unknown argument" in out
        n += 1
    assert n > 100


def test_every_scenario_is_complete() -> None:
    assert set(china.scenarios()) == {"icc", "aid", "forum"}
    for pid, sc in china.scenarios().items():
        assert set(sc.predictions) == set(china.load_activity().predictions), pid
        assert len(sc.arguments) >= 3
        assert any(a.fit == "strong" for a in sc.arguments.values()), pid
        assert all(a.fit in china.load_activity().fit for a in sc.arguments.values())
        assert sc.quotes
        if sc.background:
            assert "not from the readings" in sc.background


def test_scenario_form_click_gives_feedback() -> None:
    box = china.scenario_form("forum")
    predict, argue, button, out = box.children
    button.click()
    assert "Choose a prediction" in out.value
    predict.value = "conditional"
    argue.value = "chair"
    button.click()
    assert china.scenarios()["forum"].predictions["conditional"] in out.value


def test_scenario_with_unknown_id_does_not_raise() -> None:
    china.scenario("nope")
    assert "Unknown proposal" in china.scenario_intro("nope")


@pytest.mark.parametrize("quote,sid", china.scenario_quotes())
def test_scenario_quotes_are_verbatim(quote: str, sid: str) -> None:
    text = _texts_or_skip(sid)
    assert provenance.quote_in_text(quote, text)
    assert provenance.word_count(quote) <= 40


def _inline_quotes() -> list[str]:
    found = []
    for sc in china.scenarios().values():
        texts = [sc.setup, sc.readings_view, sc.background, *sc.predictions.values()]
        texts += [t for a in sc.arguments.values() for t in (a.label, a.feedback)]
        for t in texts:
            found += re.findall(r"“([^”]+)”", t)
    return found


@pytest.mark.parametrize("quote", _inline_quotes())
def test_inline_quotations_are_verbatim(quote: str) -> None:
    """Every “…” inside the scenario texts is a quotation from one of the readings."""
    require_sources()
    texts = [provenance.source_text(sid) for sid in SOURCES]
    quote = quote.strip().rstrip(".")
    assert any(provenance.quote_in_text(quote, t) for t in texts), quote
    assert provenance.word_count(quote) <= 40


# The scenario texts live in readings/activities/china-scenarios.toml: an edit shows, a broken entry is named.

def _activity_copy(tmp_path, monkeypatch):
    import shutil

    from nkhr import paths

    root = tmp_path / "wb"
    shutil.copytree(paths.project_root() / "readings", root / "readings")
    (root / "solutions").mkdir()
    monkeypatch.setenv("NKHR_ROOT", str(root))
    return root / "readings" / "activities" / china.ACTIVITY_FILE


def test_an_edited_scenario_shows_without_touching_python(tmp_path, monkeypatch) -> None:
    path = _activity_copy(tmp_path, monkeypatch)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title = "A humanitarian access deal"', 'title = "An edited aid deal"'),
                    encoding="utf-8")
    assert "Proposal: An edited aid deal" in china.scenario_intro("aid")


@pytest.mark.parametrize("edit, message", [
    (('fit = "strong"', 'fit = "huge"'), r"china-scenarios\.toml, scenario 'icc', argument number \d+: field 'fit' is 'huge'"),
    (('quotes = ["s17_veto", "l22_swing"]', 'quotes = ["s17_veto", "l22_swung"]'),
     r"scenario 'icc', quotes number 2: 'l22_swung' is not an id in readings/quotes\.csv"),
    (('text = "it did chair the Six Party Talks"',
      'text = "While China’s support would be needed, it did chair the Six Party Talks"'),
     r"scenario 'forum', quotes number 1: .*more than 7 words; store it once in readings/quotes\.csv"),
    (('[scenario.predictions]\noppose', '[scenario.predictions]\nabstain'),
     r"scenario 'icc', predictions: 'predictions.abstain' is not known|scenario 'icc': 'predictions.abstain' is not known"),
])
def test_a_broken_scenario_is_named_with_its_problem(tmp_path, monkeypatch, edit, message) -> None:
    path = _activity_copy(tmp_path, monkeypatch)
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(china.DataError, match=message):
        china.load_activity()
    china.scenario("icc")  # the lesson's cell shows the message instead of a traceback
