"""Lessons 05–06: role cards, policy options, the agenda builder and the synthesis chart."""

from __future__ import annotations

import itertools
import shutil

import matplotlib.pyplot as plt
import pytest
from conftest import require_sources

from nkhr import dialogue, paths, provenance
from nkhr.data import DataError, load
from nkhr.dialogue import check_agenda, load_agenda, load_options, load_roles, render_report

ROLES = load_roles()
ROWS = load_agenda()
PICKABLE = [r.id for r in ROWS if r.kind != "criterion"]
CRITERIA = [r.id for r in ROWS if r.kind == "criterion"]
POLICY_OPTIONS = load_options()


def _verbatim(source: str, quote: str, para: int | None) -> None:
    require_sources()
    text = provenance.source_text(source)
    assert provenance.quote_in_text(quote, text), f"not verbatim in {source}: {quote!r}"
    assert provenance.word_count(quote) <= 40, f"over 40 words: {quote!r}"
    assert para == provenance.paragraph_of(quote, source), f"wrong paragraph for {quote!r}"


# ---------------------------------------------------------------- role cards

def test_the_seven_roles_are_there():
    assert {r.id for r in ROLES} == {"eu", "south_korea", "united_states", "china", "north_korea",
                                     "un_high_commissioner", "aid_agency"}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.id)
def test_role_card_quotes_are_verbatim(role):
    assert len(role.quotes) == 2
    for q in role.quotes:
        _verbatim(q.source, q.text, q.para)


@pytest.mark.parametrize("rid", ["eu", "china", "north_korea", "aid_agency", "un_high_commissioner"])
def test_actors_the_readings_do_not_speak_for_are_labelled(rid):
    role = next(r for r in ROLES if r.id == rid)
    assert "inference" in role.inference.lower()


def test_role_card_html_escapes_and_shows_everything():
    card = dialogue.role_card(ROLES[0])
    assert ROLES[0].role in card and "Red lines" in card and "opening move" in card
    for q in ROLES[0].quotes:
        assert dialogue.cite(q.source, q.para) in card


# ---------------------------------------------------------------- policy options

def test_four_options_in_the_order_the_lesson_names_them():
    assert [o.name for o in POLICY_OPTIONS] == ["Pressure first", "Engagement first", "Conditional dialogue",
                                                "Pragmatic humanitarian cooperation"]


@pytest.mark.parametrize("option", POLICY_OPTIONS, ids=lambda o: o.id)
def test_option_quotes_verbatim_and_presets_valid(option):
    assert option.case and option.risks and option.argued_by
    assert set(option.preset) <= set(PICKABLE)
    for q in option.quotes:
        _verbatim(q.source, q.text, q.para)


def test_engagement_case_says_feffer_comes_through_his_critic():
    engagement = next(o for o in POLICY_OPTIONS if o.id == "engagement")
    assert "Feffer" in engagement.case and "critic" in engagement.case
    card = dialogue.option_card(engagement)
    assert "as reported by Cohen 2010" in card  # the critic's report says so on the quotation itself


# The options live in readings/activities/policy-options.toml: an edit shows, a broken entry is named.

def _activities_copy(tmp_path, monkeypatch):
    root = tmp_path / "wb"
    shutil.copytree(paths.project_root() / "readings", root / "readings")
    (root / "solutions").mkdir()
    monkeypatch.setenv("NKHR_ROOT", str(root))
    return root / "readings" / "activities" / dialogue.OPTIONS_FILE


def test_an_edited_option_shows_without_touching_python(tmp_path, monkeypatch):
    path = _activities_copy(tmp_path, monkeypatch)
    path.write_text(path.read_text(encoding="utf-8").replace('name = "Pressure first"',
                                                               'name = "Pressure, edited"'), encoding="utf-8")
    assert dialogue.option_card(load_options()[0]).count("Pressure, edited") == 1


