"""Charts draw exactly the CSV's numbers, and a data problem becomes a message, not a traceback."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.patches import Rectangle

from nkhr import charts
from nkhr.data import by_id, load


def bar_widths(chart) -> list[float]:
    """Widths of the coloured (non-background) horizontal bars actually drawn, in order."""
    out = []
    for ax in chart.fig.axes:
        for patch in ax.patches:
            if isinstance(patch, Rectangle) and patch.get_facecolor()[:3] != matplotlib.colors.to_rgb("#EEEEEE"):
                out.append(round(patch.get_width(), 6))
    return out


def test_camp_estimates_match_figures_csv() -> None:
    chart = charts.camp_estimates()
    rows = [r for r in load("figures.csv") if r["topic"] == "camps" and r["kind"] == "cited"]
    expected = sorted(v for r in rows for v in (r["value"], r["value_high"]) if v is not None)
    assert sorted(v for _, v in chart.plotted) == expected
    ranges = [r for r in rows if r["value_high"]]
    assert bar_widths(chart) == [r["value_high"] - r["value"] for r in ranges]  # ranges drawn as ranges
    assert "Cohen 2010" in chart.caption and "Cohen 2014" in chart.caption


def test_freedom_house_bars_are_the_cited_scores() -> None:
    chart = charts.freedom_house()
    f = by_id("figures.csv")
    for rid, value in chart.plotted:
        assert f[rid]["value"] == value
    scores = [v for rid, v in chart.plotted if "max" not in rid]
    assert bar_widths(chart) == scores
    assert {"fh2022_nk_total", "fh_china_total_lee2022"} <= {rid for rid, _ in chart.plotted}


def test_pows_and_abductees_marks_derived_bars() -> None:
    chart = charts.pows_and_abductees()
    f = by_id("figures.csv")
    assert bar_widths(chart) == [f[rid]["value"] for rid, _ in chart.plotted]
    hatched = [p.get_hatch() for ax in chart.fig.axes for p in ax.patches]
    derived = [f[rid]["kind"] == "derived" for rid, _ in chart.plotted]
    assert [bool(h) for h in hatched] == derived
    assert "derived" in chart.caption


def test_timeline_plots_every_event_in_range() -> None:
    chart = charts.timeline()
    rows = [r for r in load("timeline.csv") if 2003 <= int(r["date"][:4]) <= 2022]
    assert [rid for rid, _ in chart.plotted] == [r["id"] for r in rows]
    xs = [x for ax in chart.fig.axes for line in ax.lines for x in line.get_xdata()]
    assert xs == [x for _, x in chart.plotted]


@pytest.mark.parametrize("name", ["camp_estimates", "freedom_house", "pows_and_abductees", "timeline"])
def test_every_chart_has_title_caption_and_alt_text(name: str) -> None:
    chart = getattr(charts, name)()
    assert chart.title and chart.caption.startswith("Sources:") and len(chart.alt) > 40
    assert chart.fig._suptitle is not None and chart.fig._suptitle.get_text() == chart.title


def test_missing_data_file_gives_a_message(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NKHR_ROOT", str(tmp_path))
    (tmp_path / "readings").mkdir()
    (tmp_path / "solutions").mkdir()
    result = charts.freedom_house()
    assert isinstance(result, charts.Unavailable) and "readings/figures.csv is missing" in result.reason
    assert isinstance(charts.figure_cards(["x"], "t"), charts.Unavailable)


def test_unknown_figure_id_is_reported() -> None:
    result = charts.figure_cards(["no_such_row"], "t")
    assert isinstance(result, charts.Unavailable) and "no_such_row" in result.reason


def test_timeline_draws_scheduled_events_hollow() -> None:
    chart = charts.timeline()
    status = {r["id"]: r.get("status") for r in load("timeline.csv")}
    faces = [line.get_markerfacecolor() for ax in chart.fig.axes for line in ax.lines]
    for (rid, _), face in zip(chart.plotted, faces):
        assert (face == "white") == (status[rid] == "scheduled"), rid
    assert any(s == "scheduled" for s in status.values()) and "Hollow dots" in chart.caption