@pytest.mark.parametrize("edit, message", [
    (('quotes = ["l22_leverage", "s17_fear"]', 'quotes = ["l22_leverage", "s17_feer"]'),
     r"policy-options\.toml, option 'pressure', quotes number 2: 's17_feer' is not an id in readings/quotes\.csv"),
    (('preset = ["accountability",', 'preset = ["acountability",'),
     r"option 'pressure': preset names acountability, not items or conditions"),
    (('name = "Pressure first"\n', ''), r"option 'pressure': field 'name' is missing"),
    (('id = "engagement"', 'id = "pressure"'), r"option 'pressure': the id is used twice"),
    (('name = "Pressure first"', 'name = "Pressure first'), r"policy-options\.toml is not valid TOML: .*line"),
])
def test_a_broken_option_is_named_with_its_problem(tmp_path, monkeypatch, edit, message):
    path = _activities_copy(tmp_path, monkeypatch)
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_options()


# ---------------------------------------------------------------- agenda.csv

def test_agenda_has_the_criteria_the_readings_give():
    assert set(CRITERIA) == {"cohen_no_barter", "cohen_hc", "cohen_contact_group", "cohen_sovereignty",
                             "cohen_hard_issues", "wertz_tb", "wertz_nutrition", "wertz_access",
                             "son_soft_targets", "lee_accountability", "lee_linkage",
                             "feffer_human_security", "cohen2010_engaging"}
    sources = {r.source for r in ROWS if r.kind == "criterion"}
    assert sources == {"cohen2010", "cohen2014", "wertz2014", "son2017", "lee2022"}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_agenda_paragraphs_match_the_texts(row):
    _verbatim(row.source, row.quote, row.para)


def test_every_pickable_row_has_a_tradeoff_with_a_basis():
    for r in ROWS:
        if r.kind != "criterion":
            assert r.tradeoff and r.tradeoff_basis, r.id


# ---------------------------------------------------------------- check_agenda

def test_every_combination_of_items_and_conditions_is_handled():
    """The whole power set (2**17 agendas, the empty one included): no error, a full report each time."""
    assert len(PICKABLE) <= 17, "more items than the power-set test can cover: switch to a systematic sample"
    perfect = 0
    for n in range(len(PICKABLE) + 1):
        for combo in itertools.combinations(PICKABLE, n):
            report = check_agenda(combo, ROWS)
            assert len(report.results) == len(CRITERIA)
            assert {r.status for r in report.results} <= set(dialogue.STATUS_LABELS)
            assert [r.id for r in report.chosen] == [i for i in PICKABLE if i in combo]
            perfect += all(r.status == "met" for r in report.results)
    assert perfect == 0, "some agenda meets every criterion with no strain: the builder would have a right answer"


def test_rendering_a_sample_of_agendas():
    for combo in [(), tuple(PICKABLE), *(o.preset for o in POLICY_OPTIONS), *((i,) for i in PICKABLE)]:
        html = render_report(check_agenda(combo, ROWS))
        assert html.startswith("<div") and html.endswith("</div>")


def test_empty_agenda_gets_a_message_not_an_error():
    for empty in ([], (), None, set()):
        report = check_agenda(empty, ROWS)
        assert report.empty and "empty" in report.messages[0]
        assert all(r.status == "open" for r in report.results)


def test_bad_input_is_reported_and_ignored():
    report = check_agenda(["tb", "tb", "nonsense", "cohen_hc", None, 42, " nutrition "], ROWS)
    assert [r.id for r in report.chosen] == ["tb", "nutrition"]
    text = " ".join(report.messages)
    assert "'nonsense' is not" in text and "'42' is not" in text and "is a criterion" in text


def test_order_of_picking_does_not_matter():
    a = check_agenda(["tb", "political_camps", "hc_focal"], ROWS)
    b = check_agenda(["hc_focal", "tb", "political_camps"], ROWS)
    assert a == b


def _status(report, cid):
    return next(r.status for r in report.results if r.criterion.id == cid)


def test_cohen_hard_issues_needs_all_three():
    assert _status(check_agenda(["political_camps"], ROWS), "cohen_hard_issues") == "partly"
    full = check_agenda(["political_camps", "songbun", "soft_rights"], ROWS)
    assert _status(full, "cohen_hard_issues") == "met"


def test_son_warning_fires_on_soft_targets_alone_and_lifts_with_hard_ones():
    assert _status(check_agenda(["soft_rights"], ROWS), "son_soft_targets") == "against"
    assert _status(check_agenda(["soft_rights", "civil_political"], ROWS), "son_soft_targets") == "met"


def test_camps_strain_wertz_sequence_and_linkage_strains_no_barter():
    r = check_agenda(["labour_centres", "political_camps"], ROWS)
    assert _status(r, "wertz_access") == "strained"
    r = check_agenda(["keep_un_track", "nuclear_link"], ROWS)
    assert _status(r, "cohen_no_barter") == "strained"


def test_contradiction_is_flagged_once():
    report = check_agenda(["keep_un_track", "pause_resolutions"], ROWS)
    assert sum("Contradiction" in m for m in report.messages) == 1


def test_items_without_conditions_and_the_reverse_get_a_nudge():
    assert any("no conditions" in m for m in check_agenda(["tb"], ROWS).messages)
    assert any("no agenda items" in m for m in check_agenda(["hc_focal"], ROWS).messages)


def test_pyongyang_signals_are_counted():
    report = check_agenda(["soft_rights", "political_camps", "tb"], ROWS)
    assert report.signals["open"] == ("Women's, children's and disability rights; food distribution",)
    assert len(report.signals["refused"]) == 1 and len(report.signals["not_reported"]) == 1


# ---------------------------------------------------------------- malformed data gives clear messages

def _copy_readings(tmp_path, monkeypatch):
    folder = tmp_path / "readings"
    shutil.copytree(paths.readings_dir(), folder)
    monkeypatch.setattr("nkhr.data.readings_dir", lambda: folder)
    monkeypatch.setattr("nkhr.paths.readings_dir", lambda: folder)
    return folder


def test_bad_kind_is_a_data_error(tmp_path, monkeypatch):
    folder = _copy_readings(tmp_path, monkeypatch)
    text = (folder / "agenda.csv").read_text(encoding="utf-8").replace("tb,item,", "tb,topic,", 1)
    (folder / "agenda.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"agenda.csv, row \d+ \(tb\): kind must be"):
        load_agenda()


def test_unknown_reference_is_a_data_error(tmp_path, monkeypatch):
    folder = _copy_readings(tmp_path, monkeypatch)
    text = (folder / "agenda.csv").read_text(encoding="utf-8").replace("cohen_hard_issues;son_soft_targets", "cohen_hard_issues;son_soft_target", 1)
    (folder / "agenda.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="unknown id"):
        load_agenda()


def test_missing_column_in_roles_is_a_data_error(tmp_path, monkeypatch):
    folder = _copy_readings(tmp_path, monkeypatch)
    text = (folder / "roles.csv").read_text(encoding="utf-8").replace("opening_move", "opening", 1)
    (folder / "roles.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="lacks column"):
        load_roles()


def test_widgets_report_bad_data_instead_of_raising(tmp_path, monkeypatch, capsys):
    folder = _copy_readings(tmp_path, monkeypatch)
    (folder / "agenda.csv").write_text("id,kind\nx,item\n", encoding="utf-8")
    (folder / "roles.csv").write_text("id\n", encoding="utf-8")
    dialogue.agenda_builder()
    dialogue.role_cards()
    out = capsys.readouterr().out
    assert "cannot start" in out or "HTML" in out


def test_widgets_build_with_good_data():
    dialogue.agenda_builder()
    dialogue.role_cards()
    dialogue.policy_options()
    dialogue.positions_explorer()


# ---------------------------------------------------------------- the synthesis chart

def test_what_changed_plots_exactly_the_csv_rows():
    positions = load("positions.csv")
    events = [r for r in load("timeline.csv") if 2009 <= int(r["date"][:4]) <= 2022]
    chart = dialogue.what_changed()
    try:
        top, bottom = chart.fig.axes[:2]
        assert chart.plotted[: len(positions)] == [(r["id"], r["position"]) for r in positions]
        assert [pid for pid, _ in chart.plotted[len(positions):]] == [r["id"] for r in events]
        drawn = [line.get_ydata()[0] for line in top.get_lines()]
        assert drawn == [r["position"] for r in positions]
        assert len(bottom.get_lines()) == len(events)
        xs = [line.get_xdata()[0] for line in bottom.get_lines()]
        assert xs == [x for _, x in chart.plotted[len(positions):]]
        assert all(2009 <= x < 2023 for x in xs)
        for name in ("Cohen 2010", "Wertz 2014", "Cohen 2014", "Son 2017", "Lee 2022"):
            assert name in chart.caption
        for r in positions:
            assert f"at {r['position']}" in chart.alt
    finally:
        plt.close(chart.fig)
